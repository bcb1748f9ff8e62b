// Any open-ended QA file: JSONL (or CSV, JSON) with `question` and `answer` (or `reference`)
// columns and an optional `context`; an answer that is a list is several references.
import type { FormatAdapter, FormatReader } from './types';
import { AnnotationKeeper, field, hasKeys, openRow, requireKeys, textOf } from './common';

const REFERENCE_KEYS = ['answer', 'reference', 'references'];
// An item's own `id` is not a grouping: one-item groups in every breakdown.
const CORE = ['question', ...REFERENCE_KEYS, 'context', 'id'];

export const openGenericFormat: FormatAdapter = {
  id: 'open-jsonl',
  kind: 'open',
  label: 'open-ended QA',
  expects: 'question, answer (or reference)[, context]',
  matches: (keys) =>
    hasKeys(keys, ['question']) &&
    (hasKeys(keys, ['answer']) || hasKeys(keys, ['reference']) || hasKeys(keys, ['references'])) &&
    !hasKeys(keys, ['options']) &&
    !hasKeys(keys, ['option']),
  open(keys): FormatReader {
    requireKeys('open-ended QA', keys, ['question']);
    if (!REFERENCE_KEYS.some((k) => hasKeys(keys, [k]))) {
      requireKeys('open-ended QA', keys, ['question', 'answer']);
    }
    const annotations = new AnnotationKeeper(CORE);
    return {
      columns: [...keys],
      annotationColumns: () => annotations.columns(),
      read: (record, row) => [
        openRow(row, {
          question: field(record, 'question'),
          context: textOf(field(record, 'context')).trim(),
          references: REFERENCE_KEYS.map((k) => field(record, k)).find((v) => v !== undefined),
          annotations: annotations.take(record),
        }),
      ],
    };
  },
};
