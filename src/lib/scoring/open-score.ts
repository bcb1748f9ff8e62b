/**
 * Open-ended answers scored as `open-protocols.ts` describes: per item once (BLEU counts,
 * ROUGE values, word ids for Distinct), then any set of items (the whole run, each value of
 * each annotation) is summed from those, so breakdowns cost no second tokenisation.
 */
import { BleuAccumulator, bleuFromStats, type BleuStats } from './bleu';
import { npMean } from './numeric';
import type { OpenProtocolId } from './open-protocols';
import { OPEN_PROTOCOLS } from './open-protocols';
import { rougeLIds, rougeNUpToIds, type Prf } from './rouge';
import { Scratch, TokenIds } from './token-ids';
import { encodeCharsBleuInto, encodeCharsRougeInto } from './tokens';
import type { WordTokenizer } from './types';

/** One open item with the model's output (null: none stored, scored as empty). */
export interface OpenRecord {
  questionId: string;
  row: number;
  output: string | null;
  references: readonly string[];
  annotations: Record<string, string>;
}

export interface OpenMetrics {
  protocol: OpenProtocolId;
  n: number;
  bleu1: number;
  bleu2: number;
  bleu4: number;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  rouge1_p: number;
  rouge1_r: number;
  rouge2_p: number;
  rouge2_r: number;
  rougeL_p: number;
  rougeL_r: number;
  distinct1: number;
  distinct2: number;
  /** Mean characters per output, after the protocol's space removal. */
  avg_length: number;
  /** Outputs that are empty after the space removal (or missing). */
  empty: number;
}

/** The inspector's per-item figures (×100): sentence BLEU-1 and ROUGE F beside the reference. */
export interface OpenItemScore {
  questionId: string;
  row: number;
  bleu1: number;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  length: number;
}

export interface OpenScoreResult {
  metrics: OpenMetrics;
  /** Annotation column → value → the same metrics over those items. */
  breakdowns: Record<string, Record<string, OpenMetrics>>;
  items: OpenItemScore[];
}

export interface OpenScoreOptions {
  protocol: OpenProtocolId;
  /** jieba's `cut(text, cut_all=False)`; both protocols need it (Distinct is on words). */
  wordTokenizer: WordTokenizer;
}

interface ItemStats {
  bleu: BleuStats;
  /** ROUGE-1, -2, -L, each of the best reference. */
  rouge: [Prf, Prf, Prf];
  words: Int32Array;
  length: number;
  empty: boolean;
}

/** Qilin-Med's only change to an output: U+0020 spaces removed. */
export function outputAsScored(output: string | null): string {
  return (output ?? '').replace(/ /g, '');
}

export function scoreOpen(records: readonly OpenRecord[], opts: OpenScoreOptions): OpenScoreResult {
  const protocol = OPEN_PROTOCOLS[opts.protocol];
  const tokenize = opts.wordTokenizer;
  const ids = new TokenIds();
  const [a, b, c] = [new Scratch(), new Scratch(), new Scratch()];
  const words = (text: string) => ids.encode(text === '' ? [] : tokenize(text));
  const stats: ItemStats[] = records.map((r) => {
    const output = outputAsScored(r.output);
    const refs = r.references.length > 0 ? r.references : [''];
    const outWords = words(output);
    const bleu = new BleuAccumulator(4);
    if (protocol.bleuTokens === 'word') {
      bleu.add(
        refs.map((ref) => words(ref)),
        outWords,
      );
    } else {
      // encode…Into reuses its scratch buffer: copy each reference out before the next.
      const refIds = refs.map((ref) => encodeCharsBleuInto(ref, ids, a).slice());
      bleu.add(refIds, encodeCharsBleuInto(output, ids, b));
    }
    // The script's crossed order: the reference is ROUGE's hypothesis.
    const out = encodeCharsRougeInto(output, ids, c).slice();
    let best: [Prf, Prf, Prf] | null = null;
    for (const ref of refs) {
      const hyp = encodeCharsRougeInto(ref, ids, a);
      const [r1, r2] = rougeNUpToIds(hyp, out, 2);
      const rl = rougeLIds(hyp, out);
      if (!best) best = [r1, r2, rl];
      else {
        if (r1.f > best[0].f) best[0] = r1;
        if (r2.f > best[1].f) best[1] = r2;
        if (rl.f > best[2].f) best[2] = rl;
      }
    }
    return {
      bleu: bleu.stats(),
      rouge: best!,
      words: outWords,
      length: [...output].length,
      empty: output === '',
    };
  });

  const all = aggregate(protocol.id, stats);
  const breakdowns: Record<string, Record<string, OpenMetrics>> = {};
  const columns = new Set(records.flatMap((r) => Object.keys(r.annotations)));
  for (const column of columns) {
    const groups = new Map<string, ItemStats[]>();
    records.forEach((r, i) => {
      const value = r.annotations[column];
      if (value === undefined || value === '') return;
      let list = groups.get(value);
      if (!list) groups.set(value, (list = []));
      list.push(stats[i]);
    });
    breakdowns[column] = Object.fromEntries(
      [...groups].map(([value, list]) => [value, aggregate(protocol.id, list)]),
    );
  }
  const items = records.map((r, i): OpenItemScore => {
    const s = stats[i];
    return {
      questionId: r.questionId,
      row: r.row,
      bleu1: bleuFromStats(s.bleu, 1).bleu * 100,
      rouge1: s.rouge[0].f * 100,
      rouge2: s.rouge[1].f * 100,
      rougeL: s.rouge[2].f * 100,
      length: s.length,
    };
  });
  return { metrics: all, breakdowns, items };
}

