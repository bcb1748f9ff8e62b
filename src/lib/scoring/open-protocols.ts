/**
 * Scoring protocols for open-ended answers, as data, beside CMExam's choice protocols
 * (protocols.ts). Each reproduces one script; the metric code is `open-score.ts`.
 *
 * `qilin-open` — `eval/CMExam/evaluate_chatglm.py` (williamliujl/Qilin-Med), which is CMExam's
 * `evaluation()` of `evaluate_gpt_result.py` with three changes:
 * - every U+0020 space is removed from the model's outputs (`item.replace(" ", "")`), never from
 *   the references; tabs, newlines and U+3000 stay; nothing is trimmed;
 * - a blank output is kept as `""` (pandas NaN → `""`), so every item is scored;
 * - no answer metrics: BLEU-1, BLEU-2, BLEU-4 and ROUGE-1/2/L only.
 * - BLEU: tensorflow/nmt `compute_bleu` (corpus level, no smoothing, `max_order` 1, 2 and 4)
 *   on `list(jieba.cut(text, cut_all=False))`, references first, ×100.
 * - ROUGE: nmt `rouge()` on characters (`' '.join(list(text)).split(" ")`) with the names
 *   crossed as in CMExam's script: the reference is the hypothesis and the output the
 *   reference (F is the same either way; P and R trade places). Per item, then `np.mean`, ×100.
 *
 * `open-char` — the same, with BLEU on characters as `cmexam-char` (`' '.join(list(text))
 * .split()`: whitespace dropped).
 *
 * Both add what Qilin's script does not print but open-ended QA papers report: Distinct-1 and
 * Distinct-2 over all outputs (distinct n-grams over all n-grams, n-grams taken within each
 * output, on jieba words), the average output length (characters, after the space removal)
 * and the count of empty outputs.
 *
 * Several references for one item (a Huatuo-26M list of answers): BLEU takes them all, as
 * `compute_bleu` does (clipped by the most frequent reference count, the shortest reference's
 * length); ROUGE takes, for each of ROUGE-1/2/L, the reference with the highest F. With one
 * reference both are exactly the script's.
 */
export type OpenProtocolId = 'qilin-open' | 'open-char';

export interface OpenProtocolInfo {
  id: OpenProtocolId;
  source: string;
  description: string;
  bleuTokens: 'word' | 'char';
}

export const OPEN_PROTOCOLS: Readonly<Record<OpenProtocolId, OpenProtocolInfo>> = {
  'qilin-open': {
    id: 'qilin-open',
    source: 'williamliujl/Qilin-Med eval/CMExam/evaluate_chatglm.py',
    description:
      'Spaces removed from outputs; corpus BLEU-1/2/4 on jieba words; character ROUGE-1/2/L ' +
      '(reference as hypothesis, as the script); blank outputs scored as empty; Distinct-1/2 ' +
      'on jieba words.',
    bleuTokens: 'word',
  },
  'open-char': {
    id: 'open-char',
    source: 'qilin-open with character BLEU as cmexam-char',
    description: 'As qilin-open, with BLEU on characters (whitespace dropped) as in cmexam-char.',
    bleuTokens: 'char',
  },
};

export const OPEN_PROTOCOL_IDS: readonly OpenProtocolId[] = ['qilin-open', 'open-char'];

/** The protocol open items are scored with unless the user picks another. */
export const DEFAULT_OPEN_PROTOCOL: OpenProtocolId = 'qilin-open';

export function isOpenProtocolId(value: string): value is OpenProtocolId {
  return (OPEN_PROTOCOL_IDS as readonly string[]).includes(value);
}
