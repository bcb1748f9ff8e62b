/**
 * ROUGE-1, ROUGE-2 and ROUGE-L as tensorflow/nmt `nmt/scripts/rouge.py` computes them; CMExam
 * reaches it through `src/evaluation/evaluate/utils.py` `rouge_score(references, generated)`
 * (PETER's helper, see `bleu.ts`), which calls `rouge(generated, references)` (hypotheses
 * first) and multiplies every score by 100.
 *
 * Semantics reproduced:
 * - Each text is one "sentence" and is split with `split(" ")` (see `tokens.ts`: empty strings
 *   and whitespace characters are tokens; an empty text is the single token `''`).
 * - ROUGE-N works on *sets* of n-grams: duplicates count once. P = |overlap| / |hyp n-grams|,
 *   R = |overlap| / |ref n-grams| (0 when the set is empty), and
 *   F = 2 · (P·R / (P + R + 1e-8)), so P = R = 0 gives F = 0 without a division by zero.
 *   F is symmetric in P and R, hence in the argument order.
 * - ROUGE-L is sentence level: R = LCS/m (m = reference length), P = LCS/n (n = hypothesis
 *   length), beta = P / (R + 1e-12), F = (1 + beta²)·R·P / (R + beta²·P + 1e-12). The nmt code
 *   only checks that the list of sentences is non-empty; with `split(" ")` no side is ever an
 *   empty token list, so an "empty" text is `['']` of length 1: against a non-empty text the LCS
 *   is 0 and F = 0, and two empty texts score F ≈ 1 (LCS of `['']` and `['']` is 1). Given a
 *   truly empty token list, Python would divide by zero; we return 0.
 * - `rouge()` scores every pair and averages F, P and R with `np.mean` (numpy pairwise sum,
 *   see `numeric.ts`).
 *
 * Speed: tokens are interned to integers; n-gram sets become stamp arrays over per-pair local
 * ids, and the LCS length is computed bit-parallel (`lcsLengthIds`), checked against the plain
 * one-row dynamic programme (`lcsLengthDp`).
 */
import { LocalNgrams, maxOf, Scratch, TokenIds } from './token-ids';
import { npMean } from './numeric';

export interface Prf {
  f: number;
  p: number;
  r: number;
}

/** nmt `rouge_n` F/P/R from the three set sizes. */
export function rougeNFromCounts(
  evaluatedCount: number,
  referenceCount: number,
  overlappingCount: number,
): Prf {
  const p = evaluatedCount === 0 ? 0 : overlappingCount / evaluatedCount;
  const r = referenceCount === 0 ? 0 : overlappingCount / referenceCount;
  const f = 2.0 * ((p * r) / (p + r + 1e-8));
  return { f, p, r };
}

/** nmt `_f_p_r_lcs(llcs, m, n)`: m = reference length, n = hypothesis length. */
export function rougeLFromLcs(llcs: number, m: number, n: number): Prf {
  if (m === 0 || n === 0) return { f: 0, p: 0, r: 0 };
  const r = llcs / m;
  const p = llcs / n;
  const beta = p / (r + 1e-12);
  const beta2 = beta * beta;
  const num = (1 + beta2) * r * p;
  const denom = r + beta2 * p;
  const f = num / (denom + 1e-12);
  return { f, p, r };
}

/**
 * LCS length by the textbook dynamic programme, one Int32Array row (the nmt `_lcs` recurrence:
 * match → diagonal + 1, else max(up, left)). The reference `lcsLengthIds` is tested against.
 */
export function lcsLengthDp(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return 0;
  const row = new Int32Array(m + 1);
  for (let i = 0; i < n; i++) {
    const ai = a[i];
    let diag = 0; // previous row, column j - 1
    let left = 0; // this row, column j - 1
    for (let j = 1; j <= m; j++) {
      const up = row[j];
      const v = ai === b[j - 1] ? diag + 1 : up > left ? up : left;
      diag = up;
      row[j] = v;
      left = v;
    }
  }
  return row[m];
}

// Scratch state for the bit-parallel LCS: one match mask per distinct symbol of `b`.
let maskGen = new Int32Array(1024); // symbol → generation that last built its mask
let maskSlot = new Int32Array(1024); // symbol → index of its mask
let masks = new Uint32Array(1024);
let vec = new Uint32Array(64);
let generation = 0;

