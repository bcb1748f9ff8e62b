import { describe, expect, it } from 'vitest';
import {
  compareRuns,
  METRIC_NAMES,
  PROTOCOLS,
  resolveMetrics,
  scoreRecords,
} from '../../src/lib/scoring';
import type { ScoringRecord } from '../../src/lib/scoring/types';

/** A stand-in word segmenter: two characters per word. */
const pairs = (text: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 2) out.push(text.slice(i, i + 2));
  return out;
};

function rec(
  id: string,
  gold: string,
  prediction: string,
  status: ScoringRecord['status'],
  explanation: string | null,
  reference: string | null,
  annotations: Record<string, string> = {},
): ScoringRecord {
  return {
    questionId: id,
    row: Number(id.slice(1)),
    gold,
    prediction,
    status,
    explanation,
    reference,
    annotations,
    optionProbs: null,
  };
}

// Five synthetic questions:
//   q1  gold A,  parsed A ✓,  explanation 甲乙丙丁, reference 甲乙丙丁
//   q2  gold B,  parsed C ✗,  explanation 甲乙,     reference 甲乙丙丁
//   q3  gold AB, unparsed,    no explanation,      reference 丙丁
//   q4  gold D,  parsed D ✓,  explanation '',       reference null (blank)
//   q5  gold E,  error,       no explanation,      reference ''
const records: ScoringRecord[] = [
  rec('q1', 'A', 'A', 'parsed', '甲乙丙丁', '甲乙丙丁', { 'Difficulty level': '1', Group: 'x' }),
  rec('q2', 'B', 'C', 'parsed', '甲乙', '甲乙丙丁', { 'Difficulty level': '1', Group: 'y' }),
  rec('q3', 'AB', '', 'unparsed', null, '丙丁', { 'Difficulty level': '2', Group: 'x' }),
  rec('q4', 'D', 'D', 'parsed', '', null, { 'Difficulty level': '2', Group: '' }),
  rec('q5', 'E', '', 'error', null, '', { 'Difficulty level': '10' }),
];

/** nmt rouge_n F from P and R. */
const fN = (p: number, r: number) => 2 * ((p * r) / (p + r + 1e-8));
/** nmt ROUGE-L F from P and R. */
const fL = (p: number, r: number) => {
  const b2 = (p / (r + 1e-12)) ** 2;
  return ((1 + b2) * r * p) / (r + b2 * p + 1e-12);
};

describe('cmexam-char (evaluate_lora_result.py)', () => {
  const m = scoreRecords(records, { protocol: 'cmexam-char' }).metrics;

  it('scores accuracy over every question, unparsed = wrong', () => {
    // correct: q1, q4 → 2 of 5
    expect(m).toMatchObject({ n: 5, parsed: 3, unparsed: 2, errors: 1, correct: 2 });
    expect(m.accuracy).toBe(0.4);
    expect(m.accuracy_all).toBe(0.4);
    expect(m.accuracy_parsed).toBeCloseTo(2 / 3, 15);
    expect(m.unparsed_rate).toBe(0.4);
  });

  it('weighted F1 counts unparsed answers as their own label', () => {
    // gold A B AB D E, predicted A C 无答案 D 无答案. F per label: A 1, AB 0, B 0, C 0 (weight
    // 0), D 1, E 0, 无答案 0 (weight 0) → (1 + 0 + 0 + 1 + 0)/5 = 0.4
    expect(m.weighted_f1).toBeCloseTo(0.4, 15);
  });

  it('leaves out rows whose reference or explanation is missing', () => {
    // q3 has no explanation, q4 a null reference, q5 an empty reference → 2 scored
    expect(m.explanations_scored).toBe(2);
    expect(m.explanations_left_out).toBe(3);
  });

  it('computes character BLEU on the kept rows', () => {
    // Unigrams 4/4 + 2/2 = 1; lengths: translation 4 + 2 = 6, reference 4 + 4 = 8,
    // ratio 0.75, bp = exp(1 − 1/0.75) = exp(−1/3). Higher orders all match too
    // (2-grams 3/3 + 1/1, 3-grams 2/2, 4-grams 1/1), so BLEU-4 = bp as well.
    expect(m.bleu1).toBeCloseTo(100 * Math.exp(-1 / 3), 10);
    expect(m.bleu4).toBeCloseTo(100 * Math.exp(-1 / 3), 10);
  });

  it('computes ROUGE with the prediction as hypothesis', () => {
    // q1 identical: P = R = 1. q2 hyp 甲乙 vs ref 甲乙丙丁:
    //   ROUGE-1 P = 2/2, R = 2/4; ROUGE-2 P = 1/1, R = 1/3; ROUGE-L P = 1, R = ½
    expect(m.rouge1).toBeCloseTo((100 * (fN(1, 1) + fN(1, 0.5))) / 2, 10);
    expect(m.rouge2).toBeCloseTo((100 * (fN(1, 1) + fN(1, 1 / 3))) / 2, 10);
    expect(m.rougeL).toBeCloseTo((100 * (fL(1, 1) + fL(1, 0.5))) / 2, 10);
    expect(m.rouge1_p).toBeCloseTo(100, 10);
    expect(m.rouge1_r).toBeCloseTo(75, 10);
  });
});

