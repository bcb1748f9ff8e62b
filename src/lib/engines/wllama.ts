import {
  Wllama,
  type ChatCompletionChunk,
  type ChatCompletionResponse,
  type RawCompletionChunk,
  type RawCompletionResponse,
} from '@wllama/wllama';
import wllamaWasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { defaultThreads } from './device';
import { letterGrammar, normaliseLetterProbs } from './letters';
import type {
  Engine,
  EngineDescription,
  GenerateRequest,
  GenerateResult,
  LoadProgress,
  ModelSpec,
  Prompt,
  ScoreLettersRequest,
  ScoreLettersResult,
  Timings,
} from './types';

type WllamaSpec = Extract<ModelSpec, { backend: 'wllama' }>;

/** wllama 3.8.1's worker dies on invalid UTF-8 in a response with this RangeError. */
export function isUtf8Crash(err: unknown): boolean {
  // wllama re-throws it from its own worker, so only the message survives reliably.
  const e = err as { message?: string } | null;
  return /Invalid typed array length/.test(e?.message ?? '');
}

export class EngineRecoveredError extends Error {
  override name = 'EngineRecoveredError';
}

/**
 * llama.cpp in WebAssembly (CPU, or WebGPU when the model spec asks for it).
 * Requests never set `cache_prompt`, so the same request twice is bit-identical.
 */
export class WllamaEngine implements Engine {
  private wllama: Wllama | null = null;
  private spec: WllamaSpec | null = null;
  private blobs: Blob[] | null = null;
  private abort: AbortController | null = null;
  private description: EngineDescription = { backend: 'wllama', model: null, device: 'CPU' };

  async load(
    model: ModelSpec,
    onProgress: (p: LoadProgress) => void,
    signal: AbortSignal,
  ): Promise<EngineDescription> {
    if (model.backend !== 'wllama') throw new Error('WllamaEngine loads GGUF models only');
    await this.unload();
    this.spec = model;
    const wllama = this.create();
    const threads = this.threadsFor(model);
    const params = {
      n_ctx: model.contextSize ?? 2048,
      n_threads: threads,
      n_gpu_layers: model.device === 'webgpu' ? 99999 : 0,
      // llama.cpp's warm-up decode only pre-touches memory; skipping it makes loading faster
      // and keeps the CPU free for the page at the moment the model becomes ready.
      warmup: false,
    };
    if (model.files?.length) {
      onProgress({
        phase: 'init',
        fraction: null,
        loadedBytes: null,
        totalBytes: null,
        text: 'Reading the local file',
      });
      this.blobs = model.files;
      await wllama.loadModel(model.files, params);
    } else if (model.url) {
      await wllama.loadModelFromUrl(model.url, {
        ...params,
        signal,
        useCache: true,
        progressCallback: ({ loaded, total }) =>
          onProgress({
            phase: 'download',
            fraction: total > 0 ? loaded / total : null,
            loadedBytes: loaded,
            totalBytes: total > 0 ? total : null,
            text: 'Downloading the model',
          }),
      });
    } else throw new Error('a GGUF model needs a URL or a local file');
    if (signal.aborted) {
      await this.unload();
      throw Object.assign(new Error('Model loading cancelled.'), { name: 'AbortError' });
    }
    this.wllama = wllama;
    const info = wllama.getLoadedContextInfo();
    this.description = {
      backend: 'wllama',
      model: model.label ?? model.id,
      device:
        model.device === 'webgpu'
          ? 'WebGPU (llama.cpp)'
          : `CPU (WebAssembly), ${wllama.getNumThreads()} thread(s)`,
      threads: wllama.isMultithread() ? wllama.getNumThreads() : 1,
      contextSize: info.n_ctx,
    };
    return this.description;
  }

  async unload(): Promise<void> {
    const w = this.wllama;
    this.wllama = null;
    this.description = { backend: 'wllama', model: null, device: 'CPU' };
    if (w) await w.exit().catch(() => {});
  }

  describe(): EngineDescription {
    return this.description;
  }

