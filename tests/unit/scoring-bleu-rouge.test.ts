import { describe, expect, it } from 'vitest';
import {
  charTokensRouge,
  computeBleu,
  lcsLength,
  rougeCorpus,
  rougeL,
  rougeN,
  spacedChars,
} from '../../src/lib/scoring';
import { lcsLengthDp, lcsLengthIds } from '../../src/lib/scoring/rouge';

const chars = (s: string) => Array.from(s);
/** One reference per segment, as CMExam's bleu_score wraps them. */
const refs = (...r: string[]) => r.map((x) => [chars(x)]);
const hyps = (...h: string[]) => h.map(chars);

describe('nmt compute_bleu', () => {
  it('applies the brevity penalty exp(1 - 1/ratio) when the translation is shorter', () => {
    // Reference ABCDE (5), translation ABC (3): unigrams 3/3 = 1, ratio = 3/5 = 0.6,
    // bp = exp(1 - 1/0.6) = exp(-2/3) = 0.513417…
    const b1 = computeBleu(refs('ABCDE'), hyps('ABC'), 1);
    expect(b1.precisions).toEqual([1]);
    expect(b1.ratio).toBe(0.6);
    expect(b1.bp).toBeCloseTo(Math.exp(-2 / 3), 15);
    expect(b1.bleu * 100).toBeCloseTo(51.3417119032592, 10);
    // BLEU-4 of the same pair: a 3-token translation has no 4-gram at all, so the 4-gram
    // precision is 0 (no possible matches) and the geometric mean is 0.
    expect(computeBleu(refs('ABCDE'), hyps('ABC'), 4).bleu).toBe(0);
  });

  it('is 0 at order 4 when no 4-gram matches, whatever the lower orders', () => {
    // 甲乙丙戊丁 vs 甲乙丙丁戊: 5/5 unigrams, but neither 4-gram (甲乙丙戊, 乙丙戊丁) is in
    // the reference. Same length: ratio 1 is not > 1, bp = exp(1 - 1/1) = 1.
    const r = refs('甲乙丙丁戊');
    const h = hyps('甲乙丙戊丁');
    expect(computeBleu(r, h, 1).bleu).toBe(1);
    const b4 = computeBleu(r, h, 4);
    expect(b4.precisions[3]).toBe(0);
    expect(b4.bleu).toBe(0);
  });

  it('clips counts by the reference count', () => {
    // Translation AAAA against reference AB: A occurs 4 times but only once in the
    // reference → 1 match of 4 possible; ratio 4/2 = 2 > 1 → bp 1; BLEU-1 = 0.25.
    expect(computeBleu(refs('AB'), hyps('AAAA'), 1).bleu).toBe(0.25);
  });

  it('sums counts over the corpus before dividing (not a mean of sentence BLEU)', () => {
    // Segment 1: ABCDE = ABCDE. Segment 2: reference FGHIJ, translation FGHIK.
    //   1-grams: 5/5 + 4/5 → 9/10      2-grams: 4/4 + 3/4 → 7/8
    //   3-grams: 3/3 + 2/3 → 5/6       4-grams: 2/2 + 1/2 → 3/4
    //   lengths 10/10 → bp 1.  BLEU-4 = (0.9 · 0.875 · 5/6 · 0.75)^(1/4) = 0.4921875^(1/4)
    //   = 0.837592…, while the mean of the two sentence scores would be
    //   (1 + (0.8·0.75·(2/3)·0.5)^(1/4)) / 2 = (1 + 0.2^(1/4)) / 2 = 0.8344…
    const b = computeBleu(refs('ABCDE', 'FGHIJ'), hyps('ABCDE', 'FGHIK'), 4);
    expect(b.precisions[0]).toBeCloseTo(0.9, 15);
    expect(b.precisions[1]).toBeCloseTo(0.875, 15);
    expect(b.precisions[2]).toBeCloseTo(5 / 6, 15);
    expect(b.precisions[3]).toBeCloseTo(0.75, 15);
    expect(b.bleu).toBeCloseTo(0.837592239708627, 14);
  });

  it('takes a list of references per segment, clipping by the maximum count among them', () => {
    // References AB and AAC for translation AAA: A occurs at most 2 times in one reference
    // → 2 matches of 3. Reference length = the shortest, 2; ratio 3/2 > 1 → bp 1.
    const b = computeBleu([[chars('AB'), chars('AAC')]], hyps('AAA'), 1);
    expect(b.precisions[0]).toBeCloseTo(2 / 3, 15);
    expect(b.reference_length).toBe(2);
  });

  it('returns 0 where the Python divides by zero (empty translations or references)', () => {
    expect(computeBleu(refs('ABC'), [[]], 1).bleu).toBe(0);
    expect(computeBleu([[[]]], hyps('ABC'), 1).bleu).toBe(0);
  });
});

