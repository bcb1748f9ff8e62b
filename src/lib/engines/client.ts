import * as Comlink from 'comlink';
import type { ModelRecord } from '@mlc-ai/web-llm';
import { isWorkerCrash, WorkerSupervisor } from '../workers/supervisor';
import { english, msg, type Text } from '../i18n/translate';
import type { EngineErrorInfo } from './errors';
import type { ModelRef } from './model-ref';
import type { CachedModel, CustomMlcModel, EngineWorkerApi, HostResult } from './protocol';
import type {
  EngineDescription,
  GenerateRequest,
  GenerateResult,
  LoadProgress,
  ModelSpec,
  ScoreLettersRequest,
  ScoreLettersResult,
} from './types';

const CRASHED: EngineErrorInfo = {
  code: 'worker-crashed',
  message: english(msg('engWorkerCrashed')),
  advice: english(msg('engWorkerCrashedAdvice')),
  i18n: { message: msg('engWorkerCrashed'), advice: msg('engWorkerCrashedAdvice') },
};

export type CrashState = 'reloading' | 'recovered' | 'failed';

function spawnEngineWorker(): Worker {
  return new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'engine',
  });
}

/**
 * Typed handle on the engine worker's engine. The worker itself is supervised
 * (workers/supervisor.ts): if it dies, calls in flight fail with `worker-crashed`, a new worker
 * is started and the last model is loaded into it again, so the next request succeeds. Runs go
 * through their own client (eval/client.ts) on the same worker.
 */
export class EngineClient {
  readonly worker: WorkerSupervisor<EngineWorkerApi>;
  private lastSpec: ModelSpec | null = null;

  /** Called after a crash: `reloading` while the model loads again, then its result. */
  onCrash: ((state: CrashState, detail?: Text) => void) | null = null;

  constructor(spawn: () => Worker = spawnEngineWorker) {
    this.worker = new WorkerSupervisor<EngineWorkerApi>({
      name: 'engine',
      spawn,
      restore: async (api) => {
        const spec = this.lastSpec;
        if (!spec) return;
        this.onCrash?.('reloading');
        const r = await api.engine.load(
          spec,
          Comlink.proxy(() => {}),
        );
        this.onCrash?.(
          r.ok ? 'recovered' : 'failed',
          r.ok ? undefined : (r.error.i18n?.message ?? r.error.message),
        );
      },
      onGiveUp: () => {
        // The model kept killing its worker: it is no longer loaded again.
        this.lastSpec = null;
        this.onCrash?.('failed', msg('engGaveUp'));
      },
    });
  }

  /** A worker call as a result: a dead worker is `worker-crashed`, any other rejection `unknown`. */
  private guard<T>(fn: (api: Comlink.Remote<EngineWorkerApi>) => Promise<HostResult<T>>) {
    return this.worker.call(fn).catch((err: unknown): HostResult<T> =>
      isWorkerCrash(err)
        ? { ok: false, error: CRASHED }
        : {
            ok: false,
            error: {
              code: 'unknown',
              message: err instanceof Error ? err.message : String(err),
              advice: '',
            },
          },
    );
  }

  async load(
    spec: ModelSpec,
    onProgress: (p: LoadProgress) => void,
  ): Promise<HostResult<EngineDescription>> {
    this.lastSpec = spec;
    const r = await this.guard((api) => api.engine.load(spec, Comlink.proxy(onProgress)));
    if (!r.ok && r.error.code !== 'worker-crashed') this.lastSpec = null;
    return r;
  }

  cancelLoad(): Promise<void> {
    this.lastSpec = null;
    return this.worker.api.engine.cancelLoad();
  }

  async unload(): Promise<void> {
    this.lastSpec = null;
    await this.worker.call((api) => api.engine.unload());
  }

  describe(): Promise<EngineDescription | null> {
    return this.worker.call((api) => api.engine.describe());
  }

  /** The reference of the model the engine holds now (null when none). */
  loadedRef(): Promise<ModelRef | null> {
    return this.worker.call(async (api) => (await api.engine.loadedRef()) as ModelRef | null);
  }

  interrupt(): Promise<void> {
    return this.worker.api.engine.interrupt();
  }

  scoreLetters(req: ScoreLettersRequest): Promise<HostResult<ScoreLettersResult>> {
    return this.guard((api) => api.engine.scoreLetters(req));
  }

  generate(
    req: GenerateRequest,
    onText?: (textSoFar: string) => void,
  ): Promise<HostResult<GenerateResult>> {
    return this.guard((api) =>
      api.engine.generate(req, onText ? Comlink.proxy(onText) : undefined),
    );
  }

  webLlmModelList(): Promise<ModelRecord[]> {
    return this.worker.call((api) => api.engine.webLlmModelList());
  }

  listCached(custom: CustomMlcModel[]): Promise<CachedModel[]> {
    return this.worker.call((api) => api.engine.listCached(custom));
  }

  deleteCached(entry: CachedModel, custom: CustomMlcModel[]): Promise<void> {
    return this.worker.call((api) => api.engine.deleteCached(entry, custom));
  }

  /** Resolves once a crash recovery (new worker, model loaded again) has finished. */
  settled(): Promise<void> {
    return this.worker.settled();
  }

  ping(x: number): Promise<number> {
    return this.worker.api.engine.ping(x);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
