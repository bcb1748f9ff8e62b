import { describe, expect, it } from 'vitest';
import {
  brierScore,
  calibration,
  circular,
  expectedCalibrationError,
  positionBias,
} from '../../src/lib/scoring';
import type { ScoringRecord } from '../../src/lib/scoring/types';

function rec(partial: Partial<ScoringRecord> & { gold: string }): ScoringRecord {
  return {
    questionId: partial.questionId ?? `q-${partial.gold}-${Math.random()}`,
    row: 0,
    prediction: '',
    status: 'parsed',
    explanation: null,
    reference: null,
    annotations: {},
    optionProbs: null,
    ...partial,
  };
}

describe('calibration', () => {
  // Four questions (top option = highest probability):
  //  1. gold A,  {A .9,  B .1}        top A .9,  correct   Brier (.9−1)² + .1²        = .02
  //  2. gold B,  {A .95, B .05}       top A .95, wrong     Brier .95² + (.05−1)²      = 1.805
  //  3. gold C,  {A .3,  B .3, C .4}  top C .4,  correct   Brier .09 + .09 + (.4−1)²  = .54
  //  4. gold AB, {A .6,  B .4}        top A .6,  wrong (a multi-answer gold is never one
  //     letter); Brier with multi-hot y: (.6−1)² + (.4−1)²                            = .52
  // Brier = (.02 + 1.805 + .54 + .52)/4 = 2.885/4 = 0.72125
  // Bins: [0.9, 1.0] holds 1 and 2 → confidence (.9 + .95)/2 = .925, accuracy ½;
  //       [0.4, 0.5) holds 3 → |1 − .4| = .6;  [0.6, 0.7) holds 4 → |0 − .6| = .6
  // ECE = 2/4·|.5 − .925| + 1/4·.6 + 1/4·.6 = .2125 + .15 + .15 = 0.5125
  const records = [
    rec({ gold: 'A', prediction: 'A', optionProbs: { A: 0.9, B: 0.1 } }),
    rec({ gold: 'B', prediction: 'A', optionProbs: { A: 0.95, B: 0.05 } }),
    rec({ gold: 'C', prediction: 'C', optionProbs: { A: 0.3, B: 0.3, C: 0.4 } }),
    rec({ gold: 'AB', prediction: 'A', optionProbs: { A: 0.6, B: 0.4 } }),
    rec({ gold: 'D', prediction: 'D' }), // no probabilities: not counted
  ];

  it('computes ECE with 10 bins and the Brier score on a 4-question example', () => {
    const c = calibration(records);
    expect(c).not.toBeNull();
    expect(c!.n).toBe(4);
    expect(c!.brier).toBeCloseTo(0.72125, 12);
    expect(c!.ece).toBeCloseTo(0.5125, 12);
    expect(c!.bins).toHaveLength(10);
    expect(c!.bins[9]).toMatchObject({ lo: 0.9, hi: 1, n: 2, accuracy: 0.5 });
    expect(c!.bins[9].confidence).toBeCloseTo(0.925, 12);
    expect(c!.bins[4]).toMatchObject({ n: 1, accuracy: 1 });
    expect(c!.bins[6]).toMatchObject({ n: 1, accuracy: 0 });
    expect(c!.bins[0]).toMatchObject({ n: 0, confidence: null, accuracy: null });
  });

  it('is null without option probabilities', () => {
    expect(calibration([rec({ gold: 'A' })])).toBeNull();
  });

  it('bins at exact edges by lo ≤ c < hi, 1.0 in the last bin', () => {
    const { bins } = expectedCalibrationError([0.1, 0.3, 0.7, 1.0], [true, true, true, true]);
    expect(bins.map((b) => b.n)).toEqual([0, 1, 0, 1, 0, 0, 0, 1, 0, 1]);
  });

  it('counts a gold letter missing from the probabilities with p = 0', () => {
    // {A .7, B .3}, gold C: .7² + .3² + (0 − 1)² = .49 + .09 + 1 = 1.58
    expect(brierScore({ A: 0.7, B: 0.3 }, 'C')).toBeCloseTo(1.58, 12);
  });
});

describe('position bias', () => {
  it('counts single letters, groups multi-letter and unparsed answers', () => {
    const pb = positionBias([
      rec({ gold: 'A', prediction: 'A' }),
      rec({ gold: 'B', prediction: 'A' }),
      rec({ gold: 'AB', prediction: 'AB' }),
      rec({ gold: 'C', prediction: '', status: 'unparsed' }),
      rec({ gold: 'D', prediction: 'E' }),
    ]);
    expect(pb.letters).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(pb.gold).toEqual({ A: 1, B: 1, C: 1, D: 1, multi: 1 });
    expect(pb.predicted).toEqual({ A: 2, E: 1, multi: 1, unparsed: 1 });
    expect(pb.confusion.B).toEqual({ A: 1, E: 0, multi: 0, unparsed: 0 });
    expect(pb.confusion.multi.multi).toBe(1);
    expect(pb.confusion.C.unparsed).toBe(1);
  });
});

describe('circular evaluation', () => {
  it('reports accuracy per shift and "correct under every rotation"', () => {
    // q1: shift 0 (its own answer, correct), 1 ✓, 2 ✓ → all correct
    // q2: shift 0 ✓ (listed), 1 ✗, 2 ✓            → not all correct
    // q3: shift 0 (own answer, wrong), 1 ✓, 2 ✓    → not all correct
    // Shift 0: 2/3; shift 1: 2/3; shift 2: 3/3.
    const c = circular([
      rec({
        gold: 'A',
        prediction: 'A',
        rotations: [
          { shift: 1, prediction: 'A', correct: true },
          { shift: 2, prediction: 'A', correct: true },
        ],
      }),
      rec({
        gold: 'B',
        prediction: 'B',
        rotations: [
          { shift: 0, prediction: 'B', correct: true },
          { shift: 1, prediction: 'C', correct: false },
          { shift: 2, prediction: 'B', correct: true },
        ],
      }),
      rec({
        gold: 'C',
        prediction: 'D',
        rotations: [
          { shift: 1, prediction: 'C', correct: true },
          { shift: 2, prediction: 'C', correct: true },
        ],
      }),
      rec({ gold: 'D', prediction: 'D' }), // no rotations: not counted
    ]);
    expect(c).not.toBeNull();
    expect(c!.rotations).toBe(3);
    expect(c!.accuracy_by_shift).toEqual({ '0': 2 / 3, '1': 2 / 3, '2': 1 });
    expect(c!.all_correct).toBe(1);
    expect(c!.all_correct_rate).toBeCloseTo(1 / 3, 15);
  });

  it('is null when no record carries rotations', () => {
    expect(circular([rec({ gold: 'A' })])).toBeNull();
  });
});
