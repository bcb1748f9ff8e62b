/**
 * Answer metrics: accuracy (all questions and parsed ones), its Wilson interval, weighted
 * precision/recall/F1 and the counts, over the rows the protocol scores (see protocols.ts).
 */
import { precisionRecallFscoreWeighted } from './classification';
import { wilson } from './numeric';
import type { ProtocolInfo } from './protocols';
import { answerLabel, isCorrect, isParsed } from './records';
import type { ScoreMetrics, ScoringRecord } from './types';

export type AnswerMetrics = Pick<
  ScoreMetrics,
  | 'n'
  | 'accuracy'
  | 'accuracy_ci_low'
  | 'accuracy_ci_high'
  | 'accuracy_all'
  | 'accuracy_parsed'
  | 'correct'
  | 'weighted_precision'
  | 'weighted_recall'
  | 'weighted_f1'
  | 'parsed'
  | 'unparsed'
  | 'unparsed_rate'
  | 'errors'
>;

export interface AnswerStats {
  n: number;
  parsed: number;
  errors: number;
  correct: number;
  /** Denominator of the protocol's accuracy. */
  denominator: number;
  accuracyAll: number;
  accuracyParsed: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
}

export const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function answerStats(
  records: readonly ScoringRecord[],
  protocol: ProtocolInfo,
): AnswerStats {
  let parsed = 0;
  let errors = 0;
  let correct = 0;
  const golds: string[] = [];
  const preds: string[] = [];
  for (const r of records) {
    const ok = isParsed(r);
    if (ok) parsed++;
    if (r.status === 'error') errors++;
    if (isCorrect(r)) correct++;
    if (protocol.answerRows === 'all') {
      golds.push(r.gold);
      preds.push(answerLabel(r));
    } else if (ok) {
      golds.push(r.gold);
      preds.push(r.prediction);
    }
  }
  const n = records.length;
  const denominator = protocol.answerRows === 'all' ? n : parsed;
  const prf = precisionRecallFscoreWeighted(golds, preds);
  return {
    n,
    parsed,
    errors,
    correct,
    denominator,
    accuracyAll: ratio(correct, n),
    accuracyParsed: ratio(correct, parsed),
    accuracy: ratio(correct, denominator),
    precision: prf.precision,
    recall: prf.recall,
    f1: prf.fscore,
  };
}

export function answerMetrics(
  records: readonly ScoringRecord[],
  protocol: ProtocolInfo,
): AnswerMetrics {
  const a = answerStats(records, protocol);
  const ci = wilson(a.correct, a.denominator);
  return {
    n: a.n,
    accuracy: a.accuracy,
    accuracy_ci_low: ci.low,
    accuracy_ci_high: ci.high,
    accuracy_all: a.accuracyAll,
    accuracy_parsed: a.accuracyParsed,
    correct: a.correct,
    weighted_precision: a.precision,
    weighted_recall: a.recall,
    weighted_f1: a.f1,
    parsed: a.parsed,
    unparsed: a.n - a.parsed,
    unparsed_rate: ratio(a.n - a.parsed, a.n),
    errors: a.errors,
  };
}
