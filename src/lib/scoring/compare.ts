/**
 * Comparing two runs on the same questions: paired correctness and McNemar's exact test.
 *
 * Records pair by `questionId` (the first record of an id in each run counts; ids present in
 * only one run are ignored). Correct = exact match of the letter strings, unparsed = wrong,
 * whatever the protocol, so the test compares the answers themselves. The test uses only the
 * discordant pairs: b = only A correct, c = only B correct; two-sided exact binomial p.
 */
import { mcnemarExact } from './numeric';
import { isCorrect } from './records';
import type { CompareResult, ScoringRecord } from './types';

export function compareRuns(
  a: readonly ScoringRecord[],
  b: readonly ScoringRecord[],
): CompareResult {
  const inB = new Map<string, boolean>();
  for (const r of b) if (!inB.has(r.questionId)) inB.set(r.questionId, isCorrect(r));
  const seen = new Set<string>();
  let bothCorrect = 0;
  let onlyA = 0;
  let onlyB = 0;
  let bothWrong = 0;
  const disagreements: string[] = [];
  for (const r of a) {
    if (seen.has(r.questionId)) continue;
    seen.add(r.questionId);
    const other = inB.get(r.questionId);
    if (other === undefined) continue;
    const mine = isCorrect(r);
    if (mine && other) bothCorrect++;
    else if (mine) {
      onlyA++;
      disagreements.push(r.questionId);
    } else if (other) {
      onlyB++;
      disagreements.push(r.questionId);
    } else bothWrong++;
  }
  return {
    n_paired: bothCorrect + onlyA + onlyB + bothWrong,
    both_correct: bothCorrect,
    only_a: onlyA,
    only_b: onlyB,
    both_wrong: bothWrong,
    p_value: mcnemarExact(onlyA, onlyB),
    disagreements,
  };
}
