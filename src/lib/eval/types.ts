/** The evaluation pipeline's shared vocabulary: run specs, prompts, extracted answers. */
import type { ChatMessage } from '../engines/types';

/**
 * `choice`: next-letter probabilities; `generate`: free text, then the answer letters read
 * from it; `open`: free text for open items (no options), stored whole and scored as text.
 */
export type Method = 'choice' | 'generate' | 'open';
export type PromptStyle = 'zero-shot' | 'few-shot' | 'cot' | 'icp';
/** How multi-answer questions are handled by the `choice` method. */
export type MultiAnswerPolicy = 'skip' | 'constrained';
export type ExtractionRule = 'layered' | 'cmexam';

/** Which questions of a split a run covers; applied in this order: filters, subset, shard. */
export interface SubsetSpec {
  /** Annotation column → allowed values (empty: no filter). */
  filters: Record<string, string[]>;
  mode: 'all' | 'first' | 'random' | 'stratified';
  /** For first/random/stratified. */
  n: number | null;
  /** For stratified: the annotation column to stratify by. */
  stratifyBy: string | null;
  /** 1-based shard index and shard count; `{ index: 1, count: 1 }` is everything. */
  shard: { index: number; count: number };
}

export interface GenerationSettings {
  maxTokens: number;
  temperature: number;
}

export interface RunSpec {
  /** `cmexam/test`, `custom/my-exam`, … */
  splitId: string;
  subset: SubsetSpec;
  /** A model reference (engines/model-ref.ts): catalog id, GGUF URL, `demo:tiny-random`… */
  model: string;
  engine: 'webllm' | 'wllama';
  /**
   * A custom MLC model's addresses (both or neither; only with `engine: 'webllm'`), so that
   * another browser can load it from a link. Absent for every other model, so their run ids
   * are unchanged.
   */
  modelUrl?: string;
  modelLibUrl?: string;
  method: Method;
  prompt: PromptStyle;
  /** Few-shot examples; 0 otherwise. */
  k: number;
  /** Split the few-shot examples come from (never the evaluated one). */
  shotsSplitId: string | null;
  multiAnswer: MultiAnswerPolicy;
  extraction: ExtractionRule;
  generation: GenerationSettings;
  seed: number;
  /**
   * Circular evaluation: each question is asked again under every rotation of its option
   * texts (k options: k engine answers). Absent (or false) is off, and then it is left out of
   * the canonical spec, so run ids without it are the ones from before it existed.
   */
  circular?: boolean;
}

/** A question as the pipeline sees it. */
export interface EvalQuestion {
  id: string;
  row: number;
  question: string;
  options: { key: string; text: string }[];
  answer: string;
  explanation: string;
  annotations: Record<string, string>;
  multi: boolean;
  /** Open items (answered by the `open` method): no options, references instead. */
  kind?: 'open';
  context?: string;
  references?: string[];
}

/** One prompt to send, versioned by the hash of its template text. */
export interface BuiltPrompt {
  messages: ChatMessage[];
  /** Stable id of the template text (sha-256, hex, first 16 chars). */
  templateHash: string;
}

export type ExtractionOutcome =
  | { status: 'parsed'; answer: string; rule: string }
  | { status: 'unparsed'; answer: ''; rule: null };
