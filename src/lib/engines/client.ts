import * as Comlink from 'comlink';
import type { ModelRecord } from '@mlc-ai/web-llm';
import type { CachedModel, EngineHost, HostResult } from './host';
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
  private api!: Comlink.Remote<EngineHost>;
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
    this.api = Comlink.wrap<EngineHost>(this.worker);
    // The worker holds the lock while it lives; once we get it, the worker is gone.
    void this.api.holdAliveLock(lock).then(() =>
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
    const r = await this.guard(() => this.api.load(spec, Comlink.proxy(onProgress)));
    if (!r.ok && r.error.code !== 'worker-crashed') this.lastSpec = null;
    return r;
  }

  cancelLoad(): Promise<void> {
    this.lastSpec = null;
    return this.api.cancelLoad();
  }

  async unload(): Promise<void> {
    this.lastSpec = null;
    await this.api.unload();
  }

  describe(): Promise<EngineDescription | null> {
    return this.api.describe();
  }

  interrupt(): Promise<void> {
    return this.api.interrupt();
  }

  async scoreLetters(req: ScoreLettersRequest): Promise<HostResult<ScoreLettersResult>> {
    await this.recovering;
    return this.guard(() => this.api.scoreLetters(req));
  }

  async generate(req: GenerateRequest): Promise<HostResult<GenerateResult>> {
    await this.recovering;
    return this.guard(() => this.api.generate(req));
  }

  webLlmModelList(): Promise<ModelRecord[]> {
    return this.api.webLlmModelList();
  }

  listCached(): Promise<CachedModel[]> {
    return this.api.listCached();
  }

  deleteCached(entry: CachedModel): Promise<void> {
    return this.api.deleteCached(entry);
  }

  ping(x: number): Promise<number> {
    return this.api.ping(x);
  }

  terminate(): void {
    this.generation++;
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