describe('cmexam-jieba (evaluate_gpt_result.py)', () => {
  const m = scoreRecords(records, { protocol: 'cmexam-jieba', wordTokenizer: pairs }).metrics;

  it('scores accuracy and F1 over parsed answers only', () => {
    // parsed: q1 ✓, q2 ✗, q4 ✓ → 2/3 (accuracy over all questions is still reported: 2/5)
    expect(m.accuracy).toBeCloseTo(2 / 3, 15);
    expect(m.accuracy_parsed).toBeCloseTo(2 / 3, 15);
    expect(m.accuracy_all).toBe(0.4);
    // gold A B D, predicted A C D: A 1, B 0, C 0 (weight 0), D 1 → 2/3
    expect(m.weighted_f1).toBeCloseTo(2 / 3, 15);
  });

  it('keeps every row, blank explanations as empty strings', () => {
    expect(m.explanations_scored).toBe(5);
    expect(m.explanations_left_out).toBe(0);
  });

  it('computes BLEU on the injected word segmentation', () => {
    // References 甲乙|丙丁, 甲乙|丙丁, 丙丁, –, –; translations 甲乙|丙丁, 甲乙, –, –, –.
    // Unigrams 2/2 + 1/1 = 1; lengths 3 vs 2 + 2 + 1 = 5, ratio 0.6 → bp = exp(−2/3).
    // 3-grams: no translation has 3 words → no possible matches → precision 0 → BLEU-4 0.
    expect(m.bleu1).toBeCloseTo(100 * Math.exp(-2 / 3), 10);
    expect(m.bleu4).toBe(0);
  });

  it('computes ROUGE with the arguments swapped: the gold explanation is the hypothesis', () => {
    // hyp = reference text, ref = predicted text:
    //   q1 identical                  R1 (1, 1)    R2 (1, 1)      RL (1, 1)
    //   q2 甲乙丙丁 vs 甲乙            R1 (½, 1)    R2 (⅓, 1)      RL (½, 1)
    //   q3 丙丁 vs '' → ['']          all 0
    //   q4, q5: '' vs '' → [''] each  R1 (1, 1)    R2 0 (no bigrams)  RL (1, 1)
    const r1 = (fN(1, 1) + fN(0.5, 1) + 0 + fN(1, 1) + fN(1, 1)) / 5;
    const r2 = (fN(1, 1) + fN(1 / 3, 1)) / 5;
    const rl = (fL(1, 1) + fL(0.5, 1) + 0 + fL(1, 1) + fL(1, 1)) / 5;
    expect(m.rouge1).toBeCloseTo(100 * r1, 10);
    expect(m.rouge2).toBeCloseTo(100 * r2, 10);
    expect(m.rougeL).toBeCloseTo(100 * rl, 10);
    // P and R trade places compared with the char protocol's q2 (P 1, R ½ there).
    expect(m.rouge1_p).toBeCloseTo((100 * (1 + 0.5 + 0 + 1 + 1)) / 5, 10);
    expect(m.rouge1_r).toBeCloseTo((100 * (1 + 1 + 0 + 1 + 1)) / 5, 10);
  });

  it('refuses to run without a word tokenizer', () => {
    expect(() => scoreRecords(records, { protocol: 'cmexam-jieba' })).toThrow(/wordTokenizer/);
  });
});

