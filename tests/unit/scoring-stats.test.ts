import { describe, expect, it } from 'vitest';
import { binomCdfHalf, mcnemarExact, npMean, npSum, wilson, Z95 } from '../../src/lib/scoring';

describe('Wilson score interval', () => {
  it('matches known values', () => {
    // 5/10: p = ½, z² = 3.8415, denom = 1.38415, centre = (0.5 + 0.19207)/1.38415 = 0.5,
    // half = 1.96·√(0.025 + 0.0096)/1.38415 = 0.26341 → [0.236593, 0.763407]
    // (statsmodels proportion_confint(5, 10, method='wilson') gives the same).
    const a = wilson(5, 10);
    expect(a.low).toBeCloseTo(0.236593090512564, 12);
    expect(a.high).toBeCloseTo(0.7634069094874361, 12);
    // 0/10: the lower end is 0, the upper end z²/(n + z²) = 3.8415/13.8415 = 0.27753.
    const b = wilson(0, 10);
    expect(b.low).toBe(0);
    expect(b.high).toBeCloseTo(0.2775327998628892, 12);
    const c = wilson(81, 263);
    expect(c.low).toBeCloseTo(0.2552885198782742, 12);
    expect(c.high).toBeCloseTo(0.36620957698280004, 12);
    expect(Z95).toBe(1.959963984540054);
  });

  it('gives [0, 1] with no observations', () => {
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe("McNemar's exact test", () => {
  it('is 2·P(X ≤ min(b, c)), X ~ Bin(b + c, ½)', () => {
    // b = 1, c = 5: n = 6, P(X ≤ 1) = (C(6,0) + C(6,1))/2⁶ = 7/64 → p = 14/64 = 0.21875
    expect(mcnemarExact(1, 5)).toBeCloseTo(0.21875, 15);
    expect(mcnemarExact(5, 1)).toBeCloseTo(0.21875, 15);
    // b = 0, c = 6: P(X ≤ 0) = 1/64 → p = 2/64 = 0.03125
    expect(mcnemarExact(0, 6)).toBeCloseTo(0.03125, 15);
    // b = 2, c = 12: (1 + 14 + 91)/2¹⁴ = 106/16384 → p = 212/16384 = 0.012939453125
    expect(mcnemarExact(2, 12)).toBeCloseTo(0.012939453125, 15);
  });

  it('caps at 1 and is 1 without discordant pairs', () => {
    // b = c = 3: 2·(1 + 6 + 15 + 20)/64 = 84/64 > 1 → 1
    expect(mcnemarExact(3, 3)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
  });

  it('stays accurate past the direct-sum range (log space)', () => {
    // Exact value from rational arithmetic: 2·Σ_{k≤600} C(1300, k)/2¹³⁰⁰.
    expect(mcnemarExact(600, 700)).toBeCloseTo(0.0060157938610449525, 12);
    expect(binomCdfHalf(650, 1300)).toBeGreaterThan(0.5);
  });
});

describe('numpy-compatible sums', () => {
  it('adds 8 running partial sums inside a block, as numpy does', () => {
    // 16 values: 1e16, seven 1s, −1e16, seven 1s. Left to right, each 1 added to 1e16 is
    // lost (the spacing of doubles there is 2): 1e16 + … − 1e16 + 7 = 7. numpy keeps eight
    // partial sums (r0 = 1e16 − 1e16 = 0, r1..r7 = 1 + 1 = 2) → 14, which np.sum returns.
    const v = [1e16, 1, 1, 1, 1, 1, 1, 1, -1e16, 1, 1, 1, 1, 1, 1, 1];
    let seq = 0;
    for (const x of v) seq += x;
    expect(seq).toBe(7);
    expect(npSum(v)).toBe(14);
    expect(npMean(v)).toBe(14 / 16);
  });

  it('sums short arrays left to right; the mean of nothing is NaN like numpy', () => {
    expect(npSum([0.1, 0.2, 0.3])).toBe(0.1 + 0.2 + 0.3);
    expect(Number.isNaN(npMean([]))).toBe(true);
  });
});
