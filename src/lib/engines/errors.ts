/**
 * Engine failures in words a user reads, with what to do next. Errors may have crossed a worker
 * as plain `{ name, message }` objects, so everything here works on that shape: web-llm's error
 * classes are not exported, and are recognised by `name` (see web-llm's lib/error.d.ts) or, for
 * fetch failures, by message.
 */
import type { Backend } from './types';
import { english, messageOf, msg as m, type Message, type MessageParam } from '../i18n/translate';

export type EngineErrorCode =
  | 'no-webgpu'
  | 'no-adapter'
  | 'no-shader-f16'
  | 'out-of-memory'
  | 'device-lost'
  | 'not-found'
  | 'cors'
  | 'network'
  | 'quota'
  | 'worker-crashed'
  | 'cancelled'
  | 'invalid-model'
  | 'context-too-long'
  | 'busy'
  | 'not-loaded'
  | 'utf8-crash'
  | 'unknown';

export interface EngineErrorInfo {
  code: EngineErrorCode;
  /** What happened. */
  message: string;
  /** What to do next. */
  advice: string;
  /**
   * Both texts as Messages the UI translates; absent where only English exists. No `advice`
   * where `advice` is empty.
   */
  i18n?: { message: Message; advice?: Message };
}

export interface EngineErrorContext {
  backend: Backend;
  modelId?: string;
  url?: string;
}

/** A download that failed, with the address and HTTP status (null: no response at all). */
export class ModelFetchError extends Error {
  override name = 'ModelFetchError';
  constructor(
    readonly url: string,
    readonly status: number | null,
    message?: string,
  ) {
    super(
      message ??
        (status === null
          ? `Could not download ${url}: no response (network error or CORS)`
          : `Could not download ${url}: HTTP ${status}`),
    );
  }
}

interface ErrorShape {
  name: string;
  message: string;
  /** WllamaError's kind: `download_error`, `load_error`, `kv_cache_full`, … */
  type: string | null;
  status: number | null;
  url: string | null;
}

