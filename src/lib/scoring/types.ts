/**
 * The scoring core's vocabulary: what a scored answer looks like going in, and the results
 * object coming out. Result keys are snake_case because the object goes verbatim into the
 * exported results JSON.
 *
 * Everything in `src/lib/scoring/` is pure: no DOM, no IndexedDB, no globals. It runs in a
 * browser worker and in Node alike.
 */

/**
 * `cmexam-char`: CMExam's `src/evaluation/evaluate_lora_result.py` (the paper's numbers for the
 * fine-tuned models). `cmexam-jieba`: the `evaluation` function of
 * `src/evaluation/evaluate_gpt_result.py` (the GPT runs).
 */
export type ProtocolId = 'cmexam-char' | 'cmexam-jieba';

/** One answered question, as the run stored it. */
export interface ScoringRecord {
  questionId: string;
  /** 0-based data row in the source file. */
  row: number;
  /** Answer letters, alphabetical, e.g. `ABD` (`''` if the dataset gives none). */
  gold: string;
  /** Predicted letters; `''` when unparsed or error. */
  prediction: string;
  status: 'parsed' | 'unparsed' | 'error';
  /** The model's explanation; null when the method produced none. */
  explanation: string | null;
  /** The dataset's explanation; null or `''` when blank. */
  reference: string | null;
  /** Annotation column → value (CMExam: 5 columns; a user's dataset may add more). */
  annotations: Record<string, string>;
  /** Letter → probability (choice method), else null. */
  optionProbs: Record<string, number> | null;
  /** Circular evaluation: the answer under each rotation of the options (optional). */
  rotations?: { shift: number; prediction: string; correct: boolean }[];
}

/** Splits text into words (the jieba protocol's BLEU); injected, see `jieba.ts`. */
export type WordTokenizer = (text: string) => string[];

export interface ScoreOptions {
  protocol: ProtocolId;
  /** Required for `cmexam-jieba` (jieba's `cut(text, cut_all=False)`); unused otherwise. */
  wordTokenizer?: WordTokenizer;
  /** Annotation column whose values are difficulty levels; default `Difficulty level`. */
  difficultyKey?: string;
}

/** Headline numbers. Fractions in 0–1 for accuracy/F1; BLEU and ROUGE ×100 as in the paper. */
export interface ScoreMetrics {
  protocol: ProtocolId;
  /** Questions scored. */
  n: number;
  /** The protocol's headline accuracy: over all questions (char) or parsed ones (jieba). */
  accuracy: number;
  /** Wilson 95% interval on the headline accuracy. */
  accuracy_ci_low: number;
  accuracy_ci_high: number;
  /** Over all questions, an unparsed answer counting as wrong. */
  accuracy_all: number;
  /** Over parsed answers only. */
  accuracy_parsed: number;
  /** Correct answers (exact match of the letter string). */
  correct: number;
  /** scikit-learn `precision_recall_fscore_support(average='weighted')`, the protocol's rows. */
  weighted_precision: number;
  weighted_recall: number;
  weighted_f1: number;
  parsed: number;
  /** Not parsed, errors included. */
  unparsed: number;
  unparsed_rate: number;
  /** Records whose status is `error` (a subset of `unparsed`). */
  errors: number;
  /** Text metrics: null when no record has an explanation. */
  bleu1: number | null;
  bleu4: number | null;
  rouge1: number | null;
  rouge2: number | null;
  rougeL: number | null;
  /** Precision and recall of the ROUGE scores (×100), as `evaluate_gpt_result.py` prints them. */
  rouge1_p: number | null;
  rouge1_r: number | null;
  rouge2_p: number | null;
  rouge2_r: number | null;
  rougeL_p: number | null;
  rougeL_r: number | null;
  /** Rows that entered BLEU/ROUGE. */
  explanations_scored: number;
  /** Rows left out of BLEU/ROUGE (char: reference or explanation missing). */
  explanations_left_out: number;
}

export interface BreakdownCell {
  n: number;
  correct: number;
  accuracy: number;
  ci_low: number;
  ci_high: number;
  weighted_f1: number;
}

export interface BreakdownSummary {
  /** Correct over questions, pooled across the values. */
  micro_accuracy: number;
  /** Unweighted mean of the values' accuracies. */
  macro_accuracy: number;
  /** Unweighted mean of the values' weighted F1. */
  macro_weighted_f1: number;
  /** Number of values with at least one question. */
  values: number;
}

export interface DifficultyCell {
  n: number;
  correct: number;
  accuracy: number;
  ci_low: number;
  ci_high: number;
}

export interface CalibrationBin {
  lo: number;
  hi: number;
  n: number;
  /** Mean top probability in the bin; null when the bin is empty. */
  confidence: number | null;
  /** Fraction of the bin whose top letter is the gold answer; null when empty. */
  accuracy: number | null;
}

export interface Calibration {
  n: number;
  ece: number;
  brier: number;
  bins: CalibrationBin[];
}

export interface PositionBias {
  /** Single letters seen in gold answers or predictions, sorted. */
  letters: string[];
  /** Gold label → count (`multi` for multi-letter answers, `none` for a blank gold). */
  gold: Record<string, number>;
  /** Predicted label → count (`multi`, `unparsed`). */
  predicted: Record<string, number>;
  /** Gold label → predicted label → count, every observed label on both sides. */
  confusion: Record<string, Record<string, number>>;
}

export interface CircularResult {
  /** Number of distinct rotations (shift 0 included). */
  rotations: number;
  /** Shift → accuracy over the records evaluated under that shift. */
  accuracy_by_shift: Record<string, number>;
  /** Records correct under every rotation they were evaluated under. */
  all_correct: number;
  all_correct_rate: number;
}

export interface ScoreResult {
  metrics: ScoreMetrics;
  breakdowns: Record<string, Record<string, BreakdownCell>>;
  breakdown_summary: Record<string, BreakdownSummary>;
  /** Accuracy by difficulty level; null when the records carry no difficulty annotation. */
  difficulty: Record<string, DifficultyCell> | null;
  calibration: Calibration | null;
  position_bias: PositionBias;
  circular: CircularResult | null;
}

export interface CompareResult {
  n_paired: number;
  both_correct: number;
  only_a: number;
  only_b: number;
  both_wrong: number;
  /** McNemar's exact test, two-sided. */
  p_value: number;
  /** Question ids where exactly one run is correct, in run A's order. */
  disagreements: string[];
}
