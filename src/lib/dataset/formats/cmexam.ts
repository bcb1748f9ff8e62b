// CMExam's own shape (fzkuji/CMExam): columns Question, Options (one option per line), Answer,
// Explanation, and the five annotations; the CSV, the Hugging Face JSON and JSONL all use it.
import { EXPLANATION_COLUMN, mapColumns, toDatasetRow } from '../schema';
import type { FormatAdapter, FormatReader } from './types';
import { field, hasKeys } from './common';

export const cmexamFormat: FormatAdapter = {
  id: 'cmexam',
  kind: 'choice',
  label: 'CMExam',
  expects: 'Question, Options, Answer[, Explanation]',
  matches: (keys) => hasKeys(keys, ['Question', 'Options', 'Answer']),
  open(keys): FormatReader {
    const map = mapColumns([...keys]);
    const annotations = map.annotations.map((a) => a.name);
    return {
      columns: map.columns,
      annotationColumns: () => annotations,
      read: (record, row) => [
        toDatasetRow(row, {
          question: field(record, 'Question'),
          options: field(record, 'Options'),
          answer: field(record, 'Answer'),
          explanation: field(record, EXPLANATION_COLUMN),
          annotations: annotations.map((name): [string, unknown] => [
            name,
            field(record, name) ?? '',
          ]),
        }),
      ],
    };
  },
};
