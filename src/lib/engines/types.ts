/** What evaluation code needs from an inference backend, whatever it is. */

export type Backend = 'webllm' | 'wllama';

/** A model the user can load. `id` is stable and used in run specs and links. */
export type ModelSpec =
  | {
      backend: 'webllm';
      /** web-llm's model_id, e.g. `Qwen2.5-0.5B-Instruct-q4f32_1-MLC`. */
      id: string;
      /** For custom MLC models: absolute model URL (web-llm appends `resolve/main/`) and wasm URL. */
      modelUrl?: string;
      modelLibUrl?: string;
      label?: string;
    }
  | {
      backend: 'wllama';
      id: string;
      /** One URL, or the first of split files `…-00001-of-0000N.gguf`. */
      url?: string;
      /** A local file, read in place and never uploaded. */
      files?: Blob[];
      label?: string;
      /** Threads for the CPU path; capped by `hardwareConcurrency` and cross-origin isolation. */
      threads?: number;
      contextSize?: number;
      /** `cpu` (default: deterministic, works everywhere) or `webgpu` (llama.cpp's WebGPU path). */
      device?: 'cpu' | 'webgpu';
    };

export type LoadPhase = 'download' | 'cache' | 'compile' | 'init';

export interface LoadProgress {
  phase: LoadPhase;
  /** 0–1 within the phase, when known. */
  fraction: number | null;
  loadedBytes: number | null;
  totalBytes: number | null;
  text: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A prompt is chat messages (the engine applies the model's template) or raw text. */
export type Prompt = { messages: ChatMessage[] } | { raw: string };

export interface ScoreLettersRequest {
  prompt: Prompt;
  /** Allowed next tokens, e.g. the question's own option letters `['A','B','C','D']`. */
  letters: string[];
  seed?: number;
}

export interface Timings {
  /** Milliseconds from request to first token. */
  timeToFirstTokenMs: number | null;
  prefillTokensPerSecond: number | null;
  decodeTokensPerSecond: number | null;
  totalMs: number;
}

export interface ScoreLettersResult {
  /** A probability for every allowed letter; they sum to 1. */
  probs: Record<string, number>;
  promptTokens: number;
  timings: Timings;
}

export interface GenerateRequest {
  prompt: Prompt;
  maxTokens: number;
  temperature: number;
  seed?: number;
  stop?: string[];
  /** A GBNF grammar the output must follow (e.g. an ordered set of option letters). */
  grammar?: string;
  /** Token id → additive bias, for experiments (wllama only). */
  logitBias?: Record<number, number>;
}

export interface GenerateResult {
  text: string;
  finishReason: 'stop' | 'length' | 'interrupted';
  promptTokens: number;
  completionTokens: number;
  timings: Timings;
}

export interface EngineDescription {
  backend: Backend;
  model: string | null;
  /** e.g. `wllama CPU, 2 threads` or `WebGPU: nvidia ampere`. */
  device: string;
  threads?: number;
  contextSize?: number;
}

export interface Engine {
  load(
    model: ModelSpec,
    onProgress: (p: LoadProgress) => void,
    signal: AbortSignal,
  ): Promise<EngineDescription>;
  unload(): Promise<void>;
  scoreLetters(req: ScoreLettersRequest): Promise<ScoreLettersResult>;
  /**
   * `onText`, when given, receives the text so far as tokens come (streaming); the result is
   * the same as without it.
   */
  generate(req: GenerateRequest, onText?: (textSoFar: string) => void): Promise<GenerateResult>;
  interrupt(): void;
  describe(): EngineDescription;
}
