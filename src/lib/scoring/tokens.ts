/**
 * Character tokenization exactly as CMExam's evaluation scripts do it.
 *
 * Both scripts first space out the text, `' '.join(list(text))` (`evaluate_lora_result.py`,
 * `evaluate_reasoning.add_spaces`; `evaluate_gpt_result.py`, `processed_*_exps`). `list(text)`
 * iterates Unicode code points, so a character outside the BMP is one token, not two UTF-16
 * halves. What happens next differs by metric:
 *
 * - BLEU (`evaluate_lora_result.py`): `.split()` with no argument, which splits on runs of
 *   Python whitespace and drops empty strings. Every non-whitespace character becomes a token
 *   and every whitespace character disappears. Python's whitespace set (`str.isspace`) is
 *   not JavaScript's `\s`: it includes U+001C–U+001F and U+0085 and excludes U+FEFF.
 * - ROUGE (tensorflow/nmt `rouge.py`, `_split_into_words`): `.split(" ")` on the spaced text,
 *   which keeps empty strings. So a space character in the text becomes two empty-string
 *   tokens (`"a b"` → `"a   b"` → `['a', '', '', 'b']`), any other whitespace character stays a
 *   token of its own (`"a\nb"` → `['a', '\n', 'b']`), and an empty text is one empty-string
 *   token (`"".split(" ")` is `['']`). JavaScript's `String.prototype.split(' ')` behaves the
 *   same as Python's here, so we do the same two steps.
 */

import { EMPTY_TOKEN_ID, Scratch, type TokenIds } from './token-ids';

/** Code points for which Python's `str.isspace()` is true (what `str.split()` splits on). */
const PY_WHITESPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000,
]);

function isPyWhitespaceCp(cp: number): boolean {
  if (cp <= 0x20) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp >= 0x1c;
  return cp >= 0x85 && PY_WHITESPACE.has(cp);
}

/** True when Python's `str.isspace()` holds for this one-code-point string. */
export function isPythonWhitespace(ch: string): boolean {
  const cp = ch.codePointAt(0);
  return cp !== undefined && isPyWhitespaceCp(cp);
}

/** `' '.join(list(text))`: the text's code points separated by single spaces. */
export function spacedChars(text: string): string {
  return Array.from(text).join(' ');
}

/** `' '.join(list(text)).split()`: the non-whitespace code points (the char protocol's BLEU). */
export function charTokensBleu(text: string): string[] {
  const out: string[] = [];
  for (const ch of text) {
    if (!isPyWhitespaceCp(ch.codePointAt(0) as number)) out.push(ch);
  }
  return out;
}

/** `' '.join(list(text)).split(" ")`: nmt ROUGE's tokens, empty strings included. */
export function charTokensRouge(text: string): string[] {
  return spacedChars(text).split(' ');
}

export type CharTokenVariant = 'bleu' | 'rouge';

/** Both variants behind one name (see the module comment for the difference). */
export function charTokens(text: string, variant: CharTokenVariant): string[] {
  return variant === 'bleu' ? charTokensBleu(text) : charTokensRouge(text);
}

// Fast paths: the same tokens as interned ids, straight from the code points. The `…Into`
// variants write into a scratch buffer and return a view of it, valid until its next use.

/** `charTokensBleu(text)` as token ids, in `into` (a view of its buffer). */
export function encodeCharsBleuInto(text: string, ids: TokenIds, into: Scratch): Int32Array {
  const buf = into.ensure(text.length);
  let k = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (!isPyWhitespaceCp(cp)) buf[k++] = ids.cp(cp);
  }
  return buf.subarray(0, k);
}

/**
 * `charTokensRouge(text)` as token ids, in `into`. Each space becomes two empty tokens, every
 * other code point one token, and an empty text the single empty token: the same list as
 * `' '.join(list(text)).split(' ')` (n code points, s of them spaces, give n + s pieces: the
 * non-space code points in order, and two empty strings for each space).
 */
export function encodeCharsRougeInto(text: string, ids: TokenIds, into: Scratch): Int32Array {
  const buf = into.ensure(2 * text.length + 1);
  if (text === '') {
    buf[0] = EMPTY_TOKEN_ID;
    return buf.subarray(0, 1);
  }
  let k = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (cp === 0x20) {
      buf[k++] = EMPTY_TOKEN_ID;
      buf[k++] = EMPTY_TOKEN_ID;
    } else buf[k++] = ids.cp(cp);
  }
  return buf.subarray(0, k);
}

const scratch = new Scratch();

/** `charTokensBleu(text)` as token ids (a fresh array). */
export function encodeCharsBleu(text: string, ids: TokenIds): Int32Array {
  return encodeCharsBleuInto(text, ids, scratch).slice();
}

/** `charTokensRouge(text)` as token ids (a fresh array). */
export function encodeCharsRouge(text: string, ids: TokenIds): Int32Array {
  return encodeCharsRougeInto(text, ids, scratch).slice();
}
