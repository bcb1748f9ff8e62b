import { describe, expect, it } from 'vitest';
import { letterGrammar, normaliseLetterProbs } from '../../src/lib/engines/letters';

describe('letter scoring helpers', () => {
  it('builds a grammar over exactly the allowed letters', () => {
    expect(letterGrammar(['B', 'C', 'D', 'E'])).toBe('root ::= [BCDE]');
    expect(() => letterGrammar(['AB'])).toThrow('not a single option letter');
  });
  it('renormalises over the allowed letters: 0.6, 0.2 and a stray token of 0.2 → 0.75, 0.25, 0', () => {
    const p = normaliseLetterProbs(
      ['A', 'B', 'C'],
      [
        { token: 'A', prob: 0.6 },
        { token: ' B', prob: 0.2 },
        { token: 'x', prob: 0.2 },
      ],
    );
    expect(p.A).toBeCloseTo(0.75, 12);
    expect(p.B).toBeCloseTo(0.25, 12);
    expect(p.C).toBe(0);
  });
  it('refuses a result with no allowed letter', () => {
    expect(() => normaliseLetterProbs(['A'], [{ token: 'Z', prob: 1 }])).toThrow('no probability');
  });
});
