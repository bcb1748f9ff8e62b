import {
  MLCEngine,
  prebuiltAppConfig,
  type AppConfig,
  type ChatCompletionMessageParam,
  type ChatCompletionRequestNonStreaming,
  type ChatCompletionRequestStreaming,
  type ChatCompletionTokenLogprob,
  type CompletionCreateParamsNonStreaming,
  type CompletionCreateParamsStreaming,
  type CompletionUsage,
  type InitProgressReport,
  type ModelRecord,
} from '@mlc-ai/web-llm';
import {
  InvalidModelUrlError,
  modelFilesBase,
  normaliseMlcModelUrl,
  normaliseModelLibUrl,
  requiresShaderF16,
} from './catalog';
import { ModelFetchError } from './errors';
import { WEBLLM_RUNTIME, type WebLlmRuntimeFacts } from './webllm-runtime';
import { letterGrammar, normaliseLetterProbs } from './letters';
import { msg } from '../i18n/translate';
import type {
  ChatMessage,
  Engine,
  EngineDescription,
  GenerateRequest,
  GenerateResult,
  LoadPhase,
  LoadProgress,
  ModelSpec,
  ScoreLettersRequest,
  ScoreLettersResult,
  Timings,
} from './types';

type WebLlmSpec = Extract<ModelSpec, { backend: 'webllm' }>;

/** web-llm refuses `top_logprobs` above 5 (RangeError "Make sure 0 < top_logprobs <= 5"). */
const MAX_TOP_LOGPROBS = 5;
const MiB = 2 ** 20;

/**
 * MLC models on WebGPU through web-llm's `MLCEngine`, run directly in our engine worker.
 *
 * Letter scoring reads the probabilities web-llm computes for the first generated token. With a
 * grammar (chat prompts), the disallowed tokens are masked before the softmax, so the top 5
 * entries are the allowed letters' exact probabilities. See `scoreLetters` for the limits.
 */
export class WebLlmEngine implements Engine {
  private engine: MLCEngine | null = null;
  private spec: WebLlmSpec | null = null;
  private loading = false;
  private device = 'WebGPU';
  /** Requests run one at a time, each on a fresh conversation (see `serial`). */
  private queue: Promise<void> = Promise.resolve();

