/**
 * The metrics a protocol reports, registered by name in the manner of lm-evaluation-harness.
 * Metrics that share one pass over the records (BLEU and ROUGE share their tokens) are one
 * family; a protocol lists the metric names it reports (protocols.ts), and `scoreRecords`
 * resolves each name to its family here, runs each family once, and keeps what was named. A new
 * metric is a new family (or a new name in one), not a branch inside score.ts.
 */
import { answerMetrics } from './answer-metrics';
import type { ProtocolInfo } from './protocols';
import { textMetrics } from './text-metrics';
import type { ScoreMetrics, ScoringRecord, WordTokenizer } from './types';

/** Every metric a protocol can report (the fields of `ScoreMetrics` but its protocol id). */
export type MetricName = Exclude<keyof ScoreMetrics, 'protocol'>;

export interface MetricContext {
  protocol: ProtocolInfo;
  wordTokenizer?: WordTokenizer;
}

export interface MetricFamily {
  name: string;
  /** The metric names this family computes. */
  reports: readonly MetricName[];
  description: string;
  compute(records: readonly ScoringRecord[], ctx: MetricContext): Partial<ScoreMetrics>;
}

export const ANSWER_METRICS = [
  'n',
  'accuracy',
  'accuracy_ci_low',
  'accuracy_ci_high',
  'accuracy_all',
  'accuracy_parsed',
  'correct',
  'weighted_precision',
  'weighted_recall',
  'weighted_f1',
  'parsed',
  'unparsed',
  'unparsed_rate',
  'errors',
] as const satisfies readonly MetricName[];

export const EXPLANATION_METRICS = [
  'bleu1',
  'bleu4',
  'rouge1',
  'rouge2',
  'rougeL',
  'rouge1_p',
  'rouge1_r',
  'rouge2_p',
  'rouge2_r',
  'rougeL_p',
  'rougeL_r',
  'explanations_scored',
  'explanations_left_out',
] as const satisfies readonly MetricName[];

export const METRIC_FAMILIES: readonly MetricFamily[] = [
  {
    name: 'answers',
    reports: ANSWER_METRICS,
    description:
      "Exact match of answer letter strings, Wilson 95% interval, scikit-learn's weighted " +
      'precision/recall/F1, over the rows the protocol scores.',
    compute: (records, ctx) => answerMetrics(records, ctx.protocol),
  },
  {
    name: 'explanations',
    reports: EXPLANATION_METRICS,
    description:
      'tensorflow/nmt corpus BLEU-1/4 and mean ROUGE-1/2/L (×100) over the explanations the ' +
      'protocol keeps, with its tokens and its ROUGE argument order.',
    compute: (records, ctx) => textMetrics(records, ctx.protocol, ctx.wordTokenizer),
  },
];

/** The families that compute the named metrics, each once; an unknown name is an error. */
export function resolveMetrics(names: readonly string[]): MetricFamily[] {
  const families = new Set<MetricFamily>();
  for (const name of names) {
    const family = METRIC_FAMILIES.find((f) => (f.reports as readonly string[]).includes(name));
    if (!family) throw new Error(`No registered metric is named "${name}".`);
    families.add(family);
  }
  return [...families];
}

/** Every metric name the registry knows, in family order. */
export const METRIC_NAMES: readonly MetricName[] = METRIC_FAMILIES.flatMap((f) => f.reports);
