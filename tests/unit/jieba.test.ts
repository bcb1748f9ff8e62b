import { beforeAll, describe, expect, it } from 'vitest';
import { loadJieba, type JiebaCut } from '../../src/lib/scoring/jieba';
import cases from './fixtures/jieba-expected.json';

// The fixture holds synthetic sentences and Python jieba 0.42.1's lcut(text, cut_all=False), made by
// `npx tsx scripts/jieba-parity.ts --fixture tests/unit/fixtures/jieba-expected.json`.

let cut: JiebaCut;
beforeAll(async () => {
  cut = await loadJieba();
});

describe('jieba segmentation equals Python jieba 0.42', () => {
  it('loads once', async () => {
    expect(await loadJieba()).toBe(cut);
  });

  it.each(cases.map((c) => [c.text, c.tokens] as const))('%j', (text, tokens) => {
    expect(cut(text)).toEqual(tokens);
  });

  it('splits number ranges and arithmetic at the sign (jieba-rs keeps 1-2 whole)', () => {
    expect(cut('1-2')).toEqual(['1', '-', '2']);
    expect(cut('每日1-2次')).toEqual(['每日', '1', '-', '2', '次']);
    expect(cut('3~5天')).toEqual(['3', '~', '5', '天']);
    expect(cut('50-60%')).toEqual(['50', '-', '60%']);
    expect(cut('20-40mg')).toEqual(['20', '-', '40mg']);
    expect(cut('8+2')).toEqual(['8', '+', '2']);
    expect(cut('IL-4')).toEqual(['IL', '-', '4']);
  });

  it('keeps decimals, percentages and letters with digits together', () => {
    expect(cut('37.5℃')).toEqual(['37.5', '℃']);
    expect(cut('10%')).toEqual(['10%']);
    expect(cut('K+3.5')).toEqual(['K', '+', '3.5']);
    expect(cut('1-1.5g')).toEqual(['1', '-', '1.5', 'g']);
    expect(cut('维生素B12')).toEqual(['维生素', 'B12']);
    expect(cut('HbA1c')).toEqual(['HbA1c']);
    expect(cut('CO2潴留')).toEqual(['CO2', '潴留']);
  });

  it('keeps the dictionary words made of Latin letters and signs', () => {
    expect(cut('C++和AT&T')).toEqual(['C++', '和', 'AT&T']);
    expect(cut('abc++')).toEqual(['ab', 'c++']);
  });

  it('makes each character outside Python’s Han range a token of its own', () => {
    expect(cut('1㐀2')).toEqual(['1', '㐀', '2']);
    expect(cut('a𠮷b')).toEqual(['a', '𠮷', 'b']);
    expect(cut('１２')).toEqual(['１', '２']);
    expect(cut('a\ud800b')).toEqual(['a', '\ud800', 'b']); // a lone surrogate stays as it is
    expect(cut('a\r\n\nb  c')).toEqual(['a', '\r\n', '\n', 'b', ' ', ' ', 'c']);
    expect(cut('')).toEqual([]);
  });

  // Not corrected (docs/jieba-notes.md): jieba-rs rounds the HMM emission log-probabilities to
  // 6 decimals, so a Viterbi near-tie may go the other way. Python gives ['常', '在', '乳'].
  // Should this start failing, the difference is gone: move the case into the fixture.
  it('documents the known HMM rounding difference', () => {
    expect(cut('常在乳')).toEqual(['常在', '乳']);
  });
});