  async load(
    model: ModelSpec,
    onProgress: (p: LoadProgress) => void,
    signal: AbortSignal,
  ): Promise<EngineDescription> {
    if (model.backend !== 'webllm') throw new Error('WebLlmEngine loads MLC models only');
    if (this.loading) {
      throw new Error('Another model is loading. Cancel it first, or wait for it to finish.');
    }
    if (signal.aborted) throw abortError();
    this.loading = true;
    try {
      await this.unload();
      const appConfig = appConfigFor(model);
      const record = appConfig.model_list.find((r) => r.model_id === model.id);
      // Fail before downloading anything when this GPU cannot run the model at all.
      this.device = await checkGpu(record ? requiresShaderF16(record) : false);
      if (signal.aborted) throw abortError();
      // Not "download": web-llm reads the configuration and library from its cache when it can.
      onProgress({
        phase: 'init',
        fraction: null,
        loadedBytes: null,
        totalBytes: null,
        text: 'Reading the model configuration and library',
      });
      const engine = new MLCEngine({
        appConfig,
        logLevel: 'WARN',
        initProgressCallback: (report) => onProgress(parseWebLlmProgress(report)),
      });
      this.engine = engine;
      // unload() aborts web-llm's in-flight downloads; reload() then *resolves* (web-llm logs
      // "Reload() is aborted."), so cancellation is detected from the signal below.
      const cancel = () => void engine.unload();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        await engine.reload(model.id);
      } catch (err) {
        if (signal.aborted) throw abortError();
        throw await explainFailure(err, record, signal);
      } finally {
        signal.removeEventListener('abort', cancel);
      }
      // Steps without an abort signal (tokenizer, shader compilation) run to the end even when
      // cancelled; unload what they built.
      if (signal.aborted) throw abortError();
      this.spec = model;
      return this.describe();
    } catch (err) {
      await this.unload();
      throw err;
    } finally {
      this.loading = false;
    }
  }

  async unload(): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    this.spec = null;
    if (engine) await engine.unload().catch(() => {});
  }

  describe(): EngineDescription {
    return {
      backend: 'webllm',
      model: this.spec ? (this.spec.label ?? this.spec.id) : null,
      device: this.device,
    };
  }

  interrupt(): void {
    // Only stops the request running now: the flag is cleared when a request starts.
    void this.engine?.interruptGenerate();
  }

  /**
   * Probabilities of the allowed letters as the next token.
   *
   * - Chat prompts: a grammar allows only the given letters, and web-llm applies it before the
   *   softmax, so every allowed letter is among the top 5 (web-llm's maximum) whenever there are
   *   at most 5 letters (CMExam has A–E). With 6 or more letters, those outside the top 5 get 0.
   *   A letter may appear twice (e.g. a byte-fallback token); the entries are summed.
   * - Raw prompts: web-llm's text completion takes no grammar, so these are the top 5 tokens of
   *   the whole vocabulary; letters not among them get 0, and if none is there this throws.
   */
  scoreLetters(req: ScoreLettersRequest): Promise<ScoreLettersResult> {
    return this.serial(async (engine, modelId) => {
      const started = performance.now();
      const sampling = {
        max_tokens: 1,
        // Temperature 1 and no penalties: the reported probabilities are the model's own.
        temperature: 1,
        top_p: 1,
        repetition_penalty: 1,
        frequency_penalty: 0,
        presence_penalty: 0,
        logprobs: true,
        top_logprobs: MAX_TOP_LOGPROBS,
        seed: req.seed,
      };
      const response =
        'messages' in req.prompt
          ? await engine.chat.completions.create({
              ...sampling,
              messages: toMessages(req.prompt.messages),
              response_format: { type: 'grammar', grammar: letterGrammar(req.letters) },
              ...thinkingOff(modelId),
            } satisfies ChatCompletionRequestNonStreaming)
          : await engine.completions.create({
              ...sampling,
              prompt: req.prompt.raw,
            } satisfies CompletionCreateParamsNonStreaming);
      const first: ChatCompletionTokenLogprob | undefined =
        response.choices[0]?.logprobs?.content?.[0];
      if (!first) throw new Error('web-llm returned no token probabilities');
      const entries = first.top_logprobs.map((t) => ({
        token: t.token,
        prob: Math.exp(t.logprob),
      }));
      return {
        probs: normaliseLetterProbs(req.letters, entries),
        promptTokens: response.usage?.prompt_tokens ?? 0,
        timings: timingsOf(response.usage, started),
      };
    });
  }

  generate(req: GenerateRequest, onText?: (textSoFar: string) => void): Promise<GenerateResult> {
    return this.serial(async (engine, modelId) => {
      const started = performance.now();
      const options = {
        max_tokens: req.maxTokens,
        temperature: req.temperature,
        seed: req.seed,
        stop: req.stop?.length ? req.stop : undefined,
      };
      let text = '';
      let finish: string | null | undefined;
      let usage: CompletionUsage | undefined;
      if ('messages' in req.prompt) {
        const chat = {
          ...options,
          messages: toMessages(req.prompt.messages),
          ...(req.grammar
            ? { response_format: { type: 'grammar' as const, grammar: req.grammar } }
            : {}),
          ...thinkingOff(modelId),
        };
        if (onText) {
          const chunks = await engine.chat.completions.create({
            ...chat,
            stream: true,
            stream_options: { include_usage: true },
          } satisfies ChatCompletionRequestStreaming);
          for await (const chunk of chunks) {
            const piece = chunk.choices[0]?.delta.content ?? '';
            if (piece) {
              text += piece;
              onText(text.replace(/^<think>\s*<\/think>\s*/, ''));
            }
            finish = chunk.choices[0]?.finish_reason ?? finish;
            usage = chunk.usage ?? usage;
          }
        } else {
          const r = await engine.chat.completions.create(
            chat satisfies ChatCompletionRequestNonStreaming,
          );
          text = r.choices[0]?.message.content ?? '';
          finish = r.choices[0]?.finish_reason;
          usage = r.usage;
        }
        // With thinking off, web-llm puts the empty think block into the reply itself.
        text = text.replace(/^<think>\s*<\/think>\s*/, '');
      } else if (onText) {
        const chunks = await engine.completions.create({
          ...options,
          prompt: req.prompt.raw,
          stream: true,
          stream_options: { include_usage: true },
        } satisfies CompletionCreateParamsStreaming);
        for await (const chunk of chunks) {
          const piece = chunk.choices[0]?.text ?? '';
          if (piece) {
            text += piece;
            onText(text);
          }
          finish = chunk.choices[0]?.finish_reason ?? finish;
          usage = chunk.usage ?? usage;
        }
      } else {
        const r = await engine.completions.create({
          ...options,
          prompt: req.prompt.raw,
        } satisfies CompletionCreateParamsNonStreaming);
        text = r.choices[0]?.text ?? '';
        finish = r.choices[0]?.finish_reason;
        usage = r.usage;
      }
      return {
        text,
        finishReason: finish === 'length' ? 'length' : finish === 'abort' ? 'interrupted' : 'stop',
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: completionTokensOf(usage),
        timings: timingsOf(usage, started),
      };
    });
  }

  /**
   * One request at a time, each starting from an empty conversation: web-llm would otherwise
   * reuse the KV cache when a request extends the previous chat, and results would depend on
   * the order questions are asked in.
   */
  private serial<T>(fn: (engine: MLCEngine, modelId: string) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const engine = this.engine;
      const spec = this.spec;
      if (!engine || !spec) throw new Error('No model is loaded.');
      clearInterrupt(engine);
      await engine.resetChat();
      return fn(engine, spec.id);
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/**
 * Clears a stop asked of an earlier request. web-llm 0.2.86 does this itself when a request
 * starts; 0.2.79 clears it only in streaming requests, so after a stopped generation every
 * non-streaming request (a letter's probabilities) came back empty at once. The flag is not part
 * of web-llm's typed API, hence the check.
 */
function clearInterrupt(engine: MLCEngine): void {
  const flags = engine as unknown as { interruptSignal?: unknown };
  if (typeof flags.interruptSignal === 'boolean') flags.interruptSignal = false;
}

/** Qwen3 (and Qwen3.5) think before answering unless told not to; web-llm supports the switch. */
function thinkingOff(modelId: string): { extra_body?: { enable_thinking: false } } {
  return /^Qwen3/i.test(modelId) ? { extra_body: { enable_thinking: false } } : {};
}

function toMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'assistant':
        return { role: 'assistant', content: m.content };
      default:
        return { role: 'user', content: m.content };
    }
  });
}

