/**
 * `scoreRecords`: one run's records in, every number of the results page out, under one of
 * the two CMExam protocols (see `protocols.ts` for what each script does and where).
 *
 * Conventions that hold across the result:
 * - Counts: `parsed` = status `parsed` with a non-empty answer; `unparsed` = every other record
 *   (errors included; `errors` counts status `error` alone).
 * - `accuracy_all` (unparsed = wrong) and `accuracy_parsed` are always both reported;
 *   `accuracy`, its Wilson interval and `weighted_*` follow the protocol: all questions for
 *   `cmexam-char`, parsed ones for `cmexam-jieba`. A ratio with nothing to divide by is 0.
 * - BLEU and ROUGE are ×100; accuracy and F1 are fractions.
 * - Breakdowns use the protocol's rows too. A record with a missing or blank value for an
 *   annotation is not counted under that annotation. Values sort numerically when they are all
 *   numbers (difficulty levels), by code point otherwise. Macro averages run over the values
 *   that have at least one row.
 * - The headline metrics are the protocol's reported names, each computed by its registered
 *   family (registry.ts).
 */
import { answerStats, ratio } from './answer-metrics';
import { calibration } from './calibration';
import { circular } from './circular';
import { compareCodePoints } from './classification';
import { wilson } from './numeric';
import { positionBias } from './position-bias';
import { PROTOCOLS, type ProtocolInfo } from './protocols';
import { resolveMetrics } from './registry';
import type {
  BreakdownCell,
  BreakdownSummary,
  DifficultyCell,
  ScoreMetrics,
  ScoreOptions,
  ScoreResult,
  ScoringRecord,
} from './types';

export const DEFAULT_DIFFICULTY_KEY = 'Difficulty level';

const NUMERIC = /^-?\d+(\.\d+)?$/;

function sortValues(values: string[]): string[] {
  if (values.every((v) => NUMERIC.test(v))) {
    return values.sort((a, b) => Number(a) - Number(b) || compareCodePoints(a, b));
  }
  return values.sort(compareCodePoints);
}

function breakdownCell(group: readonly ScoringRecord[], protocol: ProtocolInfo): BreakdownCell {
  const s = answerStats(group, protocol);
  const ci = wilson(s.correct, s.denominator);
  return {
    n: s.denominator,
    correct: s.correct,
    accuracy: s.accuracy,
    ci_low: ci.low,
    ci_high: ci.high,
    weighted_f1: s.f1,
  };
}

function breakdowns(
  records: readonly ScoringRecord[],
  protocol: ProtocolInfo,
): {
  cells: Record<string, Record<string, BreakdownCell>>;
  summary: Record<string, BreakdownSummary>;
} {
  const groups = new Map<string, Map<string, ScoringRecord[]>>();
  for (const r of records) {
    for (const [key, value] of Object.entries(r.annotations)) {
      if (typeof value !== 'string' || value.trim() === '') continue;
      let byValue = groups.get(key);
      if (byValue === undefined) {
        byValue = new Map();
        groups.set(key, byValue);
      }
      const list = byValue.get(value);
      if (list === undefined) byValue.set(value, [r]);
      else list.push(r);
    }
  }
  const cells: Record<string, Record<string, BreakdownCell>> = {};
  const summary: Record<string, BreakdownSummary> = {};
  for (const [key, byValue] of groups) {
    const out: Record<string, BreakdownCell> = {};
    let totalN = 0;
    let totalCorrect = 0;
    let accSum = 0;
    let f1Sum = 0;
    let used = 0;
    for (const value of sortValues([...byValue.keys()])) {
      const cell = breakdownCell(byValue.get(value) as ScoringRecord[], protocol);
      out[value] = cell;
      totalN += cell.n;
      totalCorrect += cell.correct;
      if (cell.n > 0) {
        accSum += cell.accuracy;
        f1Sum += cell.weighted_f1;
        used++;
      }
    }
    cells[key] = out;
    summary[key] = {
      micro_accuracy: ratio(totalCorrect, totalN),
      macro_accuracy: ratio(accSum, used),
      macro_weighted_f1: ratio(f1Sum, used),
      values: used,
    };
  }
  return { cells, summary };
}

/** Score one run's records under a CMExam protocol. */
export function scoreRecords(
  records: readonly ScoringRecord[],
  options: ScoreOptions,
): ScoreResult {
  const protocol = PROTOCOLS[options.protocol];
  if (protocol === undefined) {
    throw new Error(`Unknown scoring protocol "${String(options.protocol)}"`);
  }
  if (protocol.bleuTokens === 'word' && typeof options.wordTokenizer !== 'function') {
    throw new Error(
      `Protocol "${protocol.id}" needs options.wordTokenizer (jieba word segmentation, ` +
        'jieba.cut(text, cut_all=False)) for its BLEU; none was given.',
    );
  }
  // Each metric the protocol reports, computed by its registered family (registry.ts).
  const ctx = { protocol, wordTokenizer: options.wordTokenizer };
  const computed: Partial<ScoreMetrics> = {};
  for (const family of resolveMetrics(protocol.reports))
    Object.assign(computed, family.compute(records, ctx));
  const metrics = { protocol: protocol.id } as ScoreMetrics;
  for (const name of protocol.reports)
    (metrics as unknown as Record<string, unknown>)[name] = computed[name];
  const { cells, summary } = breakdowns(records, protocol);
  const difficultyKey = options.difficultyKey ?? DEFAULT_DIFFICULTY_KEY;
  let difficulty: Record<string, DifficultyCell> | null = null;
  if (cells[difficultyKey] !== undefined) {
    difficulty = {};
    for (const [level, c] of Object.entries(cells[difficultyKey])) {
      difficulty[level] = {
        n: c.n,
        correct: c.correct,
        accuracy: c.accuracy,
        ci_low: c.ci_low,
        ci_high: c.ci_high,
      };
    }
  }
  return {
    metrics,
    breakdowns: cells,
    breakdown_summary: summary,
    difficulty,
    calibration: calibration(records),
    position_bias: positionBias(records),
    circular: circular(records),
  };
}
