import { describe, expect, it } from 'vitest';
import {
  distinct,
  outputAsScored,
  scoreOpen,
  type OpenRecord,
} from '../../src/lib/scoring/open-score';
import { TokenIds } from '../../src/lib/scoring/token-ids';

/** A stand-in word segmenter with a fixed dictionary (longest match, else one character). */
const DICTIONARY = ['休息', '喝水'];
function segment(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const word = DICTIONARY.find((w) => text.startsWith(w, i)) ?? text[i];
    out.push(word);
    i += word.length;
  }
  return out;
}

const record = (row: number, output: string | null, refs: string[], source = 'a'): OpenRecord => ({
  questionId: `t/${row}`,
  row,
  output,
  references: refs,
  annotations: { source },
});

describe('qilin-open', () => {
  it('one item: spaces leave the output only, BLEU on words, ROUGE crossed, by hand', () => {
    // ref 多休息多喝水 → words 多|休息|多|喝水 (4); output "多 休息" → "多休息" → 多|休息 (2).
    const { metrics, items } = scoreOpen([record(0, '多 休息', ['多休息多喝水'])], {
      protocol: 'qilin-open',
      wordTokenizer: segment,
    });
    // BLEU-1: 2/2 matched; BP = exp(1 - 4/2) = e^-1. BLEU-2: (多,休息) 1/1 → same. BLEU-4: no 3-gram → 0.
    expect(metrics.bleu1).toBeCloseTo(100 * Math.exp(-1), 9);
    expect(metrics.bleu2).toBeCloseTo(100 * Math.exp(-1), 9);
    expect(metrics.bleu4).toBe(0);
    // ROUGE, the reference as hypothesis: chars {多,休,息,喝,水} (5) vs output {多,休,息} (3).
    // P = 3/5, R = 3/3, F = 2·0.6/1.6 = 0.75. R-2: bigram sets 5 vs 2, overlap 2: F = 0.8/1.4.
    // R-L: LCS 3, r = 3/3 (output length), p = 3/6, β = 0.5: F = 1.25·0.5/(1 + 0.25·0.5) = 5/9.
    expect(metrics.rouge1).toBeCloseTo(75, 5);
    expect(metrics.rouge1_p).toBeCloseTo(60, 9);
    expect(metrics.rouge1_r).toBeCloseTo(100, 9);
    expect(metrics.rouge2).toBeCloseTo((100 * 0.8) / 1.4, 5);
    expect(metrics.rougeL).toBeCloseTo((100 * 5) / 9, 5);
    // Distinct on the output's words 多|休息: 2 of 2 unigrams, 1 of 1 bigram.
    expect(metrics).toMatchObject({
      n: 1,
      distinct1: 100,
      distinct2: 100,
      avg_length: 3,
      empty: 0,
    });
    expect(items[0].bleu1).toBeCloseTo(100 * Math.exp(-1), 9);
    expect(items[0].rougeL).toBeCloseTo((100 * 5) / 9, 5);
  });

  it('a corpus with an empty output (kept as ""), repeats for Distinct, and breakdowns, by hand', () => {
    const records = [
      record(0, '多 休息', ['多休息多喝水']),
      record(1, '   ', ['休息'], 'b'), // spaces only → "" (empty)
      record(2, '喝水喝水', ['喝水']),
    ];
    const { metrics, breakdowns } = scoreOpen(records, {
      protocol: 'qilin-open',
      wordTokenizer: segment,
    });
    // BLEU-1 matches/possible: item 0 2/2, item 1 0/0, item 2 喝水 clipped to 1 of 2 → 3/4.
    // Lengths: output 2+0+2 = 4 words, reference 4+1+1 = 6 → BP = exp(1 - 6/4) = e^-0.5.
    expect(metrics.bleu1).toBeCloseTo(100 * 0.75 * Math.exp(-0.5), 9);
    // Bigrams: item 0 1/1, item 2 (喝水,喝水) 0/1 → 1/2; BLEU-2 = sqrt(0.75·0.5)·e^-0.5.
    expect(metrics.bleu2).toBeCloseTo(100 * Math.sqrt(0.375) * Math.exp(-0.5), 9);
    // ROUGE per item then the mean. Item 1: ["休","息"] vs [""] → 0. Item 2: {喝,水} vs {喝,水}: F-1 ≈ 1;
    // bigrams {喝水} vs {喝水,水喝}: P 1, R 1/2, F 2/3; LCS 2, r = 2/4, p = 2/2, β = 2: F = 5·0.5/4.5 = 5/9.
    expect(metrics.rouge1).toBeCloseTo((100 * (0.75 + 0 + 1)) / 3, 5);
    expect(metrics.rouge2).toBeCloseTo((100 * (0.8 / 1.4 + 0 + 2 / 3)) / 3, 5);
    expect(metrics.rougeL).toBeCloseTo((100 * (5 / 9 + 0 + 5 / 9)) / 3, 5);
    // Distinct: words 多 休息 | (none) | 喝水 喝水 → 3 distinct of 4 unigrams; bigrams 2 of 2.
    expect(metrics.distinct1).toBeCloseTo(75, 9);
    expect(metrics.distinct2).toBe(100);
    expect(metrics.avg_length).toBeCloseTo(7 / 3, 9); // 3 + 0 + 4 characters
    expect(metrics.empty).toBe(1);
    // Breakdown 'a' = items 0 and 2: BLEU-1 3/4 with BP exp(1 - 5/4); 'b' = the empty one: all 0.
    expect(breakdowns.source.a.bleu1).toBeCloseTo(100 * 0.75 * Math.exp(-0.25), 9);
    expect(breakdowns.source.a.n).toBe(2);
    expect(breakdowns.source.b).toMatchObject({
      n: 1,
      bleu1: 0,
      rouge1: 0,
      distinct1: 0,
      empty: 1,
    });
  });

  it('several references: BLEU clips by all and takes the shortest length; ROUGE the best reference', () => {
    const { metrics } = scoreOpen([record(0, '多休息', ['喝水', '多休息'])], {
      protocol: 'qilin-open',
      wordTokenizer: segment,
    });
    // 多|休息 both found in reference 2: 2/2; reference length min(1, 2) = 1 < 2 → BP 1.
    expect(metrics.bleu1).toBeCloseTo(100, 9);
    // Against 多休息 itself: F-1 = 2·1·1/(2 + 1e-8).
    expect(metrics.rouge1).toBeCloseTo(100, 5);
  });

  it('only U+0020 goes: tabs, newlines and ideographic spaces stay', () => {
    expect(outputAsScored('a b\tc\u3000d\n e')).toBe('ab\tc\u3000d\ne');
    expect(outputAsScored(null)).toBe('');
  });
});

