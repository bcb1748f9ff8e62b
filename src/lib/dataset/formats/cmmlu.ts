// CMMLU (haonan-li/CMMLU): one CSV per subject, header `,Question,A,B,C,D,Answer` (a leading
// unnamed index column, dropped). The subject is the file's name without `.csv`, kept as the
// annotation `subject`; several subject files imported together make one split.
import type { FormatAdapter, FormatReader } from './types';
import { AnnotationKeeper, choiceRow, field, hasKeys, requireKeys } from './common';

const LETTER = /^[A-Za-z]$/;

/** `…/test/college_medicine.csv` → `college_medicine`. */
export function subjectFromName(name: string | undefined): string {
  const base = (name ?? '').split(/[?#]/)[0].split(/[\\/]/).pop() ?? '';
  return decodeURIComponentSafe(base.replace(/\.csv$/i, ''));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const cmmluFormat: FormatAdapter = {
  id: 'cmmlu',
  kind: 'choice',
  label: 'CMMLU',
  expects: ',Question,A,B,C,D,Answer',
  matches: (keys) => hasKeys(keys, ['Question', 'A', 'B', 'Answer']) && !hasKeys(keys, ['Options']),
  open(keys, ctx): FormatReader {
    requireKeys('CMMLU', keys, ['Question', 'A', 'B', 'Answer']);
    const letters = keys.filter((k) => LETTER.test(k.trim()));
    const annotations = new AnnotationKeeper(['Question', 'Answer', ...letters]);
    const subject = subjectFromName(ctx.name);
    return {
      columns: [...keys],
      annotationColumns: () => annotations.columns(),
      read: (record, row) => [
        choiceRow(row, {
          question: field(record, 'Question'),
          options: letters
            .map((k) => ({ key: k.trim().toUpperCase(), value: record[k] }))
            .filter((o) => String(o.value ?? '').trim() !== ''),
          answer: field(record, 'Answer'),
          annotations: annotations.take(record, subject ? [['subject', subject]] : []),
        }),
      ],
    };
  },
};