describe('where the two protocols differ on the same records', () => {
  const char = scoreRecords(records, { protocol: 'cmexam-char' }).metrics;
  const jieba = scoreRecords(records, { protocol: 'cmexam-jieba', wordTokenizer: pairs }).metrics;

  it('headline accuracy: all questions vs parsed ones', () => {
    expect(char.accuracy).toBe(0.4);
    expect(jieba.accuracy).toBeCloseTo(2 / 3, 15);
    expect(char.accuracy_all).toBe(jieba.accuracy_all);
  });

  it('ROUGE on the same pair: F equal, P and R swapped', () => {
    const one = [records[1]];
    const a = scoreRecords(one, { protocol: 'cmexam-char' }).metrics;
    const b = scoreRecords(one, { protocol: 'cmexam-jieba', wordTokenizer: pairs }).metrics;
    expect(b.rouge1).toBe(a.rouge1);
    expect(b.rougeL).toBeCloseTo(a.rougeL as number, 9);
    expect([b.rouge1_p, b.rouge1_r]).toEqual([a.rouge1_r, a.rouge1_p]);
    expect([b.rougeL_p, b.rougeL_r]).toEqual([a.rougeL_r, a.rougeL_p]);
  });
});

describe('text metrics without explanations', () => {
  it('are null when no record has an explanation', () => {
    const none = records.map((r) => ({ ...r, explanation: null }));
    for (const protocol of ['cmexam-char', 'cmexam-jieba'] as const) {
      const m = scoreRecords(none, { protocol, wordTokenizer: pairs }).metrics;
      expect(m.bleu1).toBeNull();
      expect(m.rougeL).toBeNull();
      expect(m.explanations_scored).toBe(0);
      expect(m.explanations_left_out).toBe(5);
    }
  });
});

