// MLEC-QA (Judenpech/MLEC-QA): JSON items {qid, qtype, qtext, options: {A: …}, answer}, the
// answer a letter or a list of letters.
import type { FormatAdapter, FormatReader } from './types';
import {
  AnnotationKeeper,
  choiceRow,
  field,
  hasKeys,
  optionsFromObject,
  requireKeys,
} from './common';

// `qid` names one item: as an annotation it would make a one-item group per question.
const CORE = ['qtext', 'options', 'answer', 'qid'];

export const mlecQaFormat: FormatAdapter = {
  id: 'mlec-qa',
  kind: 'choice',
  label: 'MLEC-QA',
  expects: 'qid, qtype, qtext, options {A: …}, answer',
  matches: (keys) => hasKeys(keys, ['qtext', 'options']),
  open(keys): FormatReader {
    requireKeys('MLEC-QA', keys, ['qtext', 'options', 'answer']);
    const annotations = new AnnotationKeeper(CORE);
    return {
      columns: [...keys],
      annotationColumns: () => annotations.columns(),
      read: (record, row) => [
        choiceRow(row, {
          question: field(record, 'qtext'),
          options: optionsFromObject(field(record, 'options')),
          answer: field(record, 'answer'),
          annotations: annotations.take(record),
        }),
      ],
    };
  },
};
