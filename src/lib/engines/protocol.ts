/**
 * What crosses the engine worker's boundary: results as data (errors in words a user can act
 * on), cached models, and the worker's API as the page sees it. The engine host, the cache
 * list and both clients depend on this module; it depends on none of them.
 */
import type { ModelRecord } from '@mlc-ai/web-llm';
import type { ProxyMarked } from 'comlink';
import type { RunRecord } from '../db/database';
import type { DriveOutcome, RunProgress } from '../eval/progress';
import type { RunSpec } from '../eval/types';
import type { EngineErrorInfo } from './errors';
import type { ModelRef } from './model-ref';
import type { Message } from '../i18n/translate';
import type {
  Backend,
  EngineDescription,
  GenerateRequest,
  GenerateResult,
  LoadProgress,
  ModelSpec,
  ScoreLettersRequest,
  ScoreLettersResult,
} from './types';

export type HostResult<T> = { ok: true; value: T } | { ok: false; error: EngineErrorInfo };

export interface CachedModel {
  backend: Backend;
  /** What to pass to `deleteCached`: a model id or file URL (wllama). */
  key: string;
  label: string;
  bytes: number | null;
  /** web-llm: the cached files (a model's, or those of a folder no known model accounts for). */
  urls?: string[];
}

/** A user's own MLC model, so its cached files are listed and deleted under its name. */
export interface CustomMlcModel {
  id: string;
  modelUrl: string;
  modelLibUrl: string;
}

/** The engine host (engines/host.ts) as the page reaches it. */
export interface EngineApi {
  load(
    spec: ModelSpec,
    onProgress: (p: LoadProgress) => void,
  ): Promise<HostResult<EngineDescription>>;
  cancelLoad(): void;
  unload(): Promise<void>;
  describe(): EngineDescription | null;
  /** The reference of the loaded model (null when none is loaded). */
  loadedRef(): ModelRef | null;
  interrupt(): void;
  scoreLetters(req: ScoreLettersRequest): Promise<HostResult<ScoreLettersResult>>;
  /** `onText` receives the text so far as it is generated (streamed), when given. */
  generate(
    req: GenerateRequest,
    onText?: (textSoFar: string) => void,
  ): Promise<HostResult<GenerateResult>>;
  webLlmModelList(): Promise<ModelRecord[]>;
  listCached(custom: CustomMlcModel[]): Promise<CachedModel[]>;
  deleteCached(entry: CachedModel, custom: CustomMlcModel[]): Promise<void>;
  ping(x: number): number;
}

/** The run loop (eval/runner.ts) as the page reaches it. */
export interface RunApi {
  create(runId: string, spec: RunSpec): Promise<RunRecord>;
  drive(runId: string, onProgress: (p: RunProgress) => void): Promise<DriveOutcome>;
  pause(runId: string): void;
  cancel(runId: string): void;
  /** Record a run as stopped from outside the loop (a pause during a crash, too many crashes). */
  stop(
    runId: string,
    status: 'paused' | 'cancelled' | 'error',
    /** English, or a Message (stored as `error` in English and as `errorMessage`). */
    error?: Message | string | null,
    detail?: RunRecord['errorDetail'],
  ): Promise<void>;
}

/**
 * The engine worker (workers/engine.worker.ts). Its two parts are Comlink proxies, so that the
 * page's typed handle reaches their methods (`api.engine.load`…).
 */
export interface EngineWorkerApi {
  /** Held for the worker's whole life: its release tells the page the worker is gone. */
  holdAliveLock(name: string): Promise<void>;
  engine: EngineApi & ProxyMarked;
  runs: RunApi & ProxyMarked;
}
