import { describe, expect, it } from 'vitest';
import {
  allocate,
  fnv1a32,
  mulberry32,
  selectQuestions,
  selectWithReport,
  shardOf,
} from '../../src/lib/eval/select';
import type { EvalQuestion, SubsetSpec } from '../../src/lib/eval/types';

// Synthetic questions (no CMExam content): ids as the importer makes them, annotations chosen
// so strata and filters have known sizes.
function question(row: number, annotations: Record<string, string> = {}): EvalQuestion {
  return {
    id: `cmexam/test/${row}`,
    row,
    question: `Q${row}`,
    options: [
      { key: 'A', text: 'a' },
      { key: 'B', text: 'b' },
    ],
    answer: 'A',
    explanation: '',
    annotations,
    multi: false,
  };
}

/** 1,000 questions: department 内科 600, 外科 300, 儿科 90, blank 10; level 1..5 cycling. */
function synthetic(): EvalQuestion[] {
  return Array.from({ length: 1000 }, (_, i) =>
    question(i, {
      Dept: i % 10 < 6 ? '内科' : i % 10 < 9 ? '外科' : i % 100 < 90 ? '儿科' : '',
      Level: String((i % 5) + 1),
    }),
  );
}

function subset(over: Partial<SubsetSpec> = {}): SubsetSpec {
  return {
    filters: {},
    mode: 'all',
    n: null,
    stratifyBy: null,
    shard: { index: 1, count: 1 },
    ...over,
  };
}

const rows = (qs: EvalQuestion[]) => qs.map((q) => q.row);
const isSorted = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] < x);

function countBy(qs: EvalQuestion[], column: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of qs) {
    const v = q.annotations[column] || '(missing)';
    out[v] = (out[v] ?? 0) + 1;
  }
  return out;
}