describe('open-char', () => {
  it('BLEU on characters: 多休息 against 多休息多喝水, by hand', () => {
    const { metrics } = scoreOpen([record(0, '多休息', ['多休息多喝水'])], {
      protocol: 'open-char',
      wordTokenizer: segment,
    });
    // Unigrams 3/3, bigrams 多休 休息 2/2, trigram 1/1, no 4-gram → BLEU-4 0; BP = exp(1 - 6/3) = e^-1.
    expect(metrics.bleu1).toBeCloseTo(100 * Math.exp(-1), 9);
    expect(metrics.bleu2).toBeCloseTo(100 * Math.exp(-1), 9);
    expect(metrics.bleu4).toBe(0);
    expect(metrics.protocol).toBe('open-char');
    // Distinct stays on words: 多|休息.
    expect(metrics.distinct1).toBe(100);
  });
});

describe('Distinct-n', () => {
  it('counts distinct n-grams over all, never across two outputs', () => {
    const ids = new TokenIds();
    const [d1, d2] = distinct([ids.encode(['x', 'y', 'x', 'y']), ids.encode(['y', 'x'])]);
    // Unigrams: 6 in all, {x, y} → 2/6. Bigrams: xy yx xy | yx → 4 in all, {xy, yx} → 2/4.
    expect(d1).toBeCloseTo(2 / 6, 12);
    expect(d2).toBeCloseTo(2 / 4, 12);
    expect(distinct([ids.encode([])])).toEqual([0, 0]);
  });
});