/**
 * LCS length of two id sequences (ids ≥ 0) by the bit-vector algorithm of Crochemore et al.
 * (2001) and Hyyrö (2004): V starts with a one bit per position of b; for each symbol of a,
 * U = V & M[symbol] and V = (V + U) | (V − U); the LCS is the number of zero bits left among
 * V's m bits. V − U is V & ~U because U is a subset of V, so only the addition carries from one
 * 32-bit word to the next. n·⌈m/32⌉ word steps instead of n·m cells.
 */
export function lcsLengthIds(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return 0;
  const words = (m + 31) >>> 5;
  let maxSym = 0;
  for (let j = 0; j < m; j++) if (b[j] > maxSym) maxSym = b[j];
  for (let i = 0; i < n; i++) if (a[i] > maxSym) maxSym = a[i];
  if (maskGen.length <= maxSym) {
    const size = Math.max(maxSym + 1, maskGen.length * 2);
    maskGen = new Int32Array(size);
    maskSlot = new Int32Array(size);
    generation = 0;
  }
  generation++;
  if (generation === 0x7fffffff) {
    maskGen.fill(0);
    generation = 1;
  }
  // One slot per distinct symbol of b, then its mask: bit j set where b[j] is the symbol.
  let slots = 0;
  for (let j = 0; j < m; j++) {
    const sym = b[j];
    if (maskGen[sym] !== generation) {
      maskGen[sym] = generation;
      maskSlot[sym] = slots++;
    }
  }
  if (masks.length < slots * words) {
    masks = new Uint32Array(Math.max(slots * words, masks.length * 2));
  }
  masks.fill(0, 0, slots * words);
  for (let j = 0; j < m; j++) masks[maskSlot[b[j]] * words + (j >>> 5)] |= 1 << (j & 31);
  if (vec.length < words) vec = new Uint32Array(Math.max(words, vec.length * 2));
  const v = vec;
  v.fill(0xffffffff, 0, words);
  for (let i = 0; i < n; i++) {
    const sym = a[i];
    if (maskGen[sym] !== generation) continue; // no match anywhere: U = 0, V unchanged
    const off = maskSlot[sym] * words;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const vw = v[w];
      const u = (vw & masks[off + w]) >>> 0;
      const sum = vw + u + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      v[w] = (sum >>> 0) | (vw & ~u);
    }
  }
  let ones = 0;
  for (let w = 0; w < words; w++) {
    let x = v[w];
    if (w === words - 1 && (m & 31) !== 0) x &= (1 << (m & 31)) - 1;
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    ones += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return m - ones;
}

/** Length of the longest common subsequence of two token lists. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const ids = new TokenIds();
  return lcsLengthIds(ids.encode(a), ids.encode(b));
}

let stampA = new Int32Array(1024);
let stampB = new Int32Array(1024);
let stamp = 0;
// Results of `setCounts` (kept in module state to avoid allocating per call).
let setA = 0;
let setB = 0;
let setOverlap = 0;

/**
 * Sizes of the sets of ids `a[aOff..aOff+aLen)` and `b[bOff..bOff+bLen)` and of their
 * intersection (ids ≤ maxId), into setA, setB, setOverlap.
 */
function setCounts(
  a: Int32Array,
  aOff: number,
  aLen: number,
  b: Int32Array,
  bOff: number,
  bLen: number,
  maxId: number,
): void {
  if (stampA.length <= maxId) {
    const size = Math.max(maxId + 1, stampA.length * 2);
    stampA = new Int32Array(size);
    stampB = new Int32Array(size);
    stamp = 0;
  }
  stamp++;
  if (stamp === 0x7fffffff) {
    stampA.fill(0);
    stampB.fill(0);
    stamp = 1;
  }
  const sa = stampA;
  const sb = stampB;
  const st = stamp;
  let ca = 0;
  let cb = 0;
  let overlap = 0;
  for (let i = aOff; i < aOff + aLen; i++) {
    const id = a[i];
    if (sa[id] !== st) {
      sa[id] = st;
      ca++;
    }
  }
  for (let i = bOff; i < bOff + bLen; i++) {
    const id = b[i];
    if (sb[id] !== st) {
      sb[id] = st;
      cb++;
      if (sa[id] === st) overlap++;
    }
  }
  setA = ca;
  setB = cb;
  setOverlap = overlap;
}

const hypGrams = new Scratch();
const refGrams = new Scratch();
const sharedLocal = new LocalNgrams();

