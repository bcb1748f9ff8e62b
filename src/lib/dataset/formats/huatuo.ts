// Huatuo-26M's test sets (FreedomIntelligence/huatuo26M-testdatasets): JSONL lines of
// {questions, answers}, each a string or a list of strings. A list of answers is several
// references (BLEU takes them all, ROUGE the best-matching one); a list of questions is one
// question told in several parts, joined with a newline.
import type { FormatAdapter, FormatReader } from './types';
import { AnnotationKeeper, field, hasKeys, openRow, requireKeys, textOf } from './common';

// An item's own `id` is not a grouping: one-item groups in every breakdown.
const CORE = ['questions', 'answers', 'id'];

export const huatuoFormat: FormatAdapter = {
  id: 'huatuo',
  kind: 'open',
  label: 'Huatuo-26M',
  expects: 'questions, answers',
  matches: (keys) => hasKeys(keys, ['questions', 'answers']),
  open(keys): FormatReader {
    requireKeys('Huatuo-26M', keys, ['questions', 'answers']);
    const annotations = new AnnotationKeeper(CORE);
    return {
      columns: [...keys],
      annotationColumns: () => annotations.columns(),
      read(record, row) {
        const questions = field(record, 'questions');
        const question = Array.isArray(questions)
          ? questions
              .map(textOf)
              .filter((q) => q.trim() !== '')
              .join('\n')
          : questions;
        return [
          openRow(row, {
            question,
            references: field(record, 'answers'),
            annotations: annotations.take(record),
          }),
        ];
      },
    };
  },
};
