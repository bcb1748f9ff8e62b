import { describe, expect, it } from 'vitest';
import { mapLetters, rotateQuestion } from '../../src/lib/eval/rotate';
import type { EvalQuestion } from '../../src/lib/eval/types';

function question(answer: string, texts: string[], keys?: string[]): EvalQuestion {
  return {
    id: 'q1',
    row: 7,
    question: '下列哪项正确？',
    options: texts.map((text, i) => ({ key: keys?.[i] ?? 'ABCDEFG'[i], text })),
    answer,
    explanation: '解析',
    annotations: { Difficulty: '3' },
    multi: answer.length > 1,
  };
}

const texts = (q: EvalQuestion) => q.options.map((o) => o.text);
const keys = (q: EvalQuestion) => q.options.map((o) => o.key).join('');

describe('rotateQuestion', () => {
  const q5 = question('C', ['甲', '乙', '丙', '丁', '戊']);

  it('shift 0 is the identity', () => {
    const { question: r, toOriginal } = rotateQuestion(q5, 0);
    expect(r).toEqual(q5);
    expect(toOriginal).toEqual({ A: 'A', B: 'B', C: 'C', D: 'D', E: 'E' });
  });

  it('keeps the letters in place and moves the texts (5 options)', () => {
    const { question: r, toOriginal } = rotateQuestion(q5, 1);
    expect(keys(r)).toBe('ABCDE');
    // Position i shows the text of original position (i + 1) mod 5.
    expect(texts(r)).toEqual(['乙', '丙', '丁', '戊', '甲']);
    expect(toOriginal).toEqual({ A: 'B', B: 'C', C: 'D', D: 'E', E: 'A' });
    // 丙 (original C) is now shown under B.
    expect(r.answer).toBe('B');
    expect(toOriginal[r.answer]).toBe('C');
  });

  it('every shift of a 5-option question', () => {
    const seen = new Set<string>();
    for (let shift = 0; shift < 5; shift++) {
      const { question: r, toOriginal } = rotateQuestion(q5, shift);
      for (const [i, o] of r.options.entries()) {
        expect(o.text).toBe(q5.options[(i + shift) % 5].text);
        // The map sends each shown letter to the letter whose text it shows.
        expect(q5.options.find((x) => x.key === toOriginal[o.key])!.text).toBe(o.text);
      }
      // The gold text (丙) is under the new answer letter.
      expect(r.options.find((o) => o.key === r.answer)!.text).toBe('丙');
      seen.add(r.answer);
    }
    // Across all rotations the correct text visits every letter once.
    expect([...seen].sort().join('')).toBe('ABCDE');
  });

  it('shifts are taken mod k, negative ones too', () => {
    expect(rotateQuestion(q5, 6)).toEqual(rotateQuestion(q5, 1));
    expect(rotateQuestion(q5, -1)).toEqual(rotateQuestion(q5, 4));
    expect(rotateQuestion(q5, 5).question).toEqual(q5);
    expect(() => rotateQuestion(q5, 1.5)).toThrow();
  });

  it('remaps a multi-answer gold, sorted', () => {
    const q = question('AD', ['w', 'x', 'y', 'z']);
    const { question: r, toOriginal } = rotateQuestion(q, 1);
    // w (A) is shown under D, z (D) under C.
    expect(texts(r)).toEqual(['x', 'y', 'z', 'w']);
    expect(r.answer).toBe('CD');
    expect(r.multi).toBe(true);
    expect(mapLetters(r.answer, toOriginal)).toBe('AD');
    const r3 = rotateQuestion(q, 3).question;
    expect(texts(r3)).toEqual(['z', 'w', 'x', 'y']);
    expect(r3.answer).toBe('AB');
    const all = question('ABCDE', ['a', 'b', 'c', 'd', 'e']);
    expect(rotateQuestion(all, 2).question.answer).toBe('ABCDE');
  });

  it('uses the question own keys (options starting at B)', () => {
    const q = question('C', ['x', 'y', 'z'], ['B', 'C', 'D']);
    const { question: r, toOriginal } = rotateQuestion(q, 1);
    expect(keys(r)).toBe('BCD');
    expect(texts(r)).toEqual(['y', 'z', 'x']);
    expect(toOriginal).toEqual({ B: 'C', C: 'D', D: 'B' });
    expect(r.answer).toBe('B');
  });

  it('keeps everything else and does not change the input', () => {
    const before = structuredClone(q5);
    const { question: r } = rotateQuestion(q5, 2);
    expect(q5).toEqual(before);
    expect({ ...r, options: [], answer: '' }).toEqual({ ...q5, options: [], answer: '' });
    expect(r.options).not.toBe(q5.options);
  });

  it('a blank gold stays blank', () => {
    expect(rotateQuestion(question('', ['a', 'b']), 1).question.answer).toBe('');
  });
});

describe('mapLetters', () => {
  const map = { A: 'C', B: 'A', C: 'B' };

  it('maps, dedupes and sorts', () => {
    expect(mapLetters('A', map)).toBe('C');
    expect(mapLetters('AB', map)).toBe('AC');
    expect(mapLetters('CBA', map)).toBe('ABC');
    expect(mapLetters('AA', map)).toBe('C');
    expect(mapLetters('', map)).toBe('');
  });

  it('keeps letters the map does not know', () => {
    expect(mapLetters('AZ', map)).toBe('CZ');
    expect(mapLetters('constructor', {})).toBe('cnorstu');
  });

  it('round trips through a rotation', () => {
    const q = question('BE', ['a', 'b', 'c', 'd', 'e']);
    for (let shift = 0; shift < 5; shift++) {
      const { question: r, toOriginal } = rotateQuestion(q, shift);
      expect(mapLetters(r.answer, toOriginal)).toBe('BE');
    }
  });
});
