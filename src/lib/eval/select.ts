/**
 * Which questions of a split a run covers. Pure and deterministic: the same questions, subset
 * spec and seed always give the same selection, in every browser, so a link reproduces a run.
 *
 * Order of operations (as `SubsetSpec` says): filters → subset mode → shard.
 *
 * - Filters: a question passes when, for every filtered column, its annotation value is one of
 *   the allowed values. A missing (absent or blank) annotation fails any filter on its column.
 * - `all`: every filtered question. `first`: the first N in file order.
 * - `random`: N drawn with a seeded PRNG (mulberry32) by a partial Fisher–Yates shuffle.
 * - `stratified`: N split over the values of one annotation column (blank is its own stratum,
 *   see `allocate` for the exact rule), then drawn at random within each stratum.
 * - Shard i of n: the questions whose id hashes (FNV-1a, 32 bit, of the UTF-8 id) to i − 1
 *   modulo n. It depends only on the id, not on position, so a question stays in the same shard
 *   whatever else is selected, and shards 1..n partition the subset exactly. Shard sizes are
 *   only roughly equal.
 *
 * N above the number of available questions selects them all (a note says so). Results are
 * always in file order (the input order).
 */
import { fnv1a32, mulberry32, shuffledIndices } from '../random';
import type { EvalQuestion, SubsetSpec } from './types';

export interface SelectionReport {
  questions: EvalQuestion[];
  /** Counts after each stage, for the UI and for checking a sharded run adds up. */
  counts: { total: number; filtered: number; subset: number; shard: number };
  /** Things a user should know but that are not errors (for example N > available). */
  notes: string[];
}

/** The stratum of questions whose stratification column is blank or absent. */
export const MISSING_STRATUM = '(missing)';

export function selectQuestions(
  questions: EvalQuestion[],
  subset: SubsetSpec,
  seed: number,
): EvalQuestion[] {
  return selectWithReport(questions, subset, seed).questions;
}

export function selectWithReport(
  questions: EvalQuestion[],
  subset: SubsetSpec,
  seed: number,
): SelectionReport {
  checkSubset(subset, seed);
  const notes: string[] = [];
  const filtered = applyFilters(questions, subset.filters, notes);
  const picked = applyMode(filtered, subset, seed, notes);
  const { index, count } = subset.shard;
  const sharded = count === 1 ? picked : picked.filter((q) => shardOf(q.id, count) === index);
  return {
    questions: sharded,
    counts: {
      total: questions.length,
      filtered: filtered.length,
      subset: picked.length,
      shard: sharded.length,
    },
    notes,
  };
}

/**
 * The questions a selection draws, and how many multi-answer questions `skipMulti` leaves out
 * of that same selection. Those are removed before the subset is drawn, so `n` questions are
 * still drawn; `skipped` counts the multi-answer questions the same selection would have taken
 * had they been kept (all of them for `subset=all`). Runs and exams draw through this, so a
 * run and an exam with the same question parameters get the same questions.
 */
export function drawSelection(
  all: EvalQuestion[],
  subset: SubsetSpec,
  seed: number,
  skipMulti: boolean,
): { questions: EvalQuestion[]; skipped: number } {
  if (!skipMulti) return { questions: selectQuestions(all, subset, seed), skipped: 0 };
  const questions = selectQuestions(
    all.filter((q) => !q.multi),
    subset,
    seed,
  );
  const skipped = selectQuestions(all, subset, seed).filter((q) => q.multi).length;
  return { questions, skipped };
}

/** 1-based shard (1..count) of a question id; stable across selections and machines. */
export function shardOf(id: string, count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`Shard count must be a positive integer, not ${count}.`);
  }
  return (fnv1a32(id) % count) + 1;
}

/**
 * `k` distinct indices of 0..size−1 drawn uniformly, sorted ascending so the caller keeps file
 * order.
 */
export function sampleIndices(size: number, k: number, random: () => number): number[] {
  return shuffledIndices(size, k, random).sort((a, b) => a - b);
}

/**
 * How many questions each stratum gets (keys: stratum values, sizes > 0):
 * 1. Proportional quotas N·size/total, rounded down; the remaining units go one each to the
 *    largest fractional remainders (ties: larger stratum, then value in code-point order), so
 *    the total is exactly N (largest-remainder / Hamilton method).
 * 2. When N ≥ the number of strata, every stratum gets at least one: each stratum left at 0
 *    (largest quota first) takes one unit from the stratum most above its quota that has more
 *    than one (ties: larger allocation, then value). Without this, small strata would silently
 *    vanish from a per-stratum report. When N < the number of strata, some get none.
 * Never more than a stratum's size, since N ≤ total.
 */
