import { describe, expect, it } from 'vitest';
import { MERGE_METHODS } from '../../src/lib/merge/methods/registry';
import {
  kthLargestMagnitude,
  pruneByMagnitude,
  pruneRandom,
} from '../../src/lib/merge/methods/sparsify';
import { mulberry32 } from '../../src/lib/random';
import type { TensorMergeInput } from '../../src/lib/merge/methods/types';

const f = (xs: number[]) => Float32Array.from(xs);

function input(
  over: Partial<TensorMergeInput> & Pick<TensorMergeInput, 'base' | 'models' | 'perModel'>,
): TensorMergeInput {
  return {
    tensorName: 'blk.0.attn_q.weight',
    lambda: 1,
    normalize: false,
    t: 0.5,
    seed: 0,
    ...over,
  };
}

function close(actual: Float32Array, expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}

describe('linear', () => {
  it('averages the fine-tunes by normalised weights', () => {
    // (0.75·[1,2] + 0.25·[3,6]) / 1 = [1.5, 3]
    const out = MERGE_METHODS.linear.merge(
      input({
        base: f([9, 9]),
        models: [f([1, 2]), f([3, 6])],
        perModel: [
          { weight: 3, density: 1 },
          { weight: 1, density: 1 },
        ],
        normalize: true,
      }),
    );
    close(out, [(3 * 1 + 3) / 4, (3 * 2 + 6) / 4]);
  });
  it('refuses weights that sum to 0 under normalisation', () => {
    expect(() =>
      MERGE_METHODS.linear.merge(
        input({
          base: f([0]),
          models: [f([1]), f([2])],
          perModel: [
            { weight: 1, density: 1 },
            { weight: -1, density: 1 },
          ],
          normalize: true,
        }),
      ),
    ).toThrow(/sum to 0/);
  });
});

describe('task arithmetic', () => {
  it('adds λ times the weighted task vectors to the base', () => {
    // base [1, 1]; deltas [1, -1] and [2, 2]; 0.5·d1 + 1·d2 = [2.5, 1.5]; λ 2 → [6, 4]
    const out = MERGE_METHODS['task-arithmetic'].merge(
      input({
        base: f([1, 1]),
        models: [f([2, 0]), f([3, 3])],
        perModel: [
          { weight: 0.5, density: 1 },
          { weight: 1, density: 1 },
        ],
        lambda: 2,
      }),
    );
    close(out, [6, 4]);
  });
  it('divides by 1 when normalised weights sum to 0 (mergekit guard)', () => {
    // deltas [1] and [3]; 1·1 + (−1)·3 = −2; divisor 0 → 1: base 0 + −2
    const out = MERGE_METHODS['task-arithmetic'].merge(
      input({
        base: f([0]),
        models: [f([1]), f([3])],
        perModel: [
          { weight: 1, density: 1 },
          { weight: -1, density: 1 },
        ],
        normalize: true,
      }),
    );
    close(out, [-2]);
  });
});

describe('ties', () => {
  const base = f([0, 0, 0, 0]);
  it('trims, elects signs by the weighted sum and averages the agreeing entries', () => {
    // d1 = [4, -1, 2, 0.5] keep top 2 → [4, 0, 2, 0]; d2 = [-1, -3, 1, 2] keep top 2 → [0, -3, 0, 2]
    // weights 1, 1: element 0: 4 (+) → 4/1; element 1: −3 → −3/1; element 2: 2 → 2; element 3: 2 → 2
    const out = MERGE_METHODS.ties.merge(
      input({
        base,
        models: [f([4, -1, 2, 0.5]), f([-1, -3, 1, 2])],
        perModel: [
          { weight: 1, density: 0.5 },
          { weight: 1, density: 0.5 },
        ],
        normalize: true,
      }),
    );
    close(out, [4, -3, 2, 2]);
  });
  it('drops the entries that disagree with the elected sign', () => {
    // density 1; element 0: 0.6·2 + 0.4·(−1) = 0.8 > 0 → keep model 1 only: 1.2 / 0.6 = 2
    // element 1: 0.6·(−1) + 0.4·3 = 0.6 > 0 → model 2 only: 1.2 / 0.4 = 3
    const out = MERGE_METHODS.ties.merge(
      input({
        base: f([0, 0]),
        models: [f([2, -1]), f([-1, 3])],
        perModel: [
          { weight: 0.6, density: 1 },
          { weight: 0.4, density: 1 },
        ],
        normalize: true,
      }),
    );
    close(out, [2, 3]);
  });
  it('elects + on an exact tie of the sum, and zero deltas never vote', () => {
    // element 0: 1·2 + 1·(−2) = 0 → + elected: only 2 counts → 2/1 = 2
    // element 1: both deltas 0 → nothing agrees, divisor 0 → 0 (base stays)
    const out = MERGE_METHODS.ties.merge(
      input({
        base: f([1, 1]),
        models: [f([3, 1]), f([-1, 1])],
        perModel: [
          { weight: 1, density: 1 },
          { weight: 1, density: 1 },
        ],
        normalize: true,
      }),
    );
    close(out, [1 + 2, 1]);
  });
  it('density → 0 keeps no entry: the base comes back', () => {
    const out = MERGE_METHODS.ties.merge(
      input({
        base: f([1, 2, 3]),
        models: [f([5, 5, 5])],
        perModel: [{ weight: 1, density: 0.1 }],
        normalize: true,
      }),
    );
    close(out, [1, 2, 3]);
  });
});

