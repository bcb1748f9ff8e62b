/**
 * What a record's answer counts as. Shared by every protocol so "parsed" and "correct" mean
 * one thing across the scoring core.
 */
import type { ScoringRecord } from './types';

/**
 * The label `evaluate_lora_result.py` gives an answer its parser could not read (`无答案`,
 * "no answer"). Used as the unparsed class in the weighted F1, which also fixes where it sorts
 * among the labels (after every Latin letter string), as in the script.
 */
export const UNPARSED_LABEL = '无答案';

/**
 * A usable answer: status `parsed` and a non-empty letter string. This is also
 * `evaluate_gpt_result.py`'s test, `not pd.isna(predicted_answer)`: an empty answer written
 * to CSV reads back as NaN.
 */
export function isParsed(r: Pick<ScoringRecord, 'status' | 'prediction'>): boolean {
  return r.status === 'parsed' && r.prediction !== '';
}

/** Exact match of the letter strings; an unparsed answer or a blank gold is never correct. */
export function isCorrect(r: Pick<ScoringRecord, 'status' | 'prediction' | 'gold'>): boolean {
  return isParsed(r) && r.gold !== '' && r.prediction === r.gold;
}

/** The class label of the answer for F1 (`cmexam-char`): the letters, or `无答案`. */
export function answerLabel(r: Pick<ScoringRecord, 'status' | 'prediction'>): string {
  return isParsed(r) ? r.prediction : UNPARSED_LABEL;
}
