// CMB-Clin (FreedomIntelligence/CMB): clinical cases, a JSON array of {id, title, description,
// QA_pairs: [{question, solution}]} (`answer` accepted for `solution`). Each pair is one open item; its context is the case
// description and the pairs before it, as the case is told to a doctor turn by turn.
import type { FormatAdapter, FormatReader } from './types';
import { AnnotationKeeper, field, hasKeys, openRow, requireKeys, textOf } from './common';
import type { DatasetRow, RowProblem } from '../types';

const CORE = ['description', 'QA_pairs'];

export const cmbClinFormat: FormatAdapter = {
  id: 'cmb-clin',
  kind: 'open',
  label: 'CMB-Clin',
  expects: 'id, title, description, QA_pairs [{question, solution}]',
  matches: (keys) => hasKeys(keys, ['QA_pairs']),
  open(keys): FormatReader {
    requireKeys('CMB-Clin', keys, ['description', 'QA_pairs']);
    const annotations = new AnnotationKeeper(CORE);
    return {
      columns: [...keys],
      annotationColumns: () => annotations.columns(),
      read(record, firstRow) {
        const pairs = field(record, 'QA_pairs');
        if (!Array.isArray(pairs) || pairs.length === 0) {
          return [{ row: firstRow, message: 'QA_pairs is not a list of {question, solution}' }];
        }
        const description = textOf(field(record, 'description')).trim();
        const out: (DatasetRow | RowProblem)[] = [];
        const told: string[] = description ? [description] : [];
        pairs.forEach((pair: unknown, i) => {
          const row = firstRow + i;
          if (!pair || typeof pair !== 'object') {
            out.push({ row, message: `QA pair ${i + 1} is not {question, solution}` });
            return;
          }
          const question = field(pair as Record<string, unknown>, 'question');
          // CMB's README and code say `solution`; some copies in circulation say `answer`.
          const solution =
            field(pair as Record<string, unknown>, 'solution') ??
            field(pair as Record<string, unknown>, 'answer');
          out.push(
            openRow(row, {
              question,
              context: told.join('\n\n'),
              references: solution,
              annotations: annotations.take(record, [['turn', String(i + 1)]]),
            }),
          );
          told.push(`问：${textOf(question).trim()}\n答：${textOf(solution).trim()}`);
        });
        return out;
      },
    };
  },
};