describe('sparsify', () => {
  it('finds the k-th largest magnitude without sorting, counting ties', () => {
    const values = f([0.5, -3, 2, -2, 1, 7]);
    // magnitudes sorted: 7, 3, 2, 2, 1, 0.5 → 3rd and 4th are 2; strictly greater than 2: 2 entries
    const { thresholdBits, greater } = kthLargestMagnitude(values, 3);
    expect(new Float32Array(new Uint32Array([thresholdBits]).buffer)[0]).toBe(2);
    expect(greater).toBe(2);
  });
  it('keeps exactly ⌊density·n⌋ entries, ties in index order', () => {
    // n 6, density 0.5 → k 3: 7, −3 and the first 2 (index 2)
    expect(Array.from(pruneByMagnitude(f([0.5, -3, 2, -2, 1, 7]), 0.5))).toEqual([
      0, -3, 2, 0, 0, 7,
    ]);
    expect(Array.from(pruneByMagnitude(f([1, -2]), 1))).toEqual([1, -2]);
  });
  it('agrees with a full sort on random data', () => {
    const rng = mulberry32(7);
    const values = Float32Array.from({ length: 5000 }, () => (rng() - 0.5) * 10);
    const sorted = Array.from(values, Math.abs).sort((a, b) => b - a);
    const kept = pruneByMagnitude(values.slice(), 0.3);
    const k = Math.floor(0.3 * 5000);
    expect(kept.filter((v) => v !== 0).length).toBe(k);
    expect(
      Math.min(
        ...Array.from(kept)
          .filter((v) => v !== 0)
          .map(Math.abs),
      ),
    ).toBe(sorted[k - 1]);
  });
  it('DARE keeps about density of the entries and rescales them by 1/density', () => {
    const n = 100_000;
    const out = pruneRandom(new Float32Array(n).fill(1), 0.3, mulberry32(1));
    const kept = out.filter((v) => v !== 0);
    // binomial(100000, 0.3): sd = sqrt(n·p·(1−p)) ≈ 145; 4 sd ≈ 580
    expect(Math.abs(kept.length - 30_000)).toBeLessThan(580);
    kept.forEach((v) => expect(v).toBeCloseTo(1 / 0.3, 5));
  });
});

describe('dare', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: number) =>
      MERGE_METHODS['dare-ties'].merge(
        input({
          base: new Float32Array(64),
          models: [Float32Array.from({ length: 64 }, (_, i) => i - 32)],
          perModel: [{ weight: 1, density: 0.5 }],
          seed,
        }),
      );
    expect(Array.from(run(3))).toEqual(Array.from(run(3)));
    expect(Array.from(run(3))).not.toEqual(Array.from(run(4)));
  });
  it('density 1 is plain task arithmetic', () => {
    const out = MERGE_METHODS['dare-linear'].merge(
      input({ base: f([1, 1]), models: [f([2, 3])], perModel: [{ weight: 0.5, density: 1 }] }),
    );
    close(out, [1.5, 2]);
  });
});

describe('slerp', () => {
  it('interpolates on the circle between orthogonal tensors', () => {
    // v0 = [1, 0], v1 = [0, 1]: θ = π/2; t = 0.5 → sin(π/4)/1 each = [0.7071, 0.7071]
    const out = MERGE_METHODS.slerp.merge(
      input({
        base: f([1, 0]),
        models: [f([0, 1])],
        perModel: [{ weight: 1, density: 1 }],
        t: 0.5,
      }),
    );
    close(out, [Math.SQRT1_2, Math.SQRT1_2]);
  });
  it('falls back to linear interpolation for near-parallel tensors; t 0 is the base', () => {
    // [1, 2] and [2, 4] are parallel: (1 − 0.25)·v0 + 0.25·v1 = [1.25, 2.5]
    close(
      MERGE_METHODS.slerp.merge(
        input({
          base: f([1, 2]),
          models: [f([2, 4])],
          perModel: [{ weight: 1, density: 1 }],
          t: 0.25,
        }),
      ),
      [1.25, 2.5],
    );
    close(
      MERGE_METHODS.slerp.merge(
        input({
          base: f([1, 0]),
          models: [f([0, 1])],
          perModel: [{ weight: 1, density: 1 }],
          t: 0,
        }),
      ),
      [1, 0],
    );
  });
});
