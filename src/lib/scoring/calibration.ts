/**
 * Beyond the paper: calibration of option probabilities. Not in CMExam's scripts; the
 * definitions are ours and stated here (records whose `optionProbs` has at least one finite
 * value):
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
 */
import { compareCodePoints } from './classification';
import type { Calibration, CalibrationBin, ScoringRecord } from './types';

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
