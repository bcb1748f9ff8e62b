/**
 * Corpus BLEU as tensorflow/nmt `nmt/scripts/bleu.py` `compute_bleu` computes it, which CMExam
 * calls through `src/evaluation/evaluate/utils.py` `bleu_score`. That helper file is the PETER
 * utilities (lileipisces/PETER `utils.py`: the same function names, imported alongside
 * `unique_sentence_percent`, `feature_detect`, …): `bleu_score(references, generated, n_gram,
 * smooth=False)` wraps each reference as a one-element list and multiplies the result by 100.
 *
 * Semantics reproduced:
 * - `reference_corpus` is a list (one entry per segment) of lists of references; CMExam always
 *   passes exactly one reference per segment.
 * - `n_gram` is passed as `max_order`, so "BLEU-1" is unigram precision times the brevity
 *   penalty and "BLEU-4" the geometric mean of the 1- to 4-gram precisions times the penalty.
 * - Counts are clipped per segment: an n-gram matches at most as often as it occurs in the
 *   reference (`Counter &`; with several references, the maximum count over them, `Counter |`).
 *   Matches and possible matches (`len - order + 1` when positive) are summed over the corpus
 *   before dividing: corpus level, not an average of sentence scores.
 * - No smoothing (CMExam passes `smooth=False`): a precision with no possible matches is 0, and
 *   any zero precision makes the geometric mean 0 (so BLEU-4 is 0 when no 4-gram matches).
 *   The geometric mean is `exp(Σ (1/max_order)·log p)`, summed in order.
 * - Brevity penalty: `ratio = translation_length / reference_length` (the shortest reference
 *   per segment); `bp = 1` if `ratio > 1`, else `exp(1 - 1/ratio)`.
 * - Edge cases where the Python would raise ZeroDivisionError return 0 here: an empty
 *   translation corpus (`1/ratio` with ratio 0) and an empty reference corpus (one nmt version
 *   returns 0 there explicitly, another divides by zero).
 *
 * Exactness: counts and precisions are identical to the Python's; the final value can differ
 * in the last bit (≈1e-16 relative) because V8's `Math.exp`/`Math.log` are not glibc's
 * `exp`/`log`. ROUGE and the answer metrics use no transcendental functions and match exactly.
 */
import { LocalNgrams, maxOf, Scratch, TokenIds } from './token-ids';

export interface BleuResult {
  /** 0–1 (CMExam reports it ×100). */
  bleu: number;
  precisions: number[];
  bp: number;
  ratio: number;
  translation_length: number;
  reference_length: number;
}

/** The corpus-level counts BLEU is made of; BLEU of any order up to `maxOrder` derives from them. */
export interface BleuStats {
  maxOrder: number;
  matches: number[];
  possible: number[];
  translationLength: number;
  referenceLength: number;
}

// Reference counts: unigrams by token id, longer n-grams by local id (two id spaces).
const uniCount = new Scratch();
const gramCount = new Scratch();
const uniOne = new Scratch();
const gramOne = new Scratch();
const hypGrams = new Scratch();
const refGrams = new Scratch();
const local = new LocalNgrams();

/** Count the n-grams of one sequence laid out by `levelsInto` (ids of 0 are skipped). */
function countGrams(
  grams: Int32Array,
  len: number,
  maxOrder: number,
  uni: Int32Array,
  multi: Int32Array,
): void {
  for (let i = 0; i < len; i++) uni[grams[i]]++;
  for (let k = 2; k <= maxOrder; k++) {
    const off = (k - 1) * len;
    for (let i = 0; i + k <= len; i++) multi[grams[off + i]]++;
  }
}

/** Adds segments one at a time to the corpus counts (segments need not outlive `add`). */
export class BleuAccumulator {
  private readonly matches: number[];
  private readonly possible: number[];
  private translationLength = 0;
  private referenceLength = 0;

  constructor(private readonly maxOrder: number) {
    this.matches = new Array<number>(maxOrder).fill(0);
    this.possible = new Array<number>(maxOrder).fill(0);
  }

