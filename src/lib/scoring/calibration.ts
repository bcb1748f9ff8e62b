/**
 * Beyond the paper: calibration of option probabilities, letter position bias and circular
 * evaluation. None of this is in CMExam's scripts; the definitions are ours and stated here.
 *
 * Calibration (records whose `optionProbs` has at least one finite value):
 * - Confidence = the top option probability, as given (not renormalised). Ties go to the
 *   alphabetically first letter.
 * - A question counts as correct for calibration when its gold answer is exactly that top
 *   letter. A multi-answer question can never be a single letter, so it always counts as
 *   wrong: the reliability plot describes "the top option is the answer".
 * - ECE: 10 equal-width bins over confidence, [0, 0.1), …, [0.9, 1.0] (the last bin closed);
 *   ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b|. Sums in record order.
 * - Brier score: mean over questions of Σ over letters (p − y)², y = 1 for every gold letter
 *   (multi-hot for multi-answer questions, so their ideal vector puts 1 on each gold letter and
 *   a probability distribution cannot reach 0 there) and 0 otherwise. A gold letter missing
 *   from `optionProbs` counts with p = 0.
 *
 * Position bias: single-letter answers by letter, multi-letter answers grouped as `multi`,
 * unparsed predictions as `unparsed`, a blank gold as `none`; plus the gold × predicted count
 * table over those labels.
 *
 * Circular evaluation: `rotations` lists the answers under rotated option orders. When it has
 * no shift 0, the record's own answer is shift 0 (correct = exact match, unparsed = wrong).
 * Accuracy per shift is over the records evaluated under that shift; "all correct" means
 * correct under every shift the record was evaluated under.
 */
import { compareCodePoints } from './classification';
import { isCorrect, isParsed } from './records';
import type {
  Calibration,
  CalibrationBin,
  CircularResult,
  PositionBias,
  ScoringRecord,
} from './types';

export const CALIBRATION_BINS = 10;

function binIndex(c: number, bins: number): number {
  let i = Math.min(bins - 1, Math.max(0, Math.floor(c * bins)));
  // Guard the float product against the exact edges i/bins.
  if (i > 0 && c < i / bins) i--;
  else if (i < bins - 1 && c >= (i + 1) / bins) i++;
  return i;
}

/** ECE with equal-width bins over [0, 1], plus the reliability plot data. */
export function expectedCalibrationError(
  confidences: readonly number[],
  correct: readonly boolean[],
  bins: number = CALIBRATION_BINS,
): { ece: number; bins: CalibrationBin[] } {
  const n = Math.min(confidences.length, correct.length);
  const count = new Array<number>(bins).fill(0);
  const confSum = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const b = binIndex(confidences[i], bins);
    count[b]++;
    confSum[b] += confidences[i];
    if (correct[i]) hits[b]++;
  }
  const out: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const nb = count[b];
    const confidence = nb === 0 ? null : confSum[b] / nb;
    const acc = nb === 0 ? null : hits[b] / nb;
    if (nb > 0) ece += (nb / n) * Math.abs((acc as number) - (confidence as number));
    out.push({ lo: b / bins, hi: (b + 1) / bins, n: nb, confidence, accuracy: acc });
  }
  return { ece, bins: out };
}

/** Σ over the letters of `probs` and of `gold` of (p − y)², y = 1 for gold letters. */
export function brierScore(probs: Readonly<Record<string, number>>, gold: string): number {
  const goldLetters = new Set(Array.from(gold));
  const letters = [...new Set([...Object.keys(probs), ...goldLetters])].sort(compareCodePoints);
  let s = 0;
  for (const l of letters) {
    const p = probs[l] ?? 0;
    const y = goldLetters.has(l) ? 1 : 0;
    s += (p - y) * (p - y);
  }
  return s;
}

/** The top option: highest probability, ties to the alphabetically first letter. */
export function topOption(
  probs: Readonly<Record<string, number>>,
): { letter: string; p: number } | null {
  let best: { letter: string; p: number } | null = null;
  for (const l of Object.keys(probs).sort(compareCodePoints)) {
    const p = probs[l];
    if (!Number.isFinite(p)) continue;
    if (best === null || p > best.p) best = { letter: l, p };
  }
  return best;
}

