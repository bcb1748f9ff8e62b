import type { ModelRecord } from '@mlc-ai/web-llm';
import type {
  Backend,
  Engine,
  EngineDescription,
  GenerateRequest,
  GenerateResult,
  LoadProgress,
  ModelSpec,
  ScoreLettersRequest,
  ScoreLettersResult,
} from './types';
import { describeEngineError, type EngineErrorInfo } from './errors';
import { english, msg, type Message } from '../i18n/translate';
import { deleteCachedModel, listCachedModels } from './cache';
import { refOfModelSpec, type ModelRef } from './model-ref';
import type { CachedModel, CustomMlcModel, EngineApi, HostResult } from './protocol';

/**
 * Lives in the engine worker: owns the one engine instance, allows one model load at a time,
 * and turns every failure into words a user can act on (errors cross the worker as data).
 */
export class EngineHost implements EngineApi {
  private engine: Engine | null = null;
  private loadAbort: AbortController | null = null;
  /** What the loaded model is, as run specs name it; null while nothing is loaded. */
  private ref: ModelRef | null = null;

  /**
   * `activeRun`: the run this worker is driving, if any. No model is loaded meanwhile: the
   * run's answers would come from another model (the run loop checks too, and stops).
   */
  constructor(private readonly activeRun: () => string | null = () => null) {}

  private async engineFor(backend: Backend): Promise<Engine> {
    if (this.engine && this.engine.describe().backend === backend) return this.engine;
    await this.engine?.unload();
    // Each backend is a separate chunk, fetched only when used.
    this.engine =
      backend === 'wllama'
        ? new (await import('./wllama')).WllamaEngine()
        : new (await import('./webllm')).WebLlmEngine();
    return this.engine;
  }

  async load(
    spec: ModelSpec,
    onProgress: (p: LoadProgress) => void,
  ): Promise<HostResult<EngineDescription>> {
    if (this.loadAbort) {
      return fail('busy', msg('engBusyLoading'));
    }
    const run = this.activeRun();
    if (run !== null) {
      return fail('busy', msg('engBusyRun', { run }));
    }
    const abort = new AbortController();
    this.loadAbort = abort;
    this.ref = null;
    try {
      const engine = await this.engineFor(spec.backend);
      const description = await engine.load(spec, onProgress, abort.signal);
      this.ref = refOfModelSpec(spec);
      return { ok: true, value: description };
    } catch (err) {
      await this.engine?.unload().catch(() => {});
      if (abort.signal.aborted) return fail('cancelled', msg('engLoadCancelled'));
      return {
        ok: false,
        error: describeEngineError(err, { backend: spec.backend, modelId: spec.id }),
      };
    } finally {
      this.loadAbort = null;
    }
  }

  cancelLoad(): void {
    this.loadAbort?.abort();
  }

  async unload(): Promise<void> {
    this.ref = null;
    await this.engine?.unload();
  }

  loadedRef(): ModelRef | null {
    return this.engine?.describe().model ? this.ref : null;
  }

  /** The engine with a model loaded, for the run loop in the same worker. */
  loadedEngine(): Engine | null {
    return this.engine?.describe().model ? this.engine : null;
  }

  describe(): EngineDescription | null {
    const d = this.engine?.describe();
    return d?.model ? d : null;
  }

  interrupt(): void {
    this.engine?.interrupt();
  }

  scoreLetters(req: ScoreLettersRequest): Promise<HostResult<ScoreLettersResult>> {
    return this.call((e) => e.scoreLetters(req));
  }

  generate(
    req: GenerateRequest,
    onText?: (textSoFar: string) => void,
  ): Promise<HostResult<GenerateResult>> {
    return this.call((e) => e.generate(req, onText));
  }

  /** web-llm's prebuilt model list, read here so the page never loads web-llm's bundle. */
  async webLlmModelList(): Promise<ModelRecord[]> {
    const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
    return prebuiltAppConfig.model_list;
  }

  listCached(custom: CustomMlcModel[]): Promise<CachedModel[]> {
    return listCachedModels(custom);
  }

  deleteCached(entry: CachedModel, custom: CustomMlcModel[]): Promise<void> {
    return deleteCachedModel(entry, custom);
  }

  /** Measures the bare cost of a round trip, for the Comlink overhead benchmark. */
  ping(x: number): number {
    return x;
  }

  private async call<T>(fn: (e: Engine) => Promise<T>): Promise<HostResult<T>> {
    const engine = this.engine;
    if (!engine?.describe().model) return fail('not-loaded', msg('engNotLoadedYet'));
    try {
      return { ok: true, value: await fn(engine) };
    } catch (err) {
      return { ok: false, error: describeEngineError(err, { backend: engine.describe().backend }) };
    }
  }
}

/** A refusal: what happened, with no advice beyond it. */
function fail<T>(code: EngineErrorInfo['code'], message: Message): HostResult<T> {
  return { ok: false, error: { code, message: english(message), advice: '', i18n: { message } } };
}