  /** One segment: its references and its translation, as token ids (≥ 1). */
  add(refs: readonly Int32Array[], hyp: Int32Array): void {
    const maxOrder = this.maxOrder;
    let shortest = Infinity;
    let maxTok = maxOf(hyp);
    for (const r of refs) {
      if (r.length < shortest) shortest = r.length;
      const m = maxOf(r);
      if (m > maxTok) maxTok = m;
    }
    this.referenceLength += refs.length === 0 ? 0 : shortest;
    this.translationLength += hyp.length;

    // Reference counts (`Counter |` over the references: the maximum count of each n-gram).
    local.reset();
    const uni = uniCount.ensure(maxTok + 1);
    for (let ri = 0; ri < refs.length; ri++) {
      const r = refs[ri];
      const rg = refGrams.ensure(r.length * maxOrder);
      local.levelsInto(r, maxOrder, rg, true);
      const multi = gramCount.ensure(local.maxId + 1);
      if (ri === 0) {
        countGrams(rg, r.length, maxOrder, uni, multi);
        continue;
      }
      const u1 = uniOne.ensure(maxTok + 1);
      const m1 = gramOne.ensure(local.maxId + 1);
      countGrams(rg, r.length, maxOrder, u1, m1);
      for (let i = 0; i < r.length; i++) {
        const id = rg[i];
        if (u1[id] > uni[id]) uni[id] = u1[id];
        u1[id] = 0;
      }
      for (let k = 2; k <= maxOrder; k++) {
        const off = (k - 1) * r.length;
        for (let i = 0; i + k <= r.length; i++) {
          const id = rg[off + i];
          if (m1[id] > multi[id]) multi[id] = m1[id];
          m1[id] = 0;
        }
      }
    }
    const multi = gramCount.ensure(local.maxId + 1);

    // Clipped matches: each translation n-gram uses up one remaining reference count, which
    // totals min(count in translation, count in references) per distinct n-gram (`Counter &`).
    // Translation n-grams absent from every reference have id 0 and never match.
    const hg = hypGrams.ensure(hyp.length * maxOrder);
    local.levelsInto(hyp, maxOrder, hg, false);
    for (let k = 1; k <= maxOrder; k++) {
      const count = k === 1 ? uni : multi;
      const off = (k - 1) * hyp.length;
      let m = 0;
      for (let i = 0; i + k <= hyp.length; i++) {
        const id = hg[off + i];
        if (id !== 0 && count[id] > 0) {
          m++;
          count[id]--;
        }
      }
      this.matches[k - 1] += m;
      const p = hyp.length - k + 1;
      if (p > 0) this.possible[k - 1] += p;
    }

    // Clear what the references touched.
    for (const r of refs) for (let i = 0; i < r.length; i++) uni[r[i]] = 0;
    multi.fill(0, 0, local.maxId + 1);
  }

  stats(): BleuStats {
    return {
      maxOrder: this.maxOrder,
      matches: [...this.matches],
      possible: [...this.possible],
      translationLength: this.translationLength,
      referenceLength: this.referenceLength,
    };
  }
}

/**
 * Sum the clipped n-gram counts over segments given as token ids
 * (`references[i]` are the references of `translations[i]`).
 */
export function bleuStatsFromIds(
  references: readonly (readonly Int32Array[])[],
  translations: readonly Int32Array[],
  maxOrder: number,
): BleuStats {
  const acc = new BleuAccumulator(maxOrder);
  const segments = Math.min(references.length, translations.length);
  for (let s = 0; s < segments; s++) acc.add(references[s], translations[s]);
  return acc.stats();
}

/** BLEU with `max_order = order` (1 ≤ order ≤ stats.maxOrder) from the summed counts. */
export function bleuFromStats(stats: BleuStats, order: number = stats.maxOrder): BleuResult {
  if (order < 1 || order > stats.maxOrder) throw new RangeError(`BLEU order ${order} not counted`);
  const precisions: number[] = [];
  for (let i = 0; i < order; i++) {
    precisions.push(stats.possible[i] > 0 ? stats.matches[i] / stats.possible[i] : 0);
  }
  let geoMean = 0;
  if (Math.min(...precisions) > 0) {
    let logSum = 0;
    for (const p of precisions) logSum += (1 / order) * Math.log(p);
    geoMean = Math.exp(logSum);
  }
  const tl = stats.translationLength;
  const rl = stats.referenceLength;
  if (rl === 0 || tl === 0) {
    // Python raises here (see the module comment); BLEU is 0 either way.
    return {
      bleu: 0,
      precisions,
      bp: 0,
      ratio: rl === 0 ? 0 : tl / rl,
      translation_length: tl,
      reference_length: rl,
    };
  }
  const ratio = tl / rl;
  const bp = ratio > 1 ? 1 : Math.exp(1 - 1 / ratio);
  return {
    bleu: geoMean * bp,
    precisions,
    bp,
    ratio,
    translation_length: tl,
    reference_length: rl,
  };
}

/**
 * nmt `compute_bleu(reference_corpus, translation_corpus, max_order, smooth=False)`.
 * `referenceCorpus[i]` is the list of references for `translationCorpus[i]`.
 */
export function computeBleu(
  referenceCorpus: readonly (readonly (readonly string[])[])[],
  translationCorpus: readonly (readonly string[])[],
  maxOrder = 4,
): BleuResult {
  const ids = new TokenIds();
  const refs = referenceCorpus.map((rs) => rs.map((r) => ids.encode(r)));
  const hyps = translationCorpus.map((t) => ids.encode(t));
  return bleuFromStats(bleuStatsFromIds(refs, hyps, maxOrder), maxOrder);
}