  interrupt(): void {
    this.abort?.abort();
  }

  async scoreLetters(req: ScoreLettersRequest): Promise<ScoreLettersResult> {
    const started = performance.now();
    // Grammar-constrained, post-sampling probabilities list only the allowed letters, so no
    // byte token (and no invalid UTF-8) can appear in the response.
    const options = {
      max_tokens: 1,
      temperature: 1,
      top_k: 0,
      top_p: 1,
      min_p: 0,
      seed: req.seed ?? 0,
      grammar: letterGrammar(req.letters),
      logprobs: true,
      top_logprobs: Math.min(req.letters.length, 20),
      n_probs: Math.min(req.letters.length, 20),
      post_sampling_probs: true,
      cache_prompt: false,
    };
    const response = await this.guarded(() => this.complete(req.prompt, options));
    const entries = topProbs(response);
    return {
      probs: normaliseLetterProbs(req.letters, entries),
      promptTokens: response.usage?.prompt_tokens ?? 0,
      timings: timingsOf(response, started),
    };
  }

  async generate(
    req: GenerateRequest,
    onText?: (textSoFar: string) => void,
  ): Promise<GenerateResult> {
    const started = performance.now();
    this.abort = new AbortController();
    const options = {
      max_tokens: req.maxTokens,
      temperature: req.temperature,
      seed: req.seed ?? 0,
      stop: req.stop,
      cache_prompt: false,
      abortSignal: this.abort.signal,
      ...(req.grammar ? { grammar: req.grammar } : {}),
      ...(req.logitBias
        ? { logit_bias: Object.entries(req.logitBias).map(([k, v]) => [Number(k), v]) }
        : {}),
    };
    try {
      const response = await this.guarded(() =>
        onText ? this.stream(req.prompt, options, onText) : this.complete(req.prompt, options),
      );
      const choice = response.choices[0] as {
        text?: string;
        message?: { content?: string | null };
        finish_reason: string | null;
      };
      return {
        text: choice.message?.content ?? choice.text ?? '',
        finishReason: choice.finish_reason === 'length' ? 'length' : 'stop',
        promptTokens: response.usage?.prompt_tokens ?? 0,
        completionTokens: response.usage?.completion_tokens ?? 0,
        timings: timingsOf(response, started),
      };
    } catch (err) {
      if (this.abort.signal.aborted) {
        return {
          text: '',
          finishReason: 'interrupted',
          promptTokens: 0,
          completionTokens: 0,
          timings: timingsOf(null, started),
        };
      }
      throw err;
    } finally {
      this.abort = null;
    }
  }

  private async complete(
    prompt: Prompt,
    options: Record<string, unknown>,
  ): Promise<ChatCompletionResponse | RawCompletionResponse> {
    const w = this.wllama;
    if (!w) throw new Error('No model is loaded.');
    if ('messages' in prompt) {
      return w.createChatCompletion({
        ...options,
        messages: prompt.messages,
        stream: false,
      } as Parameters<Wllama['createChatCompletion']>[0] & { stream: false });
    }
    return w.createCompletion({ ...options, prompt: prompt.raw, stream: false } as Parameters<
      Wllama['createCompletion']
    >[0] & { stream: false });
  }