/** name/message/type of an error, a plain object, or a string; follows `cause` one level. */
export function errorShape(err: unknown): ErrorShape {
  if (typeof err === 'string') {
    return { name: '', message: err, type: null, status: null, url: null };
  }
  const e = (err ?? {}) as {
    name?: unknown;
    message?: unknown;
    type?: unknown;
    status?: unknown;
    url?: unknown;
    cause?: unknown;
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  let message = str(e.message) || (err === null || err === undefined ? '' : String(err));
  if (message === '[object Object]') message = '';
  const cause = e.cause as { message?: unknown } | undefined;
  if (cause && typeof cause.message === 'string' && !message.includes(cause.message)) {
    message = message ? `${message} (${cause.message})` : cause.message;
  }
  const status =
    typeof e.status === 'number' ? e.status : Number(/\bHTTP (\d{3})\b/.exec(message)?.[1]) || null;
  return {
    name: str(e.name),
    message,
    type: str(e.type) || null,
    status,
    url: str(e.url) || null,
  };
}

export function isAbortError(err: unknown): boolean {
  return errorShape(err).name === 'AbortError';
}

const FETCH_FAILED =
  /Failed to fetch|NetworkError when attempting|Load failed|net::ERR_|ERR_INTERNET/i;

/** Classifies an engine failure; see the module comment. */
export function describeEngineError(err: unknown, context: EngineErrorContext): EngineErrorInfo {
  const e = errorShape(err);
  const { name, message: msg } = e;
  const url =
    e.url ?? context.url ?? /https?:\/\/[^\s'"]+/.exec(msg)?.[0].replace(/[.,;:)]+$/, '') ?? null;
  const model: MessageParam = context.modelId ? `"${context.modelId}"` : m('engTheModel');
  const from: MessageParam = url ? m('engFrom', { url }) : '';
  const cpuEngine = m(context.backend === 'webllm' ? 'engUseCpuEngine' : 'engUseCpuDevice');
  const info = (code: EngineErrorCode, message: Message, advice: Message): EngineErrorInfo => ({
    code,
    message: english(message),
    advice: english(advice),
    i18n: { message, advice },
  });

  // Cancellation first: a cancelled download can look like a network failure.
  if (name === 'AbortError' || /Cache\.add\(\) was aborted/.test(msg)) {
    return info('cancelled', m('engCancelled'), m('engCancelledAdvice'));
  }

  if (name === 'WebGPUNotAvailableError' || name === 'WebGPUNotFoundError') {
    return info('no-webgpu', m('engNoWebgpu'), m('engNoWebgpuAdvice', { cpu: cpuEngine }));
  }
  if (
    /Unable to find a compatible GPU|requestAdapter|No (?:WebGPU |GPU )?adapter/i.test(msg) ||
    /Cannot initialize runtime because of requested \w+ exceeds limit/.test(msg)
  ) {
    const limits = /exceeds limit/.test(msg);
    return info(
      'no-adapter',
      limits ? m('engGpuLimits', { detail: msg.trim() }) : m('engNoAdapter'),
      m('engNoAdapterAdvice', { cpu: cpuEngine }),
    );
  }
  if (
    name === 'ShaderF16SupportError' ||
    (name === 'FeatureSupportError' && /shader-f16/.test(msg)) ||
    /shader-f16|\bf16\b[^.]*\bextension\b|enable f16/i.test(msg)
  ) {
    return info('no-shader-f16', m('engNoF16', { model }), m('engNoF16Advice'));
  }
  if (
    name === 'DeviceLostError' ||
    /device (?:was |is )?lost|GPUDeviceLost|Instance dropped/i.test(msg)
  ) {
    return info('device-lost', m('engDeviceLost'), m('engDeviceLostAdvice'));
  }
  if (
    /out of memory|\bOOM\b|could not allocate memory|Array buffer allocation failed|failed to allocate|Cannot allocate/i.test(
      msg,
    )
  ) {
    return info('out-of-memory', m('engOom', { model }), m('engOomAdvice'));
  }
  if (name === 'QuotaExceededError' || /quota/i.test(msg)) {
    return info('quota', m('engQuota'), m('engQuotaAdvice'));
  }
  if (
    name === 'EngineRecoveredError' ||
    (name === 'RangeError' && /Invalid typed array length/.test(msg))
  ) {
    return info(
      'utf8-crash',
      m('engUtf8'),
      m(name === 'EngineRecoveredError' ? 'engUtf8Recovered' : 'engUtf8Restart'),
    );
  }
  if (
    name === 'WorkerCrashedError' ||
    /worker (?:crashed|terminated|died|was terminated)/i.test(msg)
  ) {
    return info('worker-crashed', m('engCrashed'), m('engCrashedAdvice'));
  }
  if (
    name === 'ContextWindowSizeExceededError' ||
    e.type === 'kv_cache_full' ||
    /context window size|exceeds? (?:the )?context|context (?:is )?full|kv cache is full/i.test(msg)
  ) {
    return info('context-too-long', m('engContext', { model }), m('engContextAdvice'));
  }

  // Downloads. HTTP statuses first, then failures without any response.
  const status = e.status;
  const cacheRequestFailed = /Failed to execute 'add' on 'Cache': Request failed/.test(msg);
  if (status === 404 || status === 410 || /\b404\b|Not Found/.test(msg)) {
    const wasm = !!url && /\.wasm$/i.test(url);
    return info(
      'not-found',
      m(wasm ? 'engNotFoundLib' : 'engNotFoundFiles', {
        answered: url ? m('engAnswered404', { url }) : '',
      }),
      m('engNotFoundAdvice'),
    );
  }
  if (status === 401 || status === 403) {
    return info(
      'not-found',
      m('engRefused', { answered: url ? m('engAnswered', { url, status }) : '' }),
      m('engRefusedAdvice'),
    );
  }
  if (status !== null && status >= 400) {
    return info(
      'network',
      m('engServerFailed', { answered: url ? m('engAnswered', { url, status }) : '' }),
      m('engServerFailedAdvice'),
    );
  }
  if (cacheRequestFailed) {
    // web-llm stores downloads with Cache.add(), whose error names neither the address nor
    // the status; the console has both.
    return info('not-found', m('engCacheFailed', { from }), m('engCacheFailedAdvice'));
  }
  const fetchFailed =
    name === 'ModelFetchError' || FETCH_FAILED.test(msg) || e.type === 'download_error';
  if (/CORS policy|Access-Control-Allow-Origin/i.test(msg)) {
    return info('cors', m('engCors', { from }), m('engCorsAdvice'));
  }
  if (fetchFailed && !/Invalid model URL/i.test(msg)) {
    const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
    if (nav?.onLine === false) {
      return info('network', m('engOffline', { from }), m('engOfflineAdvice'));
    }
    // Hugging Face and GitHub allow cross-origin downloads: there it is the network.
    if (url && isCrossOrigin(url) && !allowsCors(url)) {
      return info('cors', m('engCors', { from }), m('engCorsAdvice'));
    }
    return info('network', m('engUnreachable', { from }), m('engUnreachableAdvice'));
  }

  // Files that are there but are not a model.
  if (name === 'SyntaxError' || /is not valid JSON|Unexpected token|JSON\.parse/.test(msg)) {
    return info('invalid-model', m('engBadConfig', { from }), m('engBadConfigAdvice'));
  }
  if (
    name === 'CompileError' ||
    name === 'LinkError' ||
    /expected magic word|WebAssembly\.(?:instantiate|Module|Instance)/.test(msg)
  ) {
    return info(
      'invalid-model',
      m(name === 'LinkError' ? 'engLibVersion' : 'engLibNotWasm'),
      m('engLibAdvice'),
    );
  }
  if (name === 'IntegrityError') {
    return info('invalid-model', m('engIntegrity', { from }), m('engIntegrityAdvice'));
  }
  if (name === 'ModelNotFoundError') {
    return info('invalid-model', m('engUnknownModel', { model }), m('engUnknownModelAdvice'));
  }
  if (
    name === 'MissingModelError' ||
    name === 'InvalidModelUrlError' ||
    name === 'ArtifactManifestError' ||
    name === 'UnsupportedTokenizerFilesError' ||
    e.type === 'load_error' ||
    /Invalid URL|Invalid model URL|invalid magic|failed to (?:load|read) (?:the )?model|gguf/i.test(
      msg,
    )
  ) {
    return info(
      'invalid-model',
      name === 'InvalidModelUrlError'
        ? (messageOf(err) ?? m('engVerbatim', { text: msg }))
        : m('engNotLoaded', { model, detail: sentence(msg) || m('engNotUsable') }),
      m(context.backend === 'webllm' ? 'engCheckMlc' : 'engCheckGguf'),
    );
  }
  return info(
    'unknown',
    m('engUnknown', {
      with: context.modelId ? m('engWith', { model: context.modelId }) : '',
      detail: sentence(msg || name) || m('engUnknownDetail'),
    }),
    m('engUnknownAdvice'),
  );
}

/** The message as a sentence: trimmed, ending in one full stop. */
function sentence(text: string): string {
  const t = text.trim();
  return t && !/[.!?]$/.test(t) ? `${t}.` : t;
}

function allowsCors(url: string): boolean {
  try {
    return /(^|\.)(huggingface\.co|hf\.co|githubusercontent\.com)$/i.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

function isCrossOrigin(url: string): boolean {
  const here = (globalThis as { location?: { origin?: string } }).location?.origin;
  try {
    return !here || new URL(url).origin !== here;
  } catch {
    return false;
  }
}
