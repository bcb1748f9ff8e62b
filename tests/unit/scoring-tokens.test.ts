import { describe, expect, it } from 'vitest';
import {
  charTokens,
  charTokensBleu,
  charTokensRouge,
  isPythonWhitespace,
  spacedChars,
} from '../../src/lib/scoring';
import { TokenIds } from '../../src/lib/scoring/token-ids';
import { encodeCharsBleu, encodeCharsRouge } from '../../src/lib/scoring/tokens';

// What CPython gives (derived by hand from str semantics):
//   ' '.join(list('a b'))  == 'a   b'   (a, sep, the space itself, sep, b)
//   'a   b'.split()        == ['a', 'b']              (runs of whitespace dropped)
//   'a   b'.split(' ')     == ['a', '', '', 'b']      (each separator splits; empties kept)
describe('CMExam character tokens', () => {
  it('spaces a text out the way " ".join(list(text)) does', () => {
    expect(spacedChars('甲乙')).toBe('甲 乙');
    expect(spacedChars('a b')).toBe('a   b');
    expect(spacedChars('')).toBe('');
  });

  it('BLEU variant: .split() drops whitespace, so a space vanishes', () => {
    expect(charTokensBleu('a b')).toEqual(['a', 'b']);
    expect(charTokensBleu('甲，乙')).toEqual(['甲', '，', '乙']);
    expect(charTokensBleu('')).toEqual([]);
    expect(charTokens(' \n\t', 'bleu')).toEqual([]);
  });

  it('ROUGE variant: .split(" ") turns a space into two empty tokens', () => {
    // n code points, s of them spaces → n + s pieces.
    expect(charTokensRouge('a b')).toEqual(['a', '', '', 'b']); // 3 + 1
    expect(charTokensRouge(' ')).toEqual(['', '']); // ' '.split(' ')
    expect(charTokensRouge('a ')).toEqual(['a', '', '']); // 'a  '.split(' ')
    expect(charTokensRouge('  ')).toEqual(['', '', '', '']); // '   '.split(' ')
    expect(charTokens('甲乙', 'rouge')).toEqual(['甲', '乙']);
  });

  it('ROUGE variant: other whitespace characters stay tokens; empty text is [""]', () => {
    // 'a \n b'.split(' ') == ['a', '\n', 'b']
    expect(charTokensRouge('a\nb')).toEqual(['a', '\n', 'b']);
    expect(charTokensRouge('甲\u3000乙')).toEqual(['甲', '\u3000', '乙']);
    // ''.split(' ') == [''] — one empty token, not an empty list.
    expect(charTokensRouge('')).toEqual(['']);
  });

  it("uses Python's whitespace set, not JavaScript's \\s", () => {
    // U+001C..U+001F and U+0085 are whitespace to str.split(); U+FEFF is not.
    expect(isPythonWhitespace('\u001c')).toBe(true);
    expect(isPythonWhitespace('\u0085')).toBe(true);
    expect(isPythonWhitespace('\u3000')).toBe(true);
    expect(isPythonWhitespace('\ufeff')).toBe(false);
    expect(charTokensBleu('a\u001cb\ufeff')).toEqual(['a', 'b', '\ufeff']);
  });

  it('iterates code points like list(str): an astral character is one token', () => {
    expect(charTokensBleu('𠀀甲')).toEqual(['𠀀', '甲']);
    expect(charTokensRouge('𠀀 甲')).toEqual(['𠀀', '', '', '甲']);
  });

  it('the id encoders give the same token lists as the string tokenizers', () => {
    const texts = ['', ' ', 'a b', '甲 乙\n丙\u3000', '𠀀 x', '  lead', 'trail  ', '\u001c\ufeff'];
    for (const t of texts) {
      const ids = new TokenIds();
      expect(Array.from(encodeCharsRouge(t, ids))).toEqual(
        Array.from(ids.encode(charTokensRouge(t))),
      );
      expect(Array.from(encodeCharsBleu(t, ids))).toEqual(
        Array.from(ids.encode(charTokensBleu(t))),
      );
    }
  });
});
