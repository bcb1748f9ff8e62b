// CMB-Exam (FreedomIntelligence/CMB): a JSON array of {exam_type, exam_class, exam_subject,
// question, answer, question_type, option: {A: …}} (validation items may add `explanation`).
// The test split's answers ship apart as CMB-test-choice-answer.json ([{id, answer, …}]), read by
// `readAnswerKey` and applied by item id.
import { DatasetError } from '../errors';
import { msg } from '../../i18n/translate';
import type { AnswerKey, FormatAdapter, FormatReader } from './types';
import {
  AnnotationKeeper,
  choiceRow,
  field,
  hasKeys,
  optionsFromObject,
  requireKeys,
  textOf,
} from './common';

// `id` only matches the answer key: as an annotation it would make 11,200 one-item groups.
const CORE = ['question', 'option', 'answer', 'explanation', 'id'];

export const cmbFormat: FormatAdapter = {
  id: 'cmb',
  kind: 'choice',
  label: 'CMB-Exam',
  expects: 'question, option {A: …}, answer, question_type, exam_type, exam_class, exam_subject',
  matches: (keys) =>
    hasKeys(keys, ['question', 'option']) &&
    (hasKeys(keys, ['question_type']) || hasKeys(keys, ['exam_type'])),
  open(keys, ctx): FormatReader {
    requireKeys('CMB-Exam', keys, ['question', 'option']);
    const annotations = new AnnotationKeeper(CORE);
    return {
      columns: [...keys],
      annotationColumns: () => annotations.columns(),
      read(record, row) {
        let answer = field(record, 'answer');
        const id = field(record, 'id');
        const keyed = id === undefined ? undefined : ctx.answerKey?.get(textOf(id));
        if (keyed !== undefined && textOf(answer).trim() === '') answer = keyed;
        return [
          choiceRow(row, {
            question: field(record, 'question'),
            options: optionsFromObject(field(record, 'option')),
            answer,
            explanation: field(record, 'explanation'),
            annotations: annotations.take(record),
          }),
        ];
      },
    };
  },
};

/**
 * Whether a file's first record is CMB's answer key: an `id` and an `answer` (the released key
 * repeats exam_type, exam_class, exam_subject and question_type) but no question.
 */
export function isAnswerKeyRecord(keys: readonly string[]): boolean {
  return (
    hasKeys(keys, ['id', 'answer']) &&
    !hasKeys(keys, ['question']) &&
    !hasKeys(keys, ['questions']) &&
    !hasKeys(keys, ['qtext']) &&
    !hasKeys(keys, ['Question'])
  );
}

/** Whether the start of a file looks like CMB's answer key: a JSON array of `{id, answer, …}`. */
export function looksLikeAnswerKey(head: string): boolean {
  const m = /^\s*\[\s*(\{[^{}]*\})/.exec(head.replace(/^\uFEFF/, ''));
  if (!m) return false;
  try {
    const first = JSON.parse(m[1]) as Record<string, unknown>;
    return isAnswerKeyRecord(Object.keys(first));
  } catch {
    return false;
  }
}

/** Reads CMB's answer key; throws naming the first item that is not `{id, answer}`. */
export function readAnswerKey(text: string, name: string): AnswerKey {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DatasetError('not-dataset', msg('dsBadJson', { detail: (e as Error).message }));
  }
  const list = Array.isArray(value) ? value : null;
  const key = new Map<string, string>();
  const bad = (i: number) =>
    new DatasetError('not-dataset', msg('dsBadAnswerKey', { name, item: i }));
  if (!list || list.length === 0) throw bad(0);
  list.forEach((item, i) => {
    if (!item || typeof item !== 'object') throw bad(i);
    const { id, answer } = item as { id?: unknown; answer?: unknown };
    if (id === undefined || id === null || (typeof answer !== 'string' && !Array.isArray(answer)))
      throw bad(i);
    key.set(textOf(id), Array.isArray(answer) ? answer.map(textOf).join('') : answer);
  });
  return key;
}