export function allocate(sizes: Map<string, number>, n: number): Map<string, number> {
  const keys = [...sizes.keys()].sort(compareCodePoints);
  const size = (k: string) => sizes.get(k) ?? 0;
  const total = keys.reduce((s, k) => s + size(k), 0);
  const want = Math.min(n, total);
  if (total === 0) return new Map(keys.map((k) => [k, 0]));
  // Integer arithmetic (quota = want·size/total) so ties are exact, not float noise.
  const alloc = new Map(keys.map((k) => [k, Math.floor((want * size(k)) / total)]));
  const remainder = (k: string) => (want * size(k)) % total;
  let left = want - keys.reduce((s, k) => s + alloc.get(k)!, 0);
  const byRemainder = [...keys].sort(
    (a, b) => remainder(b) - remainder(a) || size(b) - size(a) || compareCodePoints(a, b),
  );
  for (const k of byRemainder) {
    if (left === 0) break;
    alloc.set(k, alloc.get(k)! + 1);
    left--;
  }
  if (want >= keys.length) {
    // (alloc − quota)·total: how far a stratum is above its proportional share.
    const excess = (k: string) => alloc.get(k)! * total - want * size(k);
    const empty = keys
      .filter((k) => alloc.get(k) === 0)
      .sort((a, b) => size(b) - size(a) || compareCodePoints(a, b));
    for (const k of empty) {
      const donor = keys
        .filter((d) => alloc.get(d)! > 1)
        .sort(
          (a, b) =>
            excess(b) - excess(a) || alloc.get(b)! - alloc.get(a)! || compareCodePoints(a, b),
        )[0];
      alloc.set(donor, alloc.get(donor)! - 1);
      alloc.set(k, 1);
    }
  }
  return alloc;
}

/** A blank or absent annotation is missing (the importer stores blanks as ''). */
export function annotationValue(q: EvalQuestion, column: string): string | null {
  const v = Object.hasOwn(q.annotations, column) ? q.annotations[column] : undefined;
  return v === undefined || v.trim() === '' ? null : v;
}

function applyFilters(
  questions: EvalQuestion[],
  filters: Record<string, string[]>,
  notes: string[],
): EvalQuestion[] {
  const entries = Object.entries(filters);
  if (entries.length === 0) return questions;
  for (const [column] of entries) {
    if (questions.length > 0 && questions.every((q) => annotationValue(q, column) === null)) {
      notes.push(`No question has a value in column "${column}", so the filter matches none.`);
    }
  }
  const allowed = entries.map(([column, values]) => [column, new Set(values)] as const);
  return questions.filter((q) =>
    allowed.every(([column, values]) => {
      const v = annotationValue(q, column);
      return v !== null && values.has(v);
    }),
  );
}

function applyMode(
  pool: EvalQuestion[],
  subset: SubsetSpec,
  seed: number,
  notes: string[],
): EvalQuestion[] {
  if (subset.mode === 'all') return pool;
  const n = subset.n!;
  if (n > pool.length) {
    notes.push(
      `Asked for ${n} questions but only ${pool.length} are available` +
        `${Object.keys(subset.filters).length > 0 ? ' after filtering' : ''}; using all of them.`,
    );
  }
  if (subset.mode === 'first') return pool.slice(0, n);
  if (subset.mode === 'random') {
    return sampleIndices(pool.length, n, mulberry32(seed)).map((i) => pool[i]);
  }
  return stratified(pool, subset.stratifyBy!, n, seed, notes);
}

function stratified(
  pool: EvalQuestion[],
  column: string,
  n: number,
  seed: number,
  notes: string[],
): EvalQuestion[] {
  // Positions in the pool, grouped by stratum, so the result can be put back in file order.
  const strata = new Map<string, number[]>();
  pool.forEach((q, i) => {
    const key = annotationValue(q, column) ?? MISSING_STRATUM;
    const list = strata.get(key);
    if (list) list.push(i);
    else strata.set(key, [i]);
  });
  if (pool.length > 0 && strata.size === 1 && strata.has(MISSING_STRATUM)) {
    notes.push(`No question has a value in column "${column}": stratifying gives a plain sample.`);
  }
  const alloc = allocate(new Map([...strata].map(([k, v]) => [k, v.length])), n);
  const chosen: number[] = [];
  for (const [key, members] of strata) {
    // One PRNG per stratum, seeded by seed and stratum value: a stratum's draw does not
    // depend on the other strata.
    const random = mulberry32(fnv1a32(`${seed >>> 0}\u0000${key}`));
    for (const i of sampleIndices(members.length, alloc.get(key) ?? 0, random)) {
      chosen.push(members[i]);
    }
  }
  return chosen.sort((a, b) => a - b).map((i) => pool[i]);
}

/** Invalid specs are programming errors here; links are validated by `parseRunLink`. */
function checkSubset(subset: SubsetSpec, seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`Seed must be an integer, not ${seed}.`);
  if (subset.mode !== 'all') {
    if (subset.n === null || !Number.isSafeInteger(subset.n) || subset.n < 0) {
      throw new RangeError(`Subset "${subset.mode}" needs n ≥ 0, not ${subset.n}.`);
    }
  }
  if (subset.mode === 'stratified' && !subset.stratifyBy) {
    throw new RangeError('A stratified subset needs a column to stratify by.');
  }
  const { index, count } = subset.shard;
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(index)) {
    throw new RangeError(`Invalid shard ${index}/${count}.`);
  }
  if (index < 1 || index > count) throw new RangeError(`Invalid shard ${index}/${count}.`);
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export { fnv1a32, mulberry32 };