/** Tokens the model produced, whichever way the web-llm release counts them. */
export function completionTokensOf(
  usage: Pick<CompletionUsage, 'prompt_tokens' | 'completion_tokens'> | undefined,
  runtime: WebLlmRuntimeFacts = WEBLLM_RUNTIME,
): number {
  if (!usage) return 0;
  // Any request that prefilled produced the first token; old releases leave it out.
  const first = runtime.completionTokensAreDecodeSteps && usage.prompt_tokens > 0 ? 1 : 0;
  return usage.completion_tokens + first;
}

function timingsOf(usage: CompletionUsage | undefined, started: number): Timings {
  const x = usage?.extra;
  // web-llm reports 0 (or NaN) when a phase did not run, e.g. decoding for a 1-token answer.
  const positive = (v: number | undefined) =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
  const ttft = positive(x?.time_to_first_token_s);
  return {
    timeToFirstTokenMs: ttft === null ? null : ttft * 1000,
    prefillTokensPerSecond: positive(x?.prefill_tokens_per_s),
    decodeTokensPerSecond: positive(x?.decode_tokens_per_s),
    totalMs: performance.now() - started,
  };
}

function abortError(): Error {
  return Object.assign(new Error('Model loading cancelled.'), { name: 'AbortError' });
}

/**
 * web-llm's prebuilt list, plus a record for a custom model. q4f16 records that do not declare
 * shader-f16 get it added, so web-llm refuses them with ShaderF16SupportError before
 * downloading weights instead of failing later in a shader.
 */
export function appConfigFor(spec: WebLlmSpec): AppConfig {
  const withF16 = (r: ModelRecord): ModelRecord =>
    requiresShaderF16(r) && !(r.required_features ?? []).includes('shader-f16')
      ? { ...r, required_features: [...(r.required_features ?? []), 'shader-f16'] }
      : r;
  const list = prebuiltAppConfig.model_list.map(withF16);
  if (spec.modelUrl === undefined && spec.modelLibUrl === undefined) {
    return { ...prebuiltAppConfig, model_list: list };
  }
  if (!spec.modelUrl || !spec.modelLibUrl) {
    throw new InvalidModelUrlError(msg('mlcNeedsBothUrls'));
  }
  const record: ModelRecord = withF16({
    model: normaliseMlcModelUrl(spec.modelUrl),
    model_id: spec.id,
    model_lib: normaliseModelLibUrl(spec.modelLibUrl),
  });
  return {
    ...prebuiltAppConfig,
    model_list: [...list.filter((r) => r.model_id !== spec.id), record],
  };
}