describe('hash and PRNG', () => {
  it('FNV-1a matches the reference values', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
  it('mulberry32 is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });
});

describe('subset modes', () => {
  const qs = synthetic();

  it('all returns everything in file order', () => {
    expect(selectQuestions(qs, subset(), 0)).toEqual(qs);
  });

  it('first takes N in file order', () => {
    expect(rows(selectQuestions(qs, subset({ mode: 'first', n: 5 }), 0))).toEqual([0, 1, 2, 3, 4]);
  });

  it('random takes exactly N distinct questions, in file order, deterministically', () => {
    const a = selectQuestions(qs, subset({ mode: 'random', n: 100 }), 7);
    expect(a).toHaveLength(100);
    expect(new Set(rows(a)).size).toBe(100);
    expect(isSorted(rows(a))).toBe(true);
    expect(selectQuestions(qs, subset({ mode: 'random', n: 100 }), 7)).toEqual(a);
    expect(rows(selectQuestions(qs, subset({ mode: 'random', n: 100 }), 8))).not.toEqual(rows(a));
    // Not just the first 100.
    expect(rows(a)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('random does not depend on the input array identity, only on its content', () => {
    const a = selectQuestions(qs, subset({ mode: 'random', n: 50 }), 3);
    const b = selectQuestions(synthetic(), subset({ mode: 'random', n: 50 }), 3);
    expect(rows(a)).toEqual(rows(b));
  });

  it('stratified allocates proportionally, totals exactly N, and is deterministic', () => {
    const s = subset({ mode: 'stratified', n: 100, stratifyBy: 'Dept' });
    const a = selectQuestions(qs, s, 1);
    expect(a).toHaveLength(100);
    expect(countBy(a, 'Dept')).toEqual({ 内科: 60, 外科: 30, 儿科: 9, '(missing)': 1 });
    expect(isSorted(rows(a))).toBe(true);
    expect(selectQuestions(qs, s, 1)).toEqual(a);
    expect(rows(selectQuestions(qs, s, 2))).not.toEqual(rows(a));
  });

  it('stratified uses largest remainders so the total is exact', () => {
    // Quotas for N=7 over 600/300/90/10: 4.2, 2.1, 0.63, 0.07 → 4, 2, 1 (largest remainder), 0.
    const a = selectQuestions(qs, subset({ mode: 'stratified', n: 7, stratifyBy: 'Dept' }), 0);
    expect(a).toHaveLength(7);
    // N ≥ 4 strata, so the blank stratum (quota 0.07) still gets one, taken from the stratum
    // most above its quota among those with more than one: 外科 (2 − 2.1 > 4 − 4.2).
    expect(countBy(a, 'Dept')).toEqual({ 内科: 4, 外科: 1, 儿科: 1, '(missing)': 1 });
  });

  it('stratified with fewer questions than strata gives the largest strata one each', () => {
    const a = selectQuestions(qs, subset({ mode: 'stratified', n: 2, stratifyBy: 'Dept' }), 0);
    expect(countBy(a, 'Dept')).toEqual({ 内科: 1, 外科: 1 });
  });

  it('stratified on a column nobody has is a plain sample with a note', () => {
    const r = selectWithReport(qs, subset({ mode: 'stratified', n: 10, stratifyBy: 'Nope' }), 0);
    expect(r.questions).toHaveLength(10);
    expect(r.notes[0]).toContain('No question has a value in column "Nope"');
  });
});

describe('allocate', () => {
  const sizes = (o: Record<string, number>) => new Map(Object.entries(o));
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

  it('always totals min(N, size) and never exceeds a stratum', () => {
    const s = sizes({ a: 13, b: 7, c: 1, d: 1, e: 29 });
    for (let n = 0; n <= 60; n++) {
      const m = allocate(s, n);
      expect(total(m)).toBe(Math.min(n, 51));
      for (const [k, v] of m) expect(v).toBeLessThanOrEqual(s.get(k)!);
      if (n >= 5) for (const v of m.values()) expect(v).toBeGreaterThanOrEqual(1);
    }
  });

  it('breaks equal remainders by size, then by value', () => {
    expect(Object.fromEntries(allocate(sizes({ b: 1, a: 1, c: 2 }), 2))).toEqual({
      a: 1,
      b: 0,
      c: 1,
    });
  });
});

describe('filters', () => {
  const qs = synthetic();

  it('keep only allowed values; all columns must pass', () => {
    const a = selectQuestions(qs, subset({ filters: { Dept: ['外科', '儿科'] } }), 0);
    expect(a).toHaveLength(390);
    const b = selectQuestions(qs, subset({ filters: { Dept: ['外科'], Level: ['1', '2'] } }), 0);
    expect(
      b.every((q) => q.annotations.Dept === '外科' && ['1', '2'].includes(q.annotations.Level)),
    ).toBe(true);
    // 外科 is i % 10 ∈ {6, 7, 8}; levels 1–2 are i % 5 ∈ {0, 1}: only i % 10 = 6.
    expect(b).toHaveLength(100);
  });

  it('a missing annotation fails a filter on its column', () => {
    const mixed = [question(0, { Dept: '内科' }), question(1, {}), question(2, { Dept: '' })];
    expect(rows(selectQuestions(mixed, subset({ filters: { Dept: ['内科', ''] } }), 0))).toEqual([
      0,
    ]);
  });

  it('come before the subset: first N of the filtered questions', () => {
    const a = selectQuestions(qs, subset({ filters: { Dept: ['儿科'] }, mode: 'first', n: 3 }), 0);
    expect(rows(a)).toEqual([9, 19, 29]);
  });

  it('note a column that no question has', () => {
    const r = selectWithReport(qs, subset({ filters: { Nope: ['x'] } }), 0);
    expect(r.questions).toEqual([]);
    expect(r.notes[0]).toContain('"Nope"');
  });
});

describe('shards', () => {
  const qs = synthetic();

  it('shardOf is 1-based, in range, and depends only on the id', () => {
    for (const q of qs) {
      const s = shardOf(q.id, 8);
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThanOrEqual(8);
      expect(shardOf(q.id, 8)).toBe(s);
    }
    expect(shardOf('anything', 1)).toBe(1);
    expect(() => shardOf('x', 0)).toThrow(RangeError);
  });

  for (const base of [
    subset(),
    subset({ mode: 'random', n: 300 }),
    subset({ mode: 'stratified', n: 77, stratifyBy: 'Dept', filters: { Level: ['1', '3'] } }),
  ]) {
    for (const count of [2, 3, 8]) {
      it(`shards 1..${count} of ${base.mode} cover the subset exactly once`, () => {
        const whole = rows(selectQuestions(qs, base, 5));
        const parts = Array.from({ length: count }, (_, i) =>
          rows(selectQuestions(qs, { ...base, shard: { index: i + 1, count } }, 5)),
        );
        const joined = parts.flat();
        expect(joined).toHaveLength(whole.length);
        expect(new Set(joined).size).toBe(whole.length);
        expect([...joined].sort((a, b) => a - b)).toEqual(whole);
        for (const p of parts) expect(isSorted(p)).toBe(true);
      });
    }
  }

  it('are roughly balanced', () => {
    const sizes = [1, 2, 3, 4].map(
      (index) => selectQuestions(qs, subset({ shard: { index, count: 4 } }), 0).length,
    );
    for (const s of sizes) expect(s).toBeGreaterThan(180);
  });

  it('keep a question in its shard whatever else is selected', () => {
    const small = selectQuestions(
      qs,
      subset({ mode: 'first', n: 100, shard: { index: 2, count: 3 } }),
      0,
    );
    const big = selectQuestions(qs, subset({ shard: { index: 2, count: 3 } }), 0);
    const bigIds = new Set(big.map((q) => q.id));
    expect(small.every((q) => bigIds.has(q.id))).toBe(true);
  });
});

describe('edge cases', () => {
  const qs = synthetic();

  it('n = 0 selects nothing', () => {
    for (const mode of ['first', 'random', 'stratified'] as const) {
      expect(selectQuestions(qs, subset({ mode, n: 0, stratifyBy: 'Dept' }), 0)).toEqual([]);
    }
  });

  it('n larger than available selects all, with a note', () => {
    for (const mode of ['first', 'random', 'stratified'] as const) {
      const r = selectWithReport(qs, subset({ mode, n: 5000, stratifyBy: 'Dept' }), 0);
      expect(r.questions).toEqual(qs);
      expect(r.notes).toContain(
        'Asked for 5000 questions but only 1000 are available; using all of them.',
      );
    }
  });

  it('an empty split gives an empty selection', () => {
    expect(selectQuestions([], subset({ mode: 'random', n: 10 }), 0)).toEqual([]);
    expect(
      selectQuestions([], subset({ mode: 'stratified', n: 10, stratifyBy: 'Dept' }), 0),
    ).toEqual([]);
  });

  it('reports the counts after each stage', () => {
    const r = selectWithReport(
      qs,
      subset({ filters: { Dept: ['内科'] }, mode: 'first', n: 100, shard: { index: 1, count: 2 } }),
      0,
    );
    expect(r.counts.total).toBe(1000);
    expect(r.counts.filtered).toBe(600);
    expect(r.counts.subset).toBe(100);
    expect(r.counts.shard).toBe(r.questions.length);
  });

  it('refuses invalid specs (links are checked by parseRunLink)', () => {
    expect(() => selectQuestions(qs, subset({ mode: 'first', n: null }), 0)).toThrow(RangeError);
    expect(() => selectQuestions(qs, subset({ mode: 'random', n: -1 }), 0)).toThrow(RangeError);
    expect(() => selectQuestions(qs, subset({ mode: 'stratified', n: 3 }), 0)).toThrow(RangeError);
    expect(() => selectQuestions(qs, subset({ shard: { index: 3, count: 2 } }), 0)).toThrow(
      RangeError,
    );
    expect(() => selectQuestions(qs, subset({ shard: { index: 0, count: 2 } }), 0)).toThrow(
      RangeError,
    );
  });
});
