import * as Comlink from 'comlink';

/** A call was in flight when its worker died (crashed, ran out of memory, or was closed). */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
  constructor(readonly worker: string) {
    super(`The ${worker} worker stopped unexpectedly (it crashed or was closed).`);
  }
}

export function isWorkerCrash(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'WorkerCrashedError';
}

/** Every worker API the supervisor watches holds a Web Lock for its life (workers/alive.ts). */
export interface Supervisable {
  holdAliveLock(name: string): Promise<void>;
}

export interface SupervisorOptions<Api> {
  /** For messages: "engine", "dataset". */
  name: string;
  spawn: () => Worker;
  /**
   * After a crash, once the new worker is up: bring it back to where the old one was (the
   * engine loads its last model again). Calls made meanwhile wait for it.
   */
  restore?: (api: Comlink.Remote<Api>) => Promise<void>;
  /** Told of each crash, before the new worker is restored. */
  onCrash?: () => void;
  /**
   * Told when the worker died MAX_UNHEALTHY_RESTARTS times in a row without a sign of health
   * (a call that completed, or `markHealthy`): it is started again but no longer restored, so a
   * model that kills its worker while loading does not restart it forever.
   */
  onGiveUp?: () => void;
  /** Pauses before the 2nd, 3rd… restore in a row (the first is at once). */
  backoffMs?: readonly number[];
}

/** Restores in a row without a sign of health after which restoring stops. */
export const MAX_UNHEALTHY_RESTARTS = 3;

/**
 * Spawns a worker, notices when it dies (its alive lock is released), fails the calls that were
 * in flight with `WorkerCrashedError`, starts a new worker and restores it. Clients (engine,
 * runs, datasets) make their calls through `call`, so none of them handles workers itself.
 */
export class WorkerSupervisor<Api extends Supervisable> {
  private worker!: Worker;
  private remote!: Comlink.Remote<Api>;
  private generation = 0;
  private readonly pending = new Set<(err: WorkerCrashedError) => void>();
  private restoring: Promise<void> | null = null;
  private stopped = false;
  /** Crashes so far (for tests and the page's notices). */
  crashes = 0;
  /** Crashes since the last sign of health. */
  private unhealthy = 0;

  constructor(private readonly opts: SupervisorOptions<Api>) {
    this.start();
  }

  /** The current worker's API. Prefer `call`, which fails cleanly when the worker dies. */
  get api(): Comlink.Remote<Api> {
    return this.remote;
  }

  /**
   * Run a call against the current worker; rejects with `WorkerCrashedError` if the worker dies
   * before it settles. Waits for a restore in progress first.
   */
  async call<T>(fn: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    await this.settled();
    return this.track(fn(this.remote));
  }

  /** A promise from the current worker that also rejects if the worker dies first. */
  private track<T>(promise: Promise<T>, healthy = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onCrash = (err: WorkerCrashedError) => reject(err);
      this.pending.add(onCrash);
      promise
        .then((value) => {
          // A call that came back is the worker working (a restore alone is not).
          if (healthy) this.markHealthy();
          resolve(value);
        }, reject)
        .finally(() => this.pending.delete(onCrash));
    });
  }

  /** The worker did real work (a run answered a question): crashes are counted afresh. */
  markHealthy(): void {
    this.unhealthy = 0;
  }

  /** Resolves once a crash recovery (new worker, restored) has finished. */
  async settled(): Promise<void> {
    while (this.restoring) await this.restoring;
  }

  terminate(): void {
    this.stopped = true;
    this.generation++;
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  private start(): void {
    const generation = ++this.generation;
    const lock = `cmexam-${this.opts.name}-alive:${crypto.randomUUID()}`;
    this.worker = this.opts.spawn();
    this.remote = Comlink.wrap<Api>(this.worker);
    // The worker holds the lock while it lives; once the page gets it, the worker is gone.
    void this.remote.holdAliveLock(lock).then(() =>
      navigator.locks.request(lock, async () => {
        if (generation === this.generation && !this.stopped) await this.crashed();
      }),
    );
  }

  private async crashed(): Promise<void> {
    this.crashes++;
    this.unhealthy++;
    const error = new WorkerCrashedError(this.opts.name);
    for (const reject of this.pending) reject(error);
    this.pending.clear();
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    this.start();
    this.opts.onCrash?.();
    const restore = this.opts.restore;
    if (!restore) return;
    if (this.unhealthy > MAX_UNHEALTHY_RESTARTS) {
      this.restoring = null;
      this.opts.onGiveUp?.();
      return;
    }
    const backoff = this.opts.backoffMs ?? [1000, 2000, 4000];
    const wait =
      this.unhealthy <= 1 ? 0 : backoff[Math.min(this.unhealthy - 2, backoff.length - 1)];
    const remote = this.remote;
    // Tracked: if the new worker dies too, the restore fails instead of hanging every call.
    const restoring = (async () => {
      if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
      if (remote === this.remote) await this.track(restore(remote), false);
    })().catch(() => {});
    this.restoring = restoring;
    await restoring;
    if (this.restoring === restoring) this.restoring = null;
  }
}
