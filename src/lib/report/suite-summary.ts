/**
 * A suite's summary table: one row per model, one column per member split, each cell the
 * model's run of that member (the same spec but the model) with its headline figures:
 * accuracy and weighted F1 (`cmexam-char`) for choice splits, BLEU-1 / ROUGE-1 / ROUGE-L
 * (`qilin-open`) for open ones. Written as JSON (`cmexam-eval-suite`, docs/results-format.md)
 * or CSV. Pure.
 */
import type { RunRecord, SuiteRecord } from '../db/database';

export const SUITE_FORMAT = 'cmexam-eval-suite';
export const SUITE_VERSION = 1;

export interface SuiteCell {
  run_id: string;
  status: RunRecord['status'];
  done: number;
  total: number;
  method: RunRecord['spec']['method'];
  /** Choice splits (0–1). */
  accuracy?: number;
  weighted_f1?: number;
  /** Open splits (×100). */
  bleu1?: number;
  rouge1?: number;
  rougeL?: number;
}

export interface SuiteRow {
  model: string;
  engine: RunRecord['spec']['engine'];
  /** One per member split, in the suite's order; null where the model has no such run. */
  cells: (SuiteCell | null)[];
}

export interface SuiteSummary {
  format: typeof SUITE_FORMAT;
  version: typeof SUITE_VERSION;
  suite: { id: string; query: string; created_at: string; members: SuiteRecord['members'] };
  /** Member split ids, the columns. */
  splits: string[];
  rows: SuiteRow[];
}

const percent = (v: number | undefined) => (v === undefined ? '' : (v * 100).toFixed(2));
const fixed = (v: number | undefined) => (v === undefined ? '' : v.toFixed(2));

/** The summary as CSV: a row per model; per split its status and figures. */
export function suiteToCsv(s: SuiteSummary): string {
  const head = ['model', 'engine'];
  for (const split of s.splits) {
    head.push(
      `${split} status`,
      `${split} done`,
      `${split} accuracy %`,
      `${split} weighted F1 %`,
      `${split} BLEU-1`,
      `${split} ROUGE-1`,
      `${split} ROUGE-L`,
    );
  }
  const lines = [head];
  for (const row of s.rows) {
    const line = [row.model, row.engine];
    for (const c of row.cells) {
      if (!c) line.push('', '', '', '', '', '', '');
      else
        line.push(
          c.status,
          `${c.done}/${c.total}`,
          percent(c.accuracy),
          percent(c.weighted_f1),
          fixed(c.bleu1),
          fixed(c.rouge1),
          fixed(c.rougeL),
        );
    }
    lines.push(line);
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\n') + '\n';
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