/** Calibration over the records that carry option probabilities; null when none does. */
export function calibration(records: readonly ScoringRecord[]): Calibration | null {
  const conf: number[] = [];
  const correct: boolean[] = [];
  let brierSum = 0;
  for (const r of records) {
    if (r.optionProbs === null) continue;
    const top = topOption(r.optionProbs);
    if (top === null) continue;
    conf.push(top.p);
    correct.push(r.gold !== '' && r.gold === top.letter);
    brierSum += brierScore(r.optionProbs, r.gold);
  }
  if (conf.length === 0) return null;
  const { ece, bins } = expectedCalibrationError(conf, correct);
  return { n: conf.length, ece, brier: brierSum / conf.length, bins };
}

function goldBucket(gold: string): string {
  const letters = Array.from(gold);
  if (letters.length === 0) return 'none';
  return letters.length === 1 ? gold : 'multi';
}

function predBucket(r: ScoringRecord): string {
  if (!isParsed(r)) return 'unparsed';
  return Array.from(r.prediction).length === 1 ? r.prediction : 'multi';
}

const SPECIAL_ORDER = ['multi', 'none', 'unparsed'];

function orderLabels(labels: Iterable<string>, letters: readonly string[]): string[] {
  const set = new Set(labels);
  return [...letters.filter((l) => set.has(l)), ...SPECIAL_ORDER.filter((l) => set.has(l))];
}

/** Distribution of predicted letters against gold letters (over every record). */
export function positionBias(records: readonly ScoringRecord[]): PositionBias {
  const gold = new Map<string, number>();
  const predicted = new Map<string, number>();
  const pairs = new Map<string, Map<string, number>>();
  const singles = new Set<string>();
  for (const r of records) {
    const g = goldBucket(r.gold);
    const p = predBucket(r);
    if (!SPECIAL_ORDER.includes(g)) singles.add(g);
    if (!SPECIAL_ORDER.includes(p)) singles.add(p);
    gold.set(g, (gold.get(g) ?? 0) + 1);
    predicted.set(p, (predicted.get(p) ?? 0) + 1);
    let row = pairs.get(g);
    if (row === undefined) {
      row = new Map();
      pairs.set(g, row);
    }
    row.set(p, (row.get(p) ?? 0) + 1);
  }
  const letters = [...singles].sort(compareCodePoints);
  const goldLabels = orderLabels(gold.keys(), letters);
  const predLabels = orderLabels(predicted.keys(), letters);
  const goldOut: Record<string, number> = {};
  for (const l of goldLabels) goldOut[l] = gold.get(l) ?? 0;
  const predOut: Record<string, number> = {};
  for (const l of predLabels) predOut[l] = predicted.get(l) ?? 0;
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of goldLabels) {
    const row: Record<string, number> = {};
    for (const p of predLabels) row[p] = pairs.get(g)?.get(p) ?? 0;
    confusion[g] = row;
  }
  return { letters, gold: goldOut, predicted: predOut, confusion };
}

/** Circular evaluation over the records that carry rotations; null when none does. */
export function circular(records: readonly ScoringRecord[]): CircularResult | null {
  const byShift = new Map<number, { n: number; correct: number }>();
  let evaluated = 0;
  let allCorrect = 0;
  for (const r of records) {
    if (!r.rotations || r.rotations.length === 0) continue;
    const shifts = new Map<number, boolean>();
    for (const rot of r.rotations) shifts.set(rot.shift, rot.correct);
    if (!shifts.has(0)) shifts.set(0, isCorrect(r));
    evaluated++;
    let every = true;
    for (const [shift, ok] of shifts) {
      const cell = byShift.get(shift) ?? { n: 0, correct: 0 };
      cell.n++;
      if (ok) cell.correct++;
      else every = false;
      byShift.set(shift, cell);
    }
    if (every) allCorrect++;
  }
  if (evaluated === 0) return null;
  const accuracyByShift: Record<string, number> = {};
  for (const shift of [...byShift.keys()].sort((a, b) => a - b)) {
    const cell = byShift.get(shift) as { n: number; correct: number };
    accuracyByShift[String(shift)] = cell.correct / cell.n;
  }
  return {
    rotations: byShift.size,
    accuracy_by_shift: accuracyByShift,
    all_correct: allCorrect,
    all_correct_rate: allCorrect / evaluated,
  };
}