  /**
   * The same request streamed: chunks are added up into the shape of a whole response (text,
   * finish reason, the last chunk's usage and timings).
   */
  private async stream(
    prompt: Prompt,
    options: Record<string, unknown>,
    onText: (textSoFar: string) => void,
  ): Promise<RawCompletionResponse> {
    const w = this.wllama;
    if (!w) throw new Error('No model is loaded.');
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let last: { usage?: unknown; timings?: unknown } = {};
    const onData = (chunk: RawCompletionChunk | ChatCompletionChunk) => {
      const choice = chunk.choices[0] as
        | { text?: string; delta?: { content?: string | null }; finish_reason: string | null }
        | undefined;
      const piece = choice?.delta?.content ?? choice?.text ?? '';
      if (piece) {
        text += piece;
        chunks++;
        onText(text);
      }
      finish = choice?.finish_reason ?? finish;
      last = { usage: chunk.usage ?? last.usage, timings: chunk.timings ?? last.timings };
    };
    // llama.cpp puts the token counts in the last chunk only when asked to.
    const streamed = {
      ...options,
      stream: true as const,
      stream_options: { include_usage: true },
      onData,
    };
    if ('messages' in prompt) {
      await w.createChatCompletion({
        ...streamed,
        messages: prompt.messages,
      } as unknown as Parameters<Wllama['createChatCompletion']>[0] & {
        stream: true;
        onData: (c: ChatCompletionChunk) => void;
      });
    } else {
      await w.createCompletion({ ...streamed, prompt: prompt.raw } as unknown as Parameters<
        Wllama['createCompletion']
      >[0] & { stream: true; onData: (c: RawCompletionChunk) => void });
    }
    // Without usage, llama.cpp's timings still count the prompt and the predicted tokens.
    const timings = last.timings as { prompt_n?: number; predicted_n?: number } | undefined;
    const promptTokens = timings?.prompt_n ?? 0;
    const completionTokens = timings?.predicted_n ?? chunks;
    const usage = (last.usage as RawCompletionResponse['usage'] | undefined) ?? {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    return {
      choices: [{ text, finish_reason: finish }],
      usage,
      timings: last.timings,
    } as unknown as RawCompletionResponse;
  }

  /**
   * Run a request; if wllama's worker dies on invalid UTF-8, start a fresh instance with the
   * same model (from its cache or the same local file) and report the crash, so that a long
   * run can record this question and go on.
   */
  private async guarded<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (!isUtf8Crash(err) || !this.spec) throw err;
      const spec = this.spec;
      const files = this.blobs;
      this.wllama = null;
      await this.load(files ? { ...spec, files } : spec, () => {}, new AbortController().signal);
      throw new EngineRecoveredError(
        'The engine crashed on output that is not valid UTF-8 (a known wllama 3.8.1 bug) and was restarted with the same model.',
      );
    }
  }

  private create(): Wllama {
    return new Wllama({ default: wllamaWasmUrl }, { suppressNativeLog: true, allowOffline: true });
  }

  private threadsFor(model: WllamaSpec): number {
    const cores = navigator.hardwareConcurrency || 1;
    if (!globalThis.crossOriginIsolated) return 1;
    return Math.max(1, Math.min(model.threads ?? defaultThreads(cores), cores));
  }
}

/** Post-sampling probabilities of the first generated token, from either response shape. */
function topProbs(response: unknown): { token: string; prob: number }[] {
  const choice = (response as { choices?: { logprobs?: unknown }[] }).choices?.[0];
  const logprobs = choice?.logprobs as
    | {
        content?: {
          top_probs?: { token: string; prob: number }[];
          top_logprobs?: { token: string; logprob: number }[];
        }[];
      }
    | undefined;
  const first = logprobs?.content?.[0];
  if (first?.top_probs?.length) return first.top_probs;
  if (first?.top_logprobs?.length) {
    return first.top_logprobs.map((t) => ({ token: t.token, prob: Math.exp(t.logprob) }));
  }
  const raw = (
    response as { completion_probabilities?: { top_probs?: { token: string; prob: number }[] }[] }
  ).completion_probabilities?.[0]?.top_probs;
  if (raw?.length) return raw;
  throw new Error('wllama returned no token probabilities');
}

interface ResponseTimings {
  prompt_ms?: number;
  prompt_per_second?: number;
  predicted_per_second?: number;
}

function timingsOf(response: object | null, started: number): Timings {
  const t = (response as { timings?: ResponseTimings } | null)?.timings;
  return {
    timeToFirstTokenMs: t?.prompt_ms ?? null,
    prefillTokensPerSecond: t?.prompt_per_second ?? null,
    decodeTokensPerSecond: t?.predicted_per_second ?? null,
    totalMs: performance.now() - started,
  };
}
