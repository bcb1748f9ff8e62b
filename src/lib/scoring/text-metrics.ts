/**
 * Explanation metrics: corpus BLEU-1/4 and mean ROUGE-1/2/L (×100) over the rows the protocol
 * keeps, with its tokens and its ROUGE argument order (see protocols.ts).
 */
import { BleuAccumulator, bleuFromStats } from './bleu';
import type { ProtocolInfo } from './protocols';
import { RougeAccumulator } from './rouge';
import { Scratch, TokenIds } from './token-ids';
import { encodeCharsBleuInto, encodeCharsRougeInto } from './tokens';
import type { ScoreMetrics, ScoringRecord, WordTokenizer } from './types';

export type TextMetrics = Pick<
  ScoreMetrics,
  | 'bleu1'
  | 'bleu4'
  | 'rouge1'
  | 'rouge2'
  | 'rougeL'
  | 'rouge1_p'
  | 'rouge1_r'
  | 'rouge2_p'
  | 'rouge2_r'
  | 'rougeL_p'
  | 'rougeL_r'
  | 'explanations_scored'
  | 'explanations_left_out'
>;

const NO_TEXT = {
  bleu1: null,
  bleu4: null,
  rouge1: null,
  rouge2: null,
  rougeL: null,
  rouge1_p: null,
  rouge1_r: null,
  rouge2_p: null,
  rouge2_r: null,
  rougeL_p: null,
  rougeL_r: null,
} as const;

function wordTokens(tokenize: WordTokenizer, text: string): string[] {
  return text === '' ? [] : tokenize(text);
}

export function textMetrics(
  records: readonly ScoringRecord[],
  protocol: ProtocolInfo,
  tokenize: WordTokenizer | undefined,
): TextMetrics {
  // Pairs (reference text, predicted text) that enter BLEU and ROUGE, in record order.
  const refs: string[] = [];
  const hyps: string[] = [];
  if (protocol.blankExplanations === 'leave-out') {
    for (const r of records) {
      if (r.reference === null || r.reference === '' || r.explanation === null) continue;
      refs.push(r.reference);
      hyps.push(r.explanation);
    }
  } else if (records.some((r) => r.explanation !== null)) {
    for (const r of records) {
      refs.push(r.reference ?? '');
      hyps.push(r.explanation ?? '');
    }
  }
  const scored = refs.length;
  const leftOut = records.length - scored;
  if (scored === 0) return { ...NO_TEXT, explanations_scored: 0, explanations_left_out: leftOut };

  const ids = new TokenIds();
  const bleu = new BleuAccumulator(4);
  const rouge = new RougeAccumulator();
  const swap = protocol.rougeHypothesis === 'reference';
  const [a, b, c, d] = [new Scratch(), new Scratch(), new Scratch(), new Scratch()];
  for (let i = 0; i < scored; i++) {
    if (protocol.bleuTokens === 'char') {
      bleu.add([encodeCharsBleuInto(refs[i], ids, a)], encodeCharsBleuInto(hyps[i], ids, b));
    } else {
      const tk = tokenize as WordTokenizer;
      bleu.add([ids.encode(wordTokens(tk, refs[i]))], ids.encode(wordTokens(tk, hyps[i])));
    }
    const ref = encodeCharsRougeInto(refs[i], ids, c);
    const hyp = encodeCharsRougeInto(hyps[i], ids, d);
    if (swap) rouge.add(ref, hyp);
    else rouge.add(hyp, ref);
  }
  const stats = bleu.stats();
  const means = rouge.means();
  return {
    bleu1: bleuFromStats(stats, 1).bleu * 100,
    bleu4: bleuFromStats(stats, 4).bleu * 100,
    rouge1: means.rouge_1.f * 100,
    rouge2: means.rouge_2.f * 100,
    rougeL: means.rouge_l.f * 100,
    rouge1_p: means.rouge_1.p * 100,
    rouge1_r: means.rouge_1.r * 100,
    rouge2_p: means.rouge_2.p * 100,
    rouge2_r: means.rouge_2.r * 100,
    rougeL_p: means.rouge_l.p * 100,
    rougeL_r: means.rouge_l.r * 100,
    explanations_scored: scored,
    explanations_left_out: leftOut,
  };
}
