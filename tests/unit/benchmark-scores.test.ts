import { describe, expect, it } from 'vitest';
import { benchmarkScores } from '../../src/lib/scoring/benchmark-scores';
import type { ScoringRecord } from '../../src/lib/scoring/types';

const rec = (
  i: number,
  gold: string,
  prediction: string,
  annotations: Record<string, string>,
  status: ScoringRecord['status'] = 'parsed',
): ScoringRecord => ({
  questionId: `s/${i}`,
  row: i,
  gold,
  prediction,
  status,
  explanation: null,
  reference: null,
  annotations,
  optionProbs: null,
});

describe('choice benchmarks as their papers score them', () => {
  it('CMB: subcategory accuracy, category = mean of its subcategories, average of categories', () => {
    const doc = (c: string) => ({ exam_type: '医师考试', exam_class: c });
    const nurse = { exam_type: '护理考试', exam_class: '护士' };
    const records = [
      // 医师考试/执业医师: 2 of 3 right (the multi-answer one only on the exact set).
      rec(0, 'A', 'A', doc('执业医师')),
      rec(1, 'AC', 'AC', doc('执业医师')),
      rec(2, 'BD', 'B', doc('执业医师')),
      // 医师考试/助理医师: 0 of 1 (unparsed is wrong).
      rec(3, 'C', '', doc('助理医师'), 'unparsed'),
      // 护理考试/护士: 1 of 1.
      rec(4, 'E', 'E', nurse),
    ];
    const s = benchmarkScores('cmb', records)!;
    const doctors = s.groups.find((g) => g.name === '医师考试')!;
    expect(doctors.parts?.map((p) => [p.name, p.correct, p.n])).toEqual([
      ['执业医师', 2, 3],
      ['助理医师', 0, 1],
    ]);
    // Mean of subcategories (2/3 + 0)/2 = 1/3, not the pooled 2/4.
    expect(doctors.accuracy).toBeCloseTo(1 / 3, 12);
    // Average of categories: (1/3 + 1)/2 = 2/3.
    expect(s.overall).toEqual({
      label: 'categories',
      accuracy: expect.closeTo(2 / 3, 12),
    });
  });

  it('CMMLU: per subject, overall the mean over subjects', () => {
    const records = [
      rec(0, 'A', 'A', { subject: 'anatomy' }),
      rec(1, 'B', 'A', { subject: 'anatomy' }),
      rec(2, 'C', 'C', { subject: 'virology' }),
    ];
    const s = benchmarkScores('cmmlu', records)!;
    expect(s.groups.map((g) => [g.name, g.accuracy])).toEqual([
      ['anatomy', 0.5],
      ['virology', 1],
    ]);
    expect(s.overall.accuracy).toBeCloseTo(0.75, 12); // (1/2 + 1)/2, not 2/3 pooled
  });

  it('MLEC-QA: KD (A1, B1), CA (the rest) and all; other shapes get none', () => {
    const records = [
      rec(0, 'A', 'A', { qtype: 'A1型题' }),
      rec(1, 'B', 'C', { qtype: 'B1型题' }),
      rec(2, 'D', 'D', { qtype: 'A3/A4型题' }),
    ];
    const s = benchmarkScores('mlec-qa', records)!;
    expect(s.groups.map((g) => [g.name, g.correct, g.n])).toEqual([
      ['KD', 1, 2],
      ['CA', 1, 1],
    ]);
    expect(s.overall.accuracy).toBeCloseTo(2 / 3, 12);
    expect(benchmarkScores('cmexam', records)).toBeNull();
    expect(benchmarkScores(undefined, records)).toBeNull();
  });
});