/** ROUGE-N for n = 1..maxN of one pair of id sequences (ids ≥ 1). */
export function rougeNUpToIds(hyp: Int32Array, ref: Int32Array, maxN: number): Prf[] {
  const local = sharedLocal;
  local.reset();
  const h = hypGrams.ensure(hyp.length * maxN);
  const r = refGrams.ensure(ref.length * maxN);
  local.levelsInto(hyp, maxN, h, true);
  local.levelsInto(ref, maxN, r, true);
  // Unigram ids are token ids, longer n-grams local ids: size the stamps for both.
  const maxId = Math.max(local.maxId, maxOf(hyp), maxOf(ref));
  const out: Prf[] = [];
  for (let k = 1; k <= maxN; k++) {
    const hn = Math.max(0, hyp.length - k + 1);
    const rn = Math.max(0, ref.length - k + 1);
    setCounts(h, (k - 1) * hyp.length, hn, r, (k - 1) * ref.length, rn, maxId);
    out.push(rougeNFromCounts(setA, setB, setOverlap));
  }
  return out;
}

/** ROUGE-L (sentence level) over ids. */
export function rougeLIds(hyp: Int32Array, ref: Int32Array): Prf {
  return rougeLFromLcs(lcsLengthIds(hyp, ref), ref.length, hyp.length);
}

/** nmt `rouge_n([hyp], [ref], n)` on token lists (hypothesis first). */
export function rougeN(
  hypothesis: readonly string[],
  reference: readonly string[],
  n: number,
): Prf {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('ROUGE-N needs an integer n >= 1');
  const ids = new TokenIds();
  const h = ids.encode(hypothesis);
  const r = ids.encode(reference);
  return rougeNUpToIds(h, r, n)[n - 1];
}

/** nmt `rouge_l_sentence_level([hyp], [ref])` on token lists (hypothesis first). */
export function rougeL(hypothesis: readonly string[], reference: readonly string[]): Prf {
  const ids = new TokenIds();
  return rougeLIds(ids.encode(hypothesis), ids.encode(reference));
}

export interface RougeScores {
  rouge_1: Prf;
  rouge_2: Prf;
  rouge_l: Prf;
}

/** Scores pairs one at a time (pairs need not outlive `add`); `means()` is nmt `rouge()`. */
export class RougeAccumulator {
  private cols: Float64Array[] = Array.from({ length: 9 }, () => new Float64Array(64));
  private count = 0;

  add(hyp: Int32Array, ref: Int32Array): void {
    if (this.count === this.cols[0].length) {
      this.cols = this.cols.map((c) => {
        const next = new Float64Array(c.length * 2);
        next.set(c);
        return next;
      });
    }
    const [r1, r2] = rougeNUpToIds(hyp, ref, 2);
    const rl = rougeLIds(hyp, ref);
    const i = this.count++;
    const c = this.cols;
    c[0][i] = r1.f;
    c[1][i] = r1.p;
    c[2][i] = r1.r;
    c[3][i] = r2.f;
    c[4][i] = r2.p;
    c[5][i] = r2.r;
    c[6][i] = rl.f;
    c[7][i] = rl.p;
    c[8][i] = rl.r;
  }

  /** F, P and R of ROUGE-1/2/L, each averaged over the pairs with `np.mean`; fractions. */
  means(): RougeScores {
    const m = this.cols.map((c) => npMean(c.subarray(0, this.count)));
    return {
      rouge_1: { f: m[0], p: m[1], r: m[2] },
      rouge_2: { f: m[3], p: m[4], r: m[5] },
      rouge_l: { f: m[6], p: m[7], r: m[8] },
    };
  }
}

/**
 * nmt `rouge()` over id sequences: ROUGE-1/2/L per pair, F, P and R each averaged with
 * `np.mean`. Fractions, not ×100.
 */
export function rougeMeanIds(
  hypotheses: readonly Int32Array[],
  references: readonly Int32Array[],
): RougeScores {
  const acc = new RougeAccumulator();
  const count = Math.min(hypotheses.length, references.length);
  for (let i = 0; i < count; i++) acc.add(hypotheses[i], references[i]);
  return acc.means();
}

/**
 * nmt `rouge(hypotheses, references)` on raw strings, each split with `split(" ")`
 * (fractions; CMExam's `rouge_score` multiplies by 100). CMExam feeds it `spacedChars(text)`.
 */
export function rougeCorpus(
  hypotheses: readonly string[],
  references: readonly string[],
): RougeScores {
  const ids = new TokenIds();
  const h = hypotheses.map((t) => ids.encode(t.split(' ')));
  const r = references.map((t) => ids.encode(t.split(' ')));
  return rougeMeanIds(h, r);
}
