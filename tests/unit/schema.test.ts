import { describe, expect, it } from 'vitest';
import { normalizeAnswer, parseOptionsText } from '../../src/lib/dataset/schema';
import { customSplitName, parseQuestionId, questionId } from '../../src/lib/dataset/ids';
import { SplitIndex, EMPTY_FILTER } from '../../src/lib/dataset/browse';
import type { StoredQuestion } from '../../src/lib/dataset/types';

describe('options and answers', () => {
  it('splits each option line on its first space only', () => {
    expect(parseOptionsText('A 一 二 三\r\nB  乙\n\nC 丙')).toEqual([
      { key: 'A', text: '一 二 三' },
      { key: 'B', text: '乙' },
      { key: 'C', text: '丙' },
    ]);
  });
  it('accepts A. and A、 forms and rejects a line without a letter', () => {
    expect(parseOptionsText('A.甲\nB、乙')).toEqual([
      { key: 'A', text: '甲' },
      { key: 'B', text: '乙' },
    ]);
    expect(parseOptionsText('A 甲\n乙')).toContain('option line 2');
  });
  it('normalises answer letter sets', () => {
    expect(normalizeAnswer('D,B a')).toBe('ABD');
    expect(normalizeAnswer('A、C')).toBe('AC');
    expect(normalizeAnswer('')).toBe('');
    expect(normalizeAnswer('1')).toBeNull();
  });
});

describe('ids', () => {
  it('derives stable question ids from split and row', () => {
    expect(questionId('cmexam/val', 12)).toBe('cmexam/val/12');
    expect(parseQuestionId('custom/my-file/7')).toEqual({ splitId: 'custom/my-file', row: 7 });
  });
  it('names custom splits after the file', () => {
    expect(customSplitName('https://example.org/data/%E6%88%91%E7%9A%84.jsonl?x=1')).toBe('我的');
    expect(customSplitName('C:\\data\\mock exam.csv')).toBe('mock-exam');
  });
});

describe('browse filters', () => {
  const q = (row: number, extra: Partial<StoredQuestion>): StoredQuestion => ({
    row,
    id: `s/${row}`,
    splitId: 's',
    importId: 'i',
    question: `题${row}`,
    options: [{ key: 'A', text: '甲' }],
    answer: 'A',
    explanation: '有',
    annotations: { Dept: '内科' },
    multi: false,
    blankAnswer: false,
    blankExplanation: false,
    ...extra,
  });
  const index = new SplitIndex('i', [
    q(2, { multi: true, answer: 'AB' }),
    q(0, { explanation: '', blankExplanation: true, annotations: { Dept: '外科' } }),
    q(1, { question: 'Contains DNA text' }),
  ]);
  it('filters by answers, explanation, annotation and text', () => {
    expect(index.filter(EMPTY_FILTER)).toEqual([0, 1, 2]);
    expect(index.filter({ ...EMPTY_FILTER, answers: 'multi' })).toEqual([2]);
    expect(index.filter({ ...EMPTY_FILTER, explanation: 'without' })).toEqual([0]);
    expect(index.filter({ ...EMPTY_FILTER, annotations: { Dept: '内科' } })).toEqual([1, 2]);
    expect(index.filter({ ...EMPTY_FILTER, text: 'dna' })).toEqual([1]);
  });
});