/**
 * web-llm restarts `progress` at each phase; the phase is read from its text:
 * - `Start to fetch params` (before a download or a load from the cache)
 * - `Fetching param cache[3/24]: 120MB fetched. 12% completed, …`
 * - `Loading model from cache[3/24]: 120MB loaded. 12% completed, …`
 * - `Loading GPU shader modules[40/180]: 22% completed, …`
 * - `Finish loading on WebGPU - <GPU>`
 * Byte counts are web-llm's whole-MiB figures (rounded up), so they are approximate.
 */
export function parseWebLlmProgress(report: InitProgressReport): LoadProgress {
  const text = report.text;
  let phase: LoadPhase = 'init';
  // "Start to fetch params" comes before loading from the cache too: only "Fetching" downloads.
  if (/^Fetching param cache/.test(text)) phase = 'download';
  else if (/^Loading model from cache/.test(text)) phase = 'cache';
  else if (/^Loading GPU shader modules/.test(text)) phase = 'compile';
  const p = report.progress;
  const fraction = Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : null;
  const mb = /(\d+)MB (?:fetched|loaded)/.exec(text);
  const loadedBytes = mb ? Number(mb[1]) * MiB : null;
  const totalBytes = loadedBytes !== null && fraction ? Math.round(loadedBytes / fraction) : null;
  return { phase, fraction, loadedBytes, totalBytes, text };
}

/** Throws the errors web-llm would, before any download; returns the device description. */
async function checkGpu(needsF16: boolean): Promise<string> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw Object.assign(new Error('WebGPU is not available in this browser.'), {
      name: 'WebGPUNotAvailableError',
    });
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('No WebGPU adapter was found.');
  if (needsF16 && !adapter.features.has('shader-f16')) {
    throw Object.assign(
      new Error('This model requires WebGPU extension shader-f16, which this GPU lacks.'),
      { name: 'ShaderF16SupportError' },
    );
  }
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const what = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown GPU';
  const detail = info.description ? ` (${info.description})` : '';
  return `WebGPU: ${what}${detail}${info.isFallbackAdapter ? ', software fallback' : ''}`;
}

/**
 * web-llm's download errors name neither the address nor the status ("Failed to execute 'add'
 * on 'Cache': Request failed", "Failed to fetch"), so ask the server again, in web-llm's order,
 * and report the first file that fails.
 */
async function explainFailure(
  err: unknown,
  record: ModelRecord | undefined,
  signal: AbortSignal,
): Promise<unknown> {
  const e = err as { name?: string; message?: string };
  const message = e?.message ?? '';
  const download = /Failed to execute 'add' on 'Cache'|Failed to fetch/.test(message);
  // A wasm URL containing "localhost" is fetched without a status check: a 404 page then fails
  // to compile.
  const badWasm = e?.name === 'CompileError';
  if (!record || signal.aborted) return err;
  const base = modelFilesBase(record.model);
  const probe = async (url: string): Promise<Response | ModelFetchError> => {
    try {
      const res = await fetch(url, { cache: 'no-store', signal });
      if (!res.ok) {
        void res.body?.cancel();
        return new ModelFetchError(url, res.status);
      }
      return res;
    } catch {
      return new ModelFetchError(url, null);
    }
  };
  try {
    if (e?.name === 'SyntaxError') {
      // web-llm parses two JSON files itself: mlc-chat-config.json, then the weight index.
      const configUrl = new URL('mlc-chat-config.json', base).href;
      const config = await probe(configUrl);
      const configOk = !(config instanceof ModelFetchError) && isJson(await config.text());
      const url = configOk ? new URL(WEBLLM_RUNTIME.weightIndexFile, base).href : configUrl;
      return Object.assign(new Error(`${url} is not valid JSON (${message})`), {
        name: 'SyntaxError',
      });
    }
    if (!download && !badWasm) return err;
    if (badWasm) {
      const lib = await probe(record.model_lib);
      if (lib instanceof ModelFetchError) return lib;
      void lib.body?.cancel();
      return err;
    }
    const config = await probe(new URL('mlc-chat-config.json', base).href);
    if (config instanceof ModelFetchError) return config;
    const files = ((await config.json().catch(() => ({}))) as { tokenizer_files?: string[] })
      .tokenizer_files;
    const lib = await probe(record.model_lib);
    if (lib instanceof ModelFetchError) return lib;
    void lib.body?.cancel();
    const tokenizer = ['tokenizer.json', 'tokenizer.model'].find((f) => files?.includes(f));
    for (const file of [tokenizer, WEBLLM_RUNTIME.weightIndexFile]) {
      if (!file) continue;
      const res = await probe(new URL(file, base).href);
      if (res instanceof ModelFetchError) return res;
      void res.body?.cancel();
    }
  } catch {
    // Diagnosis is best effort: keep web-llm's own error.
  }
  return err;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
