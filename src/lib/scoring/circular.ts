/**
 * Beyond the paper: circular evaluation. `rotations` lists the answers under rotated option
 * orders. When it has no shift 0, the record's own answer is shift 0 (correct = exact match,
 * unparsed = wrong). Accuracy per shift is over the records evaluated under that shift; "all
 * correct" means correct under every shift the record was evaluated under.
 */
import { isCorrect } from './records';
import type { CircularResult, ScoringRecord } from './types';

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
