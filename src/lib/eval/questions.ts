import type { StoredQuestion } from '../dataset/types';
import type { EvalQuestion } from './types';

/** A stored question as the evaluation pipeline (and exams) see it: no storage bookkeeping. */
export function evalQuestionOf(q: StoredQuestion): EvalQuestion {
  return {
    id: q.id,
    row: q.row,
    question: q.question,
    options: q.options,
    answer: q.answer,
    explanation: q.explanation,
    annotations: q.annotations,
    multi: q.multi,
    ...(q.kind === 'open'
      ? { kind: 'open' as const, context: q.context, references: q.references ?? [] }
      : {}),
  };
}
