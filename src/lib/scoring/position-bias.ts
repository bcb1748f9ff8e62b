/**
 * Beyond the paper: letter position bias. Single-letter answers by letter, multi-letter answers
 * grouped as `multi`, unparsed predictions as `unparsed`, a blank gold as `none`; plus the
 * gold × predicted count table over those labels.
 */
import { compareCodePoints } from './classification';
import { isParsed } from './records';
import type { PositionBias, ScoringRecord } from './types';

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