function aggregate(protocol: OpenProtocolId, items: readonly ItemStats[]): OpenMetrics {
  const sum: BleuStats = {
    maxOrder: 4,
    matches: [0, 0, 0, 0],
    possible: [0, 0, 0, 0],
    translationLength: 0,
    referenceLength: 0,
  };
  const cols = Array.from({ length: 9 }, () => new Float64Array(items.length));
  let length = 0;
  let empty = 0;
  items.forEach((s, i) => {
    for (let k = 0; k < 4; k++) {
      sum.matches[k] += s.bleu.matches[k];
      sum.possible[k] += s.bleu.possible[k];
    }
    sum.translationLength += s.bleu.translationLength;
    sum.referenceLength += s.bleu.referenceLength;
    s.rouge.forEach((prf, k) => {
      cols[k * 3][i] = prf.f;
      cols[k * 3 + 1][i] = prf.p;
      cols[k * 3 + 2][i] = prf.r;
    });
    length += s.length;
    if (s.empty) empty++;
  });
  const [d1, d2] = distinct(items.map((s) => s.words));
  const m = cols.map((c) => (items.length === 0 ? 0 : npMean(c) * 100));
  return {
    protocol,
    n: items.length,
    bleu1: bleuFromStats(sum, 1).bleu * 100,
    bleu2: bleuFromStats(sum, 2).bleu * 100,
    bleu4: bleuFromStats(sum, 4).bleu * 100,
    rouge1: m[0],
    rouge1_p: m[1],
    rouge1_r: m[2],
    rouge2: m[3],
    rouge2_p: m[4],
    rouge2_r: m[5],
    rougeL: m[6],
    rougeL_p: m[7],
    rougeL_r: m[8],
    distinct1: d1 * 100,
    distinct2: d2 * 100,
    avg_length: items.length === 0 ? 0 : length / items.length,
    empty,
  };
}

/**
 * Distinct-n over a set of outputs: distinct n-grams over all n-grams, n-grams taken within each
 * output (none across two); 0 when there is no n-gram at all.
 */
export function distinct(outputs: readonly Int32Array[]): [number, number] {
  const uni = new Set<number>();
  const bi = new Set<number>();
  let uniTotal = 0;
  let biTotal = 0;
  for (const w of outputs) {
    for (let i = 0; i < w.length; i++) {
      uni.add(w[i]);
      uniTotal++;
      if (i + 1 < w.length) {
        bi.add(w[i] * 2 ** 26 + w[i + 1]);
        biTotal++;
      }
    }
  }
  return [uniTotal === 0 ? 0 : uni.size / uniTotal, biTotal === 0 ? 0 : bi.size / biTotal];
}
