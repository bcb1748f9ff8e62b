/**
 * Integer ids for the fast paths. Tokens become dense positive integers (`TokenIds`), and the
 * n-grams of one segment pair become small local ids (`LocalNgrams`), so that counting, set
 * membership and the LCS work on typed arrays instead of string-keyed maps.
 *
 * Character tokens are keyed by code point (a one-code-point string and its code point are the
 * same token); word tokens by their string. The two kinds share one id counter, but the
 * metrics never compare a word token with a character token.
 */

/** Id of the empty-string token (nmt ROUGE's `split(" ")` produces it). */
export const EMPTY_TOKEN_ID = 1;

export class TokenIds {
  private readonly words = new Map<string, number>();
  /** BMP code point → id (0: none yet); astral code points go to the map. */
  private readonly bmp = new Int32Array(0x10000);
  private readonly astral = new Map<number, number>();
  private next = EMPTY_TOKEN_ID + 1;

  /** Number of ids handed out, the empty token included; ids are 1..size. */
  get size(): number {
    return this.next - 1;
  }

  /** Id of a word token. A one-code-point word gets its code point's id. */
  id(token: string): number {
    if (token === '') return EMPTY_TOKEN_ID;
    const cp = token.codePointAt(0) as number;
    if (token.length === (cp > 0xffff ? 2 : 1)) return this.cp(cp);
    let v = this.words.get(token);
    if (v === undefined) {
      v = this.next++;
      this.words.set(token, v);
    }
    return v;
  }

  /** Id of the one-code-point token `cp`. */
  cp(cp: number): number {
    if (cp < 0x10000) {
      let v = this.bmp[cp];
      if (v === 0) {
        v = this.next++;
        this.bmp[cp] = v;
      }
      return v;
    }
    let v = this.astral.get(cp);
    if (v === undefined) {
      v = this.next++;
      this.astral.set(cp, v);
    }
    return v;
  }

  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.id(tokens[i]);
    return out;
  }
}

/**
 * Local ids for the n-grams (n ≥ 2) of one segment pair, from an open-addressing hash table
 * keyed by integer pairs: a bigram is (−first token id, second token id), a longer n-gram is
 * (local id of its first n−1 tokens, last token id). Local ids start at 1, so the two kinds of
 * key never collide, and n-grams of every length ≥ 2 share one id space. Unigrams need no
 * table: their id is the token id. `reset()` empties the table in O(1) (generation stamps).
 */
export class LocalNgrams {
  private keyA = new Int32Array(4096);
  private keyB = new Int32Array(4096);
  private vals = new Int32Array(4096);
  private gens = new Int32Array(4096);
  private mask = 4095;
  private gen = 1;
  private used = 0;
  private next = 1;

  reset(): void {
    this.used = 0;
    this.next = 1;
    this.gen++;
    if (this.gen === 0x7fffffff) {
      this.gens.fill(0);
      this.gen = 1;
    }
  }

  /** Largest local id handed out since the last reset. */
  get maxId(): number {
    return this.next - 1;
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a ^ Math.imul(b, 0x85ebca77), 0x9e3779b1);
    h ^= h >>> 16;
    return h >>> 0;
  }

  /** The local id of the pair (a, b); a new pair gets the next id when `insert`, else 0. */
  id(a: number, b: number, insert: boolean): number {
    const keyA = this.keyA;
    const keyB = this.keyB;
    const gens = this.gens;
    const gen = this.gen;
    const mask = this.mask;
    let h = LocalNgrams.hash(a, b) & mask;
    while (gens[h] === gen) {
      if (keyA[h] === a && keyB[h] === b) return this.vals[h];
      h = (h + 1) & mask;
    }
    if (!insert) return 0;
    if ((this.used + 1) * 2 > mask + 1) {
      this.grow();
      return this.id(a, b, true);
    }
    gens[h] = gen;
    keyA[h] = a;
    keyB[h] = b;
    const v = this.next++;
    this.vals[h] = v;
    this.used++;
    return v;
  }

  private grow(): void {
    const { keyA, keyB, vals, gens, gen } = this;
    const size = (this.mask + 1) * 2;
    this.keyA = new Int32Array(size);
    this.keyB = new Int32Array(size);
    this.vals = new Int32Array(size);
    this.gens = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < gens.length; i++) {
      if (gens[i] !== gen) continue;
      let h = LocalNgrams.hash(keyA[i], keyB[i]) & this.mask;
      while (this.gens[h] === gen) h = (h + 1) & this.mask;
      this.gens[h] = gen;
      this.keyA[h] = keyA[i];
      this.keyB[h] = keyB[i];
      this.vals[h] = vals[i];
    }
  }

  /**
   * Ids of the n-grams of `seq` for n = 1..maxOrder, written to `out`: the n-gram starting at
   * i goes to `out[(n - 1) * seq.length + i]`, for i < seq.length − n + 1. Unigrams are the token
   * ids; longer n-grams local ids. With `insert` false, an n-gram not seen since the last reset
   * gets 0, and so do all its extensions.
   */
  levelsInto(seq: Int32Array, maxOrder: number, out: Int32Array, insert: boolean): void {
    const len = seq.length;
    for (let i = 0; i < len; i++) out[i] = seq[i];
    if (maxOrder < 2) return;
    for (let i = 0; i + 2 <= len; i++) out[len + i] = this.id(-seq[i], seq[i + 1], insert);
    for (let k = 3; k <= maxOrder; k++) {
      const prev = (k - 2) * len;
      const cur = (k - 1) * len;
      for (let i = 0; i + k <= len; i++) {
        const p = out[prev + i];
        out[cur + i] = p === 0 ? 0 : this.id(p, seq[i + k - 1], insert);
      }
    }
  }
}

/** Largest value in an id array (0 for an empty one). */
export function maxOf(ids: Int32Array): number {
  let m = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] > m) m = ids[i];
  return m;
}

/** A growable zero-initialised Int32Array. */
export class Scratch {
  buf: Int32Array = new Int32Array(1024);

  /** At least `n` entries; contents are kept when it grows (new entries are 0). */
  ensure(n: number): Int32Array {
    if (this.buf.length < n) {
      const next = new Int32Array(Math.max(n, this.buf.length * 2));
      next.set(this.buf);
      this.buf = next;
    }
    return this.buf;
  }
}
