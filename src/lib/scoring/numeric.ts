/**
 * Numeric helpers shared by the metrics: numpy-compatible sums and means, the Wilson score
 * interval, and McNemar's exact test.
 *
 * Why a numpy-style sum: the reference code averages ROUGE scores with `np.mean`
 * (tensorflow/nmt `nmt/scripts/rouge.py`, `rouge()`) and weights F1 with `np.average`
 * (scikit-learn's weighted average). numpy adds float64 arrays by pairwise summation (blocks of
 * at most 128 values, eight running partial sums inside a block), which is not the same
 * left-to-right sum in the last bits. `npSum` follows that scheme, so our means match numpy
 * bit for bit (checked against numpy on random arrays of 1–9,000 values); it is deterministic
 * for a given order of the inputs, which is always record order here.
 */

const BLOCK = 128;

function pairwise(values: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += values[start + i];
    return res;
  }
  if (n <= BLOCK) {
    const r0 = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r0[j] = values[start + j];
    let i = 8;
    const whole = n - (n % 8);
    for (; i < whole; i += 8) {
      for (let j = 0; j < 8; j++) r0[j] += values[start + i + j];
    }
    // numpy's order: ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)).
    const left = r0[0] + r0[1] + (r0[2] + r0[3]);
    const right = r0[4] + r0[5] + (r0[6] + r0[7]);
    let res = left + right;
    for (; i < n; i++) res += values[start + i];
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwise(values, start, half) + pairwise(values, start + half, n - half);
}

/** `np.sum` of a float64 array: `0.0 + pairwise_sum(values)`. */
export function npSum(values: ArrayLike<number>): number {
  return 0 + pairwise(values, 0, values.length);
}

/** `np.mean`: the numpy sum divided by the count; NaN for no values, as numpy gives. */
export function npMean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  return npSum(values) / values.length;
}

/** Left-to-right sum in the given order (Python's `sum`). */
export function seqSum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

/** z for a two-sided 95% interval: the 0.975 quantile of the standard normal. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for `correct` successes out of `n` (the formula statsmodels'
 * `proportion_confint(method='wilson')` uses). With `n = 0` there is no information: [0, 1].
 */
export function wilson(correct: number, n: number, z: number = Z95): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = correct / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/**
 * P(X <= k) for X ~ Binomial(n, 1/2). Up to n = 1000 the probabilities are summed directly
 * (0.5^1000 is still a normal double); beyond that in log space, to avoid underflow.
 */
export function binomCdfHalf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (n <= 1000) {
    let term = Math.pow(0.5, n);
    let sum = term;
    for (let i = 0; i < k; i++) {
      term = (term * (n - i)) / (i + 1);
      sum += term;
    }
    return Math.min(1, sum);
  }
  const logs: number[] = [];
  let lt = -n * Math.LN2;
  logs.push(lt);
  for (let i = 0; i < k; i++) {
    lt += Math.log(n - i) - Math.log(i + 1);
    logs.push(lt);
  }
  let max = -Infinity;
  for (const v of logs) if (v > max) max = v;
  let s = 0;
  for (const v of logs) s += Math.exp(v - max);
  return Math.min(1, Math.exp(max + Math.log(s)));
}

/**
 * McNemar's exact test on the discordant pairs: `b` = only run A correct, `c` = only run B
 * correct. Two-sided p = min(1, 2 · P(X <= min(b, c))), X ~ Binomial(b + c, 1/2) (the exact
 * variant of statsmodels' `mcnemar`). No discordant pairs: p = 1.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomCdfHalf(Math.min(b, c), n));
}
