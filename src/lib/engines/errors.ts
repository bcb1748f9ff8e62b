/**
 * Engine failures in words a user reads, with what to do next. Errors may have crossed a worker
 * as plain `{ name, message }` objects, so everything here works on that shape: web-llm's error
 * classes are not exported, and are recognised by `name` (see web-llm's lib/error.d.ts) or, for
 * fetch failures, by message.
 */
import type { Backend } from './types';

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
  const model = context.modelId ? `"${context.modelId}"` : 'the model';
  const from = url ? ` from ${url}` : '';
  const cpuEngine =
    context.backend === 'webllm'
      ? 'Use a GGUF model on the CPU engine (wllama) instead: it needs no GPU.'
      : 'Load the model with the CPU device instead of WebGPU.';
  const info = (code: EngineErrorCode, message: string, advice: string) => ({
    code,
    message,
    advice,
  });

  // Cancellation first: a cancelled download can look like a network failure.
  if (name === 'AbortError' || /Cache\.add\(\) was aborted/.test(msg)) {
    return info('cancelled', 'Loading was cancelled.', 'Start it again when you are ready.');
  }

  if (name === 'WebGPUNotAvailableError' || name === 'WebGPUNotFoundError') {
    return info(
      'no-webgpu',
      'This browser does not offer WebGPU, which MLC models (web-llm) need.',
      `${cpuEngine} Or use a recent Chrome or Edge. On Linux, Chrome may need WebGPU turned on: ` +
        'start it with --enable-unsafe-webgpu (and --enable-features=Vulkan), or enable ' +
        '"Unsafe WebGPU Support" and "Vulkan" in chrome://flags.',
    );
  }
  if (
    /Unable to find a compatible GPU|requestAdapter|No (?:WebGPU |GPU )?adapter/i.test(msg) ||
    /Cannot initialize runtime because of requested \w+ exceeds limit/.test(msg)
  ) {
    const limits = /exceeds limit/.test(msg);
    return info(
      'no-adapter',
      limits
        ? `This GPU's limits are too small for web-llm (${msg.trim()}).`
        : 'WebGPU is present but no usable GPU was found (none, blocked by the browser, or the driver is not supported).',
      `${cpuEngine} On Linux, Chrome may need --enable-unsafe-webgpu and --enable-features=Vulkan ` +
        '(or the matching chrome://flags) and an up-to-date GPU driver.',
    );
  }
  if (
    name === 'ShaderF16SupportError' ||
    (name === 'FeatureSupportError' && /shader-f16/.test(msg)) ||
    /shader-f16|\bf16\b[^.]*\bextension\b|enable f16/i.test(msg)
  ) {
    return info(
      'no-shader-f16',
      `${model} needs 16-bit floats in GPU shaders (shader-f16), which this GPU or browser lacks.`,
      'Pick the q4f32 variant of the same model (same answers, more memory), or use the CPU engine (wllama).',
    );
  }
  if (
    name === 'DeviceLostError' ||
    /device (?:was |is )?lost|GPUDeviceLost|Instance dropped/i.test(msg)
  ) {
    return info(
      'device-lost',
      'The GPU stopped working for this page (its device was lost), most often because the model needed more GPU memory than was free.',
      'Reload the page to recover the GPU, then pick a smaller model or a "1k context" variant. Closing other GPU-heavy tabs also helps.',
    );
  }
  if (
    /out of memory|\bOOM\b|could not allocate memory|Array buffer allocation failed|failed to allocate|Cannot allocate/i.test(
      msg,
    )
  ) {
    return info(
      'out-of-memory',
      `There was not enough memory to run ${model}.`,
      'Pick a smaller model or a "1k context" variant, close other tabs, and reload the page to free memory.',
    );
  }
  if (name === 'QuotaExceededError' || /quota/i.test(msg)) {
    return info(
      'quota',
      'The browser ran out of storage for this site while saving the model.',
      'Free disk space, or delete models you no longer need from the cache (Models page), then retry.',
    );
  }
  if (
    name === 'EngineRecoveredError' ||
    (name === 'RangeError' && /Invalid typed array length/.test(msg))
  ) {
    return info(
      'utf8-crash',
      'The CPU engine crashed on model output that is not valid UTF-8 (a known wllama bug).',
      name === 'EngineRecoveredError'
        ? 'It was restarted with the same model; this answer is recorded as failed and the run can go on.'
        : 'The engine worker must be restarted: reload the model, then retry.',
    );
  }
  if (
    name === 'WorkerCrashedError' ||
    /worker (?:crashed|terminated|died|was terminated)/i.test(msg)
  ) {
    return info(
      'worker-crashed',
      'The inference engine stopped unexpectedly (its worker crashed, often from running out of memory).',
      'It was restarted: load the model again and retry. If it happens again, pick a smaller model.',
    );
  }
  if (
    name === 'ContextWindowSizeExceededError' ||
    e.type === 'kv_cache_full' ||
    /context window size|exceeds? (?:the )?context|context (?:is )?full|kv cache is full/i.test(msg)
  ) {
    return info(
      'context-too-long',
      `The prompt is longer than ${model} can read at once (its context window).`,
      'Use fewer examples in the prompt, a variant with a longer context (not "1k"), or a larger context size.',
    );
  }

  // Downloads. HTTP statuses first, then failures without any response.
  const status = e.status;
  const cacheRequestFailed = /Failed to execute 'add' on 'Cache': Request failed/.test(msg);
  if (status === 404 || status === 410 || /\b404\b|Not Found/.test(msg)) {
    const files = url && /\.wasm$/i.test(url) ? 'model library (.wasm)' : 'model files';
    return info(
      'not-found',
      `The ${files} ${files.endsWith('s') ? 'are' : 'is'} not at that address${url ? ` (${url} answered 404 Not Found)` : ''}.`,
      'Check the address: for MLC models it is the folder (or Hugging Face repository) that holds mlc-chat-config.json; for GGUF it is the .gguf file itself.',
    );
  }
  if (status === 401 || status === 403) {
    return info(
      'not-found',
      `The server refused to give the model files${url ? ` (${url} answered ${status})` : ''}: they are private, or gated behind a sign-in.`,
      'Use a public copy of the model; this app cannot sign in to other sites.',
    );
  }
  if (status !== null && status >= 400) {
    return info(
      'network',
      `The server failed to send the model files${url ? ` (${url} answered ${status})` : ''}.`,
      'Try again later, or use another copy of the model.',
    );
  }
  if (cacheRequestFailed) {
    // web-llm stores downloads with Cache.add(), whose error names neither the address nor
    // the status; the console has both.
    return info(
      'not-found',
      `The model files could not be downloaded${from}: the server answered with an error, usually because the files are not at that address.`,
      'Check the model address (for MLC models, the folder holding mlc-chat-config.json) and the model library (.wasm) address.',
    );
  }
  const fetchFailed =
    name === 'ModelFetchError' || FETCH_FAILED.test(msg) || e.type === 'download_error';
  if (/CORS policy|Access-Control-Allow-Origin/i.test(msg)) {
    return info('cors', corsMessage(from), corsAdvice);
  }
  if (fetchFailed && !/Invalid model URL/i.test(msg)) {
    const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
    if (nav?.onLine === false) {
      return info(
        'network',
        `You appear to be offline, so the model could not be downloaded${from}.`,
        'Reconnect and retry. Models downloaded before keep working offline.',
      );
    }
    // Hugging Face and GitHub allow cross-origin downloads: there it is the network.
    if (url && isCrossOrigin(url) && !allowsCors(url)) {
      return info('cors', corsMessage(from), corsAdvice);
    }
    return info(
      'network',
      `The model could not be downloaded${from}: the server could not be reached.`,
      'Check your connection and the address, then retry.',
    );
  }

  // Files that are there but are not a model.
  if (name === 'SyntaxError' || /is not valid JSON|Unexpected token|JSON\.parse/.test(msg)) {
    return info(
      'invalid-model',
      `The model's configuration${from} is not valid JSON: the address probably points to a web page, not to an MLC model folder.`,
      'Give the address of the folder (or Hugging Face repository) that holds mlc-chat-config.json.',
    );
  }
  if (
    name === 'CompileError' ||
    name === 'LinkError' ||
    /expected magic word|WebAssembly\.(?:instantiate|Module|Instance)/.test(msg)
  ) {
    return info(
      'invalid-model',
      name === 'LinkError'
        ? 'The model library (.wasm) was built for a different web-llm version.'
        : 'The model library (.wasm) is not a WebAssembly file: the address probably points to a web page or an error.',
      "Use the model library that matches this model and web-llm 0.2.86 (see web-llm's binary-mlc-llm-libs).",
    );
  }
  if (name === 'IntegrityError') {
    return info(
      'invalid-model',
      `A downloaded model file did not match its expected checksum${from}: it is corrupted or was changed.`,
      'Delete the cached copy of this model and download it again.',
    );
  }
  if (name === 'ModelNotFoundError') {
    return info(
      'invalid-model',
      `${model} is not in web-llm's model list, nor one of your added models.`,
      'Pick a model from the list, or add it again with its model address and library (.wasm).',
    );
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
        ? msg
        : `${model} could not be loaded: ${sentence(msg) || 'the files are not a usable model.'}`,
      context.backend === 'webllm'
        ? 'Check the model address and its model library (.wasm): both must be full https:// addresses of an MLC-compiled model.'
        : 'Check that the file is a GGUF model (llama.cpp format), complete and not renamed.',
    );
  }
  return info(
    'unknown',
    `Something went wrong${context.modelId ? ` with "${context.modelId}"` : ''}: ${sentence(msg || name) || 'unknown error.'}`,
    'Retry. If it keeps failing, reload the page, or try another model or engine.',
  );
}

const corsAdvice =
  'Use a server that allows downloads from other sites (Hugging Face does), or download the file and open it from this computer.';

function corsMessage(from: string): string {
  return (
    `The model could not be downloaded${from}. Most often the server does not allow downloads ` +
    'from other sites (CORS); it may also be down, or you may be offline.'
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
