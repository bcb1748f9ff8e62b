/**
 * The two scoring protocols, one per CMExam evaluation script, as data: the flags the metric
 * families read, and the metric names each reports. Nothing else differs between them.
 *
 * `cmexam-char` — `src/evaluation/evaluate_lora_result.py` (williamliujl/CMExam):
 * - `evaluate_prediction` runs on every row: accuracy = rows whose parsed option string equals
 *   the gold `答案`, over all rows; a row the parser could not read is the string `无答案`, which
 *   is wrong and is its own label in the weighted F1.
 * - `evaluate_reasoning` then drops rows where the gold explanation `答案解析` or the parsed
 *   explanation is NaN (`dropna`, after the accuracy was computed). In the script the parsed
 *   explanation is never NaN (a non-string reply becomes `无答案`), and an empty gold cell
 *   reads as NaN; here a null reference, an empty reference or a null explanation (the method
 *   produced none) leaves the row out, and a whitespace-only reference stays, as with pandas.
 * - BLEU on `' '.join(list(text)).split()` (characters, whitespace dropped); ROUGE on
 *   `' '.join(list(text))` through nmt's `split(" ")`, with the prediction as hypothesis
 *   (`rouge_score(gold, pred)` → `rouge(pred, gold)`). Only the F scores are printed.
 *
 * `cmexam-jieba` — `evaluation()` in `src/evaluation/evaluate_gpt_result.py`:
 * - Predictions are read back from CSV, where an empty answer cell becomes NaN; "parsed" means
 *   `not pd.isna(predicted_answer)`, i.e. a non-empty prediction. Accuracy (`correct/total`)
 *   and the weighted F1 use parsed rows only.
 * - Blank explanations (NaN) on either side become `""` and every row is kept.
 * - BLEU on `list(jieba.cut(text, cut_all=False))` for both sides (tokens used as jieba returns
 *   them, whitespace tokens included; `""` gives no tokens).
 * - ROUGE on `' '.join(list(text))`, but with the names crossed: `processed_gt_exps` is built
 *   from the predictions and `processed_predict_exps` from the gold explanations, so
 *   `rouge_score(processed_gt_exps, processed_predict_exps)` makes the *gold* explanation the
 *   hypothesis and the prediction the reference. ROUGE-N F is symmetric in that swap and
 *   ROUGE-L F is symmetric up to its 1e-12 terms; P and R trade places (this script prints
 *   all nine ROUGE numbers).
 * - Two empty explanations compare as `['']` vs `['']`: ROUGE-1 and ROUGE-L F ≈ 1 for that row.
 */
import { ANSWER_METRICS, EXPLANATION_METRICS, type MetricName } from './registry';
import type { ProtocolId } from './types';

export interface ProtocolInfo {
  id: ProtocolId;
  /** The CMExam script this protocol reproduces. */
  source: string;
  description: string;
  /** Headline accuracy and F1 over every question, or over parsed ones only. */
  answerRows: 'all' | 'parsed';
  /** BLEU tokens: characters (whitespace dropped) or injected word segmentation. */
  bleuTokens: 'char' | 'word';
  /** Which side ROUGE treats as the hypothesis. */
  rougeHypothesis: 'prediction' | 'reference';
  /** Blank explanations: row left out, or scored as an empty string. */
  blankExplanations: 'leave-out' | 'empty-string';
  /** The metrics it reports, by registered name (registry.ts). */
  reports: readonly MetricName[];
}

/** What both CMExam scripts print: answer metrics, then BLEU and ROUGE of the explanations. */
const CMEXAM_METRICS: readonly MetricName[] = [...ANSWER_METRICS, ...EXPLANATION_METRICS];

export const PROTOCOLS: Readonly<Record<ProtocolId, ProtocolInfo>> = {
  'cmexam-char': {
    id: 'cmexam-char',
    source: 'williamliujl/CMExam src/evaluation/evaluate_lora_result.py',
    description:
      'Accuracy and weighted F1 over all questions (unparsed = wrong, its own label); ' +
      'character BLEU-1/4 and ROUGE-1/2/L with the prediction as hypothesis; rows with a ' +
      'missing explanation left out.',
    answerRows: 'all',
    bleuTokens: 'char',
    rougeHypothesis: 'prediction',
    blankExplanations: 'leave-out',
    reports: CMEXAM_METRICS,
  },
  'cmexam-jieba': {
    id: 'cmexam-jieba',
    source: 'williamliujl/CMExam src/evaluation/evaluate_gpt_result.py (evaluation)',
    description:
      'Accuracy and weighted F1 over parsed answers only; BLEU on jieba words; character ' +
      'ROUGE with the gold explanation as hypothesis; blank explanations scored as empty.',
    answerRows: 'parsed',
    bleuTokens: 'word',
    rougeHypothesis: 'reference',
    blankExplanations: 'empty-string',
    reports: CMEXAM_METRICS,
  },
};

export const PROTOCOL_IDS: readonly ProtocolId[] = ['cmexam-char', 'cmexam-jieba'];

export function isProtocolId(value: string): value is ProtocolId {
  return (PROTOCOL_IDS as readonly string[]).includes(value);
}
