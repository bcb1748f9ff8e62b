/**
 * Metrics registered by name, in the manner of lm-evaluation-harness: a name, the pure
 * function, whether higher is better, and a one-line description. The protocols are registered
 * alongside (`PROTOCOLS`, see `protocols.ts`).
 */
import { computeBleu } from './bleu';
import { brierScore, expectedCalibrationError } from './calibration';
import { accuracy, precisionRecallFscoreWeighted, weightedF1 } from './classification';
import { compareRuns } from './compare';
import { mcnemarExact, wilson } from './numeric';
import { rougeCorpus, rougeL, rougeN } from './rouge';
import { charTokens } from './tokens';

export interface MetricEntry<F> {
  name: string;
  fn: F;
  /** null where "better" does not apply (intervals, tests, tokenizers). */
  higherIsBetter: boolean | null;
  description: string;
}

function entry<F>(
  name: string,
  fn: F,
  higherIsBetter: boolean | null,
  description: string,
): MetricEntry<F> {
  return { name, fn, higherIsBetter, description };
}

export const METRICS = {
  accuracy: entry('accuracy', accuracy, true, 'Exact match of answer strings (fraction).'),
  weighted_f1: entry(
    'weighted_f1',
    weightedF1,
    true,
    "scikit-learn precision_recall_fscore_support(average='weighted') F over answer strings.",
  ),
  weighted_prf: entry(
    'weighted_prf',
    precisionRecallFscoreWeighted,
    true,
    'Weighted precision, recall and F with per-label detail.',
  ),
  bleu: entry(
    'bleu',
    computeBleu,
    true,
    'tensorflow/nmt compute_bleu: corpus BLEU, clipped counts, brevity penalty, no smoothing.',
  ),
  rouge_n: entry('rouge_n', rougeN, true, 'nmt rouge_n: F/P/R over sets of unique n-grams.'),
  rouge_l: entry('rouge_l', rougeL, true, 'nmt rouge_l_sentence_level: LCS F with beta = P/R.'),
  rouge: entry('rouge', rougeCorpus, true, 'nmt rouge(): per-pair ROUGE-1/2/L averaged (np.mean).'),
  char_tokens: entry(
    'char_tokens',
    charTokens,
    null,
    "CMExam character tokens: ' '.join(list(text)).split() (bleu) or .split(' ') (rouge).",
  ),
  wilson: entry('wilson', wilson, null, 'Wilson score interval (95% by default).'),
  mcnemar_exact: entry(
    'mcnemar_exact',
    mcnemarExact,
    null,
    "McNemar's exact test: two-sided binomial p on the discordant pairs.",
  ),
  compare_runs: entry(
    'compare_runs',
    compareRuns,
    null,
    'Paired correctness of two runs with the McNemar exact p.',
  ),
  ece: entry(
    'ece',
    expectedCalibrationError,
    false,
    'Expected calibration error, equal-width bins over the top option probability.',
  ),
  brier: entry('brier', brierScore, false, 'Brier score of one question, multi-hot gold.'),
} as const;

export type MetricName = keyof typeof METRICS;

export function getMetric<N extends MetricName>(name: N): (typeof METRICS)[N] {
  return METRICS[name];
}
