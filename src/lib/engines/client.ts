import * as Comlink from 'comlink';
import type { ModelRecord } from '@mlc-ai/web-llm';
import type { CachedModel, HostResult } from './host';
import type { EngineWorkerApi } from '../../../workers/engine.worker';
import type { DriveOutcome, RunProgress } from '../eval/runner';
import type { RunRecord } from '../db/database';
import type { RunSpec } from '../eval/types';
import type {
  EngineDescription,
  GenerateRequest,
  GenerateResult,
  LoadProgress,
  ModelSpec,
  ScoreLettersRequest,
  ScoreLettersResult,
} from './types';

const CRASHED = {
  code: 'worker-crashed' as const,
  message: 'The engine stopped unexpectedly (its worker crashed or was closed).',
  advice: 'It has been restarted; the model is being loaded again. Retry the request.',
};

/**
 * Typed handle on the engine worker. If the worker dies, in-flight calls fail with a clear
 * error, a new worker is started and the last model is loaded into it again, so the next
 * request succeeds.
 */
export class EngineClient {
  private worker!: Worker;
  private api!: Comlink.Remote<EngineWorkerApi>;
  private generation = 0;
  private lastSpec: ModelSpec | null = null;
  private pending = new Set<(r: HostResult<never>) => void>();
  private recovering: Promise<void> | null = null;

  /** Called after a crash: `reloading` while the model loads again, then its result. */
  onCrash: ((state: 'reloading' | 'recovered' | 'failed', detail?: string) => void) | null = null;

  constructor() {
    this.start();
  }

  private start(): void {
    const generation = ++this.generation;
    const lock = `cmexam-engine-alive:${crypto.randomUUID()}`;
    this.worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'engine',
    });
    this.api = Comlink.wrap<EngineWorkerApi>(this.worker);
    // The worker holds the lock while it lives; once we get it, the worker is gone.
    void this.api.engine.holdAliveLock(lock).then(() =>
      navigator.locks.request(lock, async () => {
        if (generation === this.generation) await this.crashed();
      }),
    );
  }

  private async crashed(): Promise<void> {
    for (const reject of this.pending) reject({ ok: false, error: CRASHED });
    this.pending.clear();
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
    this.start();
    const spec = this.lastSpec;
    if (!spec) return;
    this.onCrash?.('reloading');
    this.recovering = this.load(spec, () => {}).then((r) => {
      this.onCrash?.(r.ok ? 'recovered' : 'failed', r.ok ? undefined : r.error.message);
    });
    await this.recovering;
    this.recovering = null;
  }

  /** Races a worker call against the worker dying. */
  private guard<T>(call: () => Promise<HostResult<T>>): Promise<HostResult<T>> {
    return new Promise((resolve) => {
      const onCrash = (r: HostResult<never>) => resolve(r);
      this.pending.add(onCrash);
      call()
        .then(resolve, (err: unknown) =>
          resolve({
            ok: false,
            error: {
              code: 'unknown',
              message: err instanceof Error ? err.message : String(err),
              advice: '',
            },
          }),
        )
        .finally(() => this.pending.delete(onCrash));
    });
  }

  async load(
    spec: ModelSpec,
    onProgress: (p: LoadProgress) => void,
  ): Promise<HostResult<EngineDescription>> {
    this.lastSpec = spec;
    const r = await this.guard(() => this.api.engine.load(spec, Comlink.proxy(onProgress)));
    if (!r.ok && r.error.code !== 'worker-crashed') this.lastSpec = null;
    return r;
  }

  cancelLoad(): Promise<void> {
    this.lastSpec = null;
    return this.api.engine.cancelLoad();
  }

  async unload(): Promise<void> {
    this.lastSpec = null;
    await this.api.engine.unload();
  }

  describe(): Promise<EngineDescription | null> {
    return this.api.engine.describe();
  }

  interrupt(): Promise<void> {
    return this.api.engine.interrupt();
  }

  async scoreLetters(req: ScoreLettersRequest): Promise<HostResult<ScoreLettersResult>> {
    await this.recovering;
    return this.guard(() => this.api.engine.scoreLetters(req));
  }

  async generate(req: GenerateRequest): Promise<HostResult<GenerateResult>> {
    await this.recovering;
    return this.guard(() => this.api.engine.generate(req));
  }

  webLlmModelList(): Promise<ModelRecord[]> {
    return this.api.engine.webLlmModelList();
  }

  listCached(): Promise<CachedModel[]> {
    return this.api.engine.listCached();
  }

  deleteCached(entry: CachedModel): Promise<void> {
    return this.api.engine.deleteCached(entry);
  }

  /** Create (or find) the run for a spec in the database. */
  createRun(runId: string, spec: RunSpec): Promise<RunRecord> {
    return this.api.runs.create(runId, spec);
  }

  /**
   * Drive a run in this tab's engine worker. Resolves `locked` when another tab drives it, and
   * `crashed` when the worker died meanwhile (the caller drives it again once recovered).
   */
  async driveRun(
    runId: string,
    onProgress: (p: RunProgress) => void,
  ): Promise<DriveOutcome | 'crashed'> {
    await this.recovering;
    const r = await this.guard(async () => ({
      ok: true as const,
      value: await this.api.runs.drive(runId, Comlink.proxy(onProgress)),
    }));
    return r.ok ? r.value : 'crashed';
  }

  pauseRun(runId: string): Promise<void> {
    return this.api.runs.pause(runId);
  }

  cancelRun(runId: string): Promise<void> {
    return this.api.runs.cancel(runId);
  }

  /** Resolves once a crash recovery (new worker, model loaded again) has finished. */
  async settled(): Promise<void> {
    await this.recovering;
  }

  ping(x: number): Promise<number> {
    return this.api.engine.ping(x);
  }

  terminate(): void {
    this.generation++;
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
