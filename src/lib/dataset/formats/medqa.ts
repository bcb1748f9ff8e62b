// MedQA (jind11/MedQA), mainland-China questions (MCMLE): JSONL lines of {question, options:
// {A: …}, answer: <the option's text>, answer_idx: <letter>, meta_info}. The gold is
// `answer_idx`; an item whose `answer` is not that option's text is reported, not imported.
import type { FormatAdapter, FormatReader } from './types';
import {
  AnnotationKeeper,
  choiceRow,
  field,
  hasKeys,
  optionsFromObject,
  requireKeys,
  textOf,
} from './common';

const CORE = ['question', 'options', 'answer', 'answer_idx'];

export const medqaFormat: FormatAdapter = {
  id: 'medqa',
  kind: 'choice',
  label: 'MedQA',
  expects: 'question, options {A: …}, answer, answer_idx, meta_info',
  matches: (keys) => hasKeys(keys, ['question', 'options', 'answer_idx']),
  open(keys): FormatReader {
    requireKeys('MedQA', keys, ['question', 'options', 'answer_idx']);
    const annotations = new AnnotationKeeper(CORE);
    return {
      columns: [...keys],
      annotationColumns: () => annotations.columns(),
      read(record, row) {
        const options = optionsFromObject(field(record, 'options'));
        const letter = textOf(field(record, 'answer_idx')).trim().toUpperCase();
        const answerText = field(record, 'answer');
        if (typeof options !== 'string' && answerText !== undefined) {
          const chosen = options.find((o) => o.key.trim().toUpperCase() === letter);
          if (chosen && textOf(chosen.value).trim() !== textOf(answerText).trim()) {
            return [
              {
                row,
                message: `answer_idx ${letter} is ${JSON.stringify(clip(textOf(chosen.value)))} but answer is ${JSON.stringify(clip(textOf(answerText)))}`,
              },
            ];
          }
        }
        return [
          choiceRow(row, {
            question: field(record, 'question'),
            options,
            answer: letter,
            annotations: annotations.take(record),
          }),
        ];
      },
    };
  },
};

function clip(s: string, n = 30): string {
  const t = s.trim();
  return t.length > n ? t.slice(0, n) + '…' : t;
}
