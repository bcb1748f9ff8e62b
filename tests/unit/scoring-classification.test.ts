import { describe, expect, it } from 'vitest';
import {
  accuracy,
  precisionRecallFscoreWeighted,
  UNPARSED_LABEL,
  weightedF1,
} from '../../src/lib/scoring';

describe('accuracy', () => {
  it('is exact match of answer strings', () => {
    // 'AB' vs 'A' is wrong: multi-answer strings must match whole.
    expect(accuracy(['A', 'AB', 'C', 'D'], ['A', 'A', 'C', 'B'])).toBe(0.5);
    expect(accuracy([], [])).toBe(0);
  });
});

describe("weighted F1 (scikit-learn average='weighted')", () => {
  it('treats multi-answer strings and the unparsed marker as labels of their own', () => {
    const golds = ['A', 'B', 'AB', 'C', 'A'];
    const preds = ['A', 'C', 'AB', UNPARSED_LABEL, 'B'];
    // Labels, sorted by code point: A, AB, B, C, 无答案.
    //   A:  tp 1, predicted 1, support 2 → P 1,   R 1/2, F = 2·1·½/(1+½) = 2/3
    //   AB: tp 1, predicted 1, support 1 → P 1,   R 1,   F 1
    //   B:  tp 0, predicted 1, support 1 → F 0
    //   C:  tp 0, predicted 1, support 1 → F 0
    //   无答案: tp 0, predicted 1, support 0 → P 0, R 0/0 → 0, F 0, weight 0
    // Weighted F = (2/3·2 + 1·1 + 0·1 + 0·1 + 0·0) / 5 = (7/3)/5 = 7/15
    // Weighted P = (1·2 + 1·1) / 5 = 3/5;  weighted R = (½·2 + 1) / 5 = 2/5 = accuracy
    const r = precisionRecallFscoreWeighted(golds, preds);
    expect(r.fscore).toBeCloseTo(7 / 15, 15);
    expect(r.precision).toBeCloseTo(3 / 5, 15);
    expect(r.recall).toBeCloseTo(2 / 5, 15);
    expect(r.labels.map((l) => l.label)).toEqual(['A', 'AB', 'B', 'C', UNPARSED_LABEL]);
    expect(r.labels[4]).toMatchObject({ tp: 0, pred: 1, support: 0, f: 0 });
    expect(weightedF1(golds, preds)).toBe(r.fscore);
  });

  it('a label only in the predictions adds 0 and weighs 0', () => {
    // Gold A, A; predicted A, X. X never occurs in gold: its recall is 0/0 → 0, weight 0.
    //   A: tp 1, predicted 1, support 2 → P 1, R ½, F 2/3;   X: F 0, weight 0
    // Weighted F = (2/3·2 + 0·0) / 2 = 2/3 — the same as without label X,
    // the miss still lowers A's recall.
    expect(weightedF1(['A', 'A'], ['A', 'X'])).toBeCloseTo(2 / 3, 15);
  });

  it('a gold label never predicted has precision 0/0 → 0 and F 0, weighted by support', () => {
    // Gold A, B; predicted A, A.
    //   A: tp 1, predicted 2, support 1 → P ½, R 1, F = 2·½·1/(½+1) = 2/3
    //   B: predicted 0 → P 0/0 → 0, R 0 → F 0 (denominator 0 replaced by 1)
    // Weighted F = (2/3·1 + 0·1)/2 = 1/3; weighted P = (½·1 + 0·1)/2 = ¼
    const r = precisionRecallFscoreWeighted(['A', 'B'], ['A', 'A']);
    expect(r.fscore).toBeCloseTo(1 / 3, 15);
    expect(r.precision).toBeCloseTo(1 / 4, 15);
  });

  it('is 0 with no rows', () => {
    expect(weightedF1([], [])).toBe(0);
  });
});