describe('breakdowns', () => {
  it('reports per-value accuracy, Wilson interval and F1, with micro and macro averages', () => {
    const r = scoreRecords(records, { protocol: 'cmexam-char' });
    // Group: x = q1 ✓, q3 ✗ → 1/2; y = q2 ✗ → 0/1; q4's blank value and q5's missing one
    // are not counted.
    expect(Object.keys(r.breakdowns.Group)).toEqual(['x', 'y']);
    expect(r.breakdowns.Group.x).toMatchObject({ n: 2, correct: 1, accuracy: 0.5 });
    expect(r.breakdowns.Group.y).toMatchObject({ n: 1, correct: 0, accuracy: 0 });
    // Group x F1: gold A, AB; predicted A, 无答案 → A: F 1 (weight 1), AB: 0 → ½
    expect(r.breakdowns.Group.x.weighted_f1).toBeCloseTo(0.5, 15);
    expect(r.breakdowns.Group.x.ci_low).toBeGreaterThan(0);
    expect(r.breakdowns.Group.x.ci_high).toBeLessThan(1);
    // micro = (1 + 0)/(2 + 1) = 1/3; macro = (½ + 0)/2 = ¼
    expect(r.breakdown_summary.Group.micro_accuracy).toBeCloseTo(1 / 3, 15);
    expect(r.breakdown_summary.Group.macro_accuracy).toBe(0.25);
    expect(r.breakdown_summary.Group.values).toBe(2);
  });

  it('orders numeric values numerically and reports difficulty levels', () => {
    const r = scoreRecords(records, { protocol: 'cmexam-char' });
    expect(Object.keys(r.breakdowns['Difficulty level'])).toEqual(['1', '2', '10']);
    // Level 1: q1 ✓, q2 ✗; level 2: q3 ✗ (unparsed), q4 ✓; level 10: q5 ✗ (error)
    expect(r.difficulty).toEqual({
      '1': expect.objectContaining({ n: 2, correct: 1, accuracy: 0.5 }),
      '2': expect.objectContaining({ n: 2, correct: 1, accuracy: 0.5 }),
      '10': expect.objectContaining({ n: 1, correct: 0, accuracy: 0 }),
    });
  });

  it('follows the jieba convention (parsed only) under cmexam-jieba', () => {
    const r = scoreRecords(records, { protocol: 'cmexam-jieba', wordTokenizer: pairs });
    // Level 2 keeps only q4 (q3 is unparsed) → 1/1; level 10 has no parsed answer → n 0.
    expect(r.difficulty!['2']).toMatchObject({ n: 1, correct: 1, accuracy: 1 });
    expect(r.difficulty!['10']).toMatchObject({ n: 0, correct: 0, accuracy: 0 });
    expect(r.breakdown_summary['Difficulty level'].values).toBe(2);
  });

  it('is empty, with null difficulty, when records carry no annotations', () => {
    const r = scoreRecords(
      records.map((x) => ({ ...x, annotations: {} })),
      { protocol: 'cmexam-char' },
    );
    expect(r.breakdowns).toEqual({});
    expect(r.difficulty).toBeNull();
    expect(r.calibration).toBeNull();
    expect(r.circular).toBeNull();
  });
});

describe('compareRuns', () => {
  it('pairs by question id and tests the discordant pairs', () => {
    // Run A correct on q1, q4. Run B: q1 ✓, q2 ✓, q3 ✓, q4 ✗, q5 ✗.
    //   both correct: q1; only A: q4; only B: q2, q3; both wrong: q5
    //   McNemar b = 1, c = 2: 2·P(X ≤ 1 | n = 3) = 2·(1 + 3)/8 = 1 → capped at 1
    const b = [
      rec('q1', 'A', 'A', 'parsed', null, null),
      rec('q2', 'B', 'B', 'parsed', null, null),
      rec('q3', 'AB', 'AB', 'parsed', null, null),
      rec('q4', 'D', '', 'unparsed', null, null),
      rec('q5', 'E', 'A', 'parsed', null, null),
      rec('q9', 'A', 'A', 'parsed', null, null), // only in run B: ignored
    ];
    const c = compareRuns(records, b);
    expect(c).toEqual({
      n_paired: 5,
      both_correct: 1,
      only_a: 1,
      only_b: 2,
      both_wrong: 1,
      p_value: 1,
      disagreements: ['q2', 'q3', 'q4'],
    });
  });
});

describe('registries', () => {
  it('register the protocols, and resolve the metrics each reports to their families', () => {
    expect(Object.keys(PROTOCOLS)).toEqual(['cmexam-char', 'cmexam-jieba']);
    expect(PROTOCOLS['cmexam-jieba'].rougeHypothesis).toBe('reference');
    // accuracy and bleu1 come from two families, each run once; unknown names are refused.
    expect(resolveMetrics(['accuracy', 'bleu1', 'weighted_f1']).map((f) => f.name)).toEqual([
      'answers',
      'explanations',
    ]);
    expect(() => resolveMetrics(['accuracy', 'distinct9'])).toThrow(/"distinct9"/);
    // What a protocol reports is exactly what its score holds, besides the protocol id.
    const score = scoreRecords([], { protocol: 'cmexam-char' });
    expect(Object.keys(score.metrics).sort()).toEqual(['protocol', ...METRIC_NAMES].sort());
    expect([...PROTOCOLS['cmexam-char'].reports].sort()).toEqual([...METRIC_NAMES].sort());
  });
});
