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
 */
import { BleuAccumulator, bleuFromStats } from './bleu';
import { circular, calibration, positionBias } from './calibration';
import { compareCodePoints, precisionRecallFscoreWeighted } from './classification';
import { Scratch, TokenIds } from './ids';
import { wilson } from './numeric';
import { PROTOCOLS, type ProtocolInfo } from './protocols';
import { answerLabel, isCorrect, isParsed } from './records';
import { RougeAccumulator } from './rouge';
import { encodeCharsBleuInto, encodeCharsRougeInto } from './tokens';
import type {
  BreakdownCell,
  BreakdownSummary,
  DifficultyCell,
  ScoreMetrics,
  ScoreOptions,
  ScoreResult,
  ScoringRecord,
  WordTokenizer,
} from './types';

export const DEFAULT_DIFFICULTY_KEY = 'Difficulty level';

interface AnswerStats {
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

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function answerStats(records: readonly ScoringRecord[], protocol: ProtocolInfo): AnswerStats {
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

type TextMetrics = Pick<
  ScoreMetrics,
  | 'bleu1'
  | 'bleu4'
  | 'rouge1'
  | 'rouge2'
  | 'rougeL'
  | 'rouge1_p'
  | 'rouge1_r'
  | 'rouge2_p'
  | 'rouge2_r'
  | 'rougeL_p'
  | 'rougeL_r'
  | 'explanations_scored'
  | 'explanations_left_out'
>;

const NO_TEXT = {
  bleu1: null,
  bleu4: null,
  rouge1: null,
  rouge2: null,
  rougeL: null,
  rouge1_p: null,
  rouge1_r: null,
  rouge2_p: null,
  rouge2_r: null,
  rougeL_p: null,
  rougeL_r: null,
} as const;

function wordTokens(tokenize: WordTokenizer, text: string): string[] {
  return text === '' ? [] : tokenize(text);
}

function textMetrics(
  records: readonly ScoringRecord[],
  protocol: ProtocolInfo,
  tokenize: WordTokenizer | undefined,
): TextMetrics {
  // Pairs (reference text, predicted text) that enter BLEU and ROUGE, in record order.
  const refs: string[] = [];
  const hyps: string[] = [];
  if (protocol.blankExplanations === 'leave-out') {
    for (const r of records) {
      if (r.reference === null || r.reference === '' || r.explanation === null) continue;
      refs.push(r.reference);
      hyps.push(r.explanation);
    }
  } else if (records.some((r) => r.explanation !== null)) {
    for (const r of records) {
      refs.push(r.reference ?? '');
      hyps.push(r.explanation ?? '');
    }
  }
  const scored = refs.length;
  const leftOut = records.length - scored;
  if (scored === 0) return { ...NO_TEXT, explanations_scored: 0, explanations_left_out: leftOut };

  const ids = new TokenIds();
  const bleu = new BleuAccumulator(4);
  const rouge = new RougeAccumulator();
  const swap = protocol.rougeHypothesis === 'reference';
  const [a, b, c, d] = [new Scratch(), new Scratch(), new Scratch(), new Scratch()];
  for (let i = 0; i < scored; i++) {
    if (protocol.bleuTokens === 'char') {
      bleu.add([encodeCharsBleuInto(refs[i], ids, a)], encodeCharsBleuInto(hyps[i], ids, b));
    } else {
      const tk = tokenize as WordTokenizer;
      bleu.add([ids.encode(wordTokens(tk, refs[i]))], ids.encode(wordTokens(tk, hyps[i])));
    }
    const ref = encodeCharsRougeInto(refs[i], ids, c);
    const hyp = encodeCharsRougeInto(hyps[i], ids, d);
    if (swap) rouge.add(ref, hyp);
    else rouge.add(hyp, ref);
  }
  const stats = bleu.stats();
  const means = rouge.means();
  return {
    bleu1: bleuFromStats(stats, 1).bleu * 100,
    bleu4: bleuFromStats(stats, 4).bleu * 100,
    rouge1: means.rouge_1.f * 100,
    rouge2: means.rouge_2.f * 100,
    rougeL: means.rouge_l.f * 100,
    rouge1_p: means.rouge_1.p * 100,
    rouge1_r: means.rouge_1.r * 100,
    rouge2_p: means.rouge_2.p * 100,
    rouge2_r: means.rouge_2.r * 100,
    rougeL_p: means.rouge_l.p * 100,
    rougeL_r: means.rouge_l.r * 100,
    explanations_scored: scored,
    explanations_left_out: leftOut,
  };
}

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
  const a = answerStats(records, protocol);
  const ci = wilson(a.correct, a.denominator);
  const text = textMetrics(records, protocol, options.wordTokenizer);
  const metrics: ScoreMetrics = {
    protocol: protocol.id,
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
    ...text,
  };
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