describe('nmt ROUGE', () => {
  it('ROUGE-N counts unique n-grams (sets), F = 2·PR/(P + R + 1e-8)', () => {
    // hyp 甲甲乙, ref 甲乙丙. Unigram sets {甲,乙} and {甲,乙,丙}: overlap 2 →
    // P = 2/2 = 1, R = 2/3, F = 2·(2/3 / (5/3 + 1e-8)).
    const r1 = rougeN(chars('甲甲乙'), chars('甲乙丙'), 1);
    expect(r1.p).toBe(1);
    expect(r1.r).toBeCloseTo(2 / 3, 15);
    expect(r1.f).toBeCloseTo(2 * (2 / 3 / (5 / 3 + 1e-8)), 15);
    // Bigram sets {甲甲, 甲乙} and {甲乙, 乙丙}: overlap 1 → P = R = ½, F = 2·(¼/(1 + 1e-8)).
    const r2 = rougeN(chars('甲甲乙'), chars('甲乙丙'), 2);
    expect(r2.f).toBeCloseTo(2 * (0.25 / (1 + 1e-8)), 15);
  });

  it('ROUGE-N is 0, not NaN, when nothing overlaps (the 1e-8 term)', () => {
    // P = R = 0 → F = 2·(0/(0 + 1e-8)) = 0.
    expect(rougeN(chars('甲'), chars('乙'), 1)).toEqual({ f: 0, p: 0, r: 0 });
    // One-token texts have no bigram: both sets empty → P = R = 0 by the edge-case rule.
    expect(rougeN(chars('甲'), chars('甲'), 2)).toEqual({ f: 0, p: 0, r: 0 });
  });

  it('ROUGE-L uses beta = P/R, not the harmonic mean', () => {
    // hyp 甲乙 (n = 2), ref 甲乙丙丁 (m = 4): LCS 2 → R = 2/4 = ½, P = 2/2 = 1,
    // beta = 1/(½ + 1e-12) ≈ 2, F = (1 + 4)·½·1 / (½ + 4·1) = 2.5/4.5 = 5/9 ≈ 0.5556
    // (the harmonic-mean F1 would be 2/3).
    const l = rougeL(chars('甲乙'), chars('甲乙丙丁'));
    expect(l.r).toBe(0.5);
    expect(l.p).toBe(1);
    expect(l.f).toBeCloseTo(5 / 9, 10);
    // Swapping hypothesis and reference swaps P and R; F = p·r·(p² + r²)/(p³ + r³) is
    // symmetric, so it only moves by the 1e-12 terms.
    const s = rougeL(chars('甲乙丙丁'), chars('甲乙'));
    expect([s.p, s.r]).toEqual([0.5, 1]);
    expect(s.f).toBeCloseTo(l.f, 10);
  });

  it('keeps the split(" ") tokens: a space is two empty tokens', () => {
    // 'a b' → ['a', '', '', 'b'], 'ab' → ['a', 'b'].
    //   ROUGE-1 sets {a, '', b} vs {a, b}: P = 2/3, R = 1, F = 2·(2/3 / (5/3 + 1e-8)) ≈ 0.8
    //   ROUGE-2 sets {(a,''), ('',''), ('',b)} vs {(a,b)}: no overlap → 0
    //   ROUGE-L: LCS 2, n = 4, m = 2 → P = ½, R = 1 → F = 5/9
    const h = charTokensRouge('a b');
    const r = charTokensRouge('ab');
    expect(rougeN(h, r, 1).f).toBeCloseTo(0.8, 7);
    expect(rougeN(h, r, 2).f).toBe(0);
    expect(rougeL(h, r).f).toBeCloseTo(5 / 9, 10);
  });

  it('an empty text is the token [""]: F 0 against text, ≈ 1 against another empty text', () => {
    const empty = charTokensRouge('');
    expect(rougeL(empty, chars('甲乙')).f).toBe(0);
    expect(rougeN(empty, chars('甲乙'), 1).f).toBe(0);
    // [''] vs ['']: one common unigram → P = R = 1 → F = 2·(1/(2 + 1e-8)) = 0.999999995;
    // LCS 1 of lengths 1 and 1 → F = (1 + β²)/(1 + β² + 1e-12) with β = 1/(1 + 1e-12).
    expect(rougeN(empty, empty, 1).f).toBe(2 * (1 / (2 + 1e-8)));
    expect(rougeN(empty, empty, 2).f).toBe(0);
    expect(rougeL(empty, empty).f).toBeCloseTo(1, 11);
    // A truly empty token list (never produced by split(" ")) scores 0 instead of dividing by 0.
    expect(rougeL([], chars('甲')).f).toBe(0);
  });

  it('rouge() averages the per-pair scores', () => {
    // Pair 1 identical (F ≈ 1); pair 2 is the ROUGE-L example above (F = 5/9).
    const r = rougeCorpus(
      [spacedChars('甲乙丙'), spacedChars('甲乙')],
      [spacedChars('甲乙丙'), spacedChars('甲乙丙丁')],
    );
    expect(r.rouge_l.f).toBeCloseTo((1 + 5 / 9) / 2, 10);
  });
});

describe('LCS', () => {
  it('matches a hand-worked case', () => {
    // ABCBDAB / BDCABA: LCS length 4 (e.g. BCBA).
    expect(lcsLength(chars('ABCBDAB'), chars('BDCABA'))).toBe(4);
    expect(lcsLength([], chars('A'))).toBe(0);
  });

  it('bit-parallel LCS equals the dynamic programme across word boundaries', () => {
    let seed = 42;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const lengths = [0, 1, 2, 31, 32, 33, 63, 64, 65, 97, 130, 200];
    for (let t = 0; t < 300; t++) {
      const alphabet = 1 + Math.floor(rnd() * 30);
      const make = () =>
        Int32Array.from(
          { length: lengths[Math.floor(rnd() * lengths.length)] },
          () => 1 + Math.floor(rnd() * alphabet),
        );
      const a = make();
      const b = make();
      expect(lcsLengthIds(a, b)).toBe(lcsLengthDp(a, b));
    }
  });
});
