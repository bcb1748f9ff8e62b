/**
 * A results file as tables: one CSV line per answer (for spreadsheets), and a Markdown summary
 * (the headline row, then accuracy per annotation value). Pure: no Dexie, no DOM.
 */
import { formatNumber, formatPercent } from '../format';
import type { ResultsFile } from './results';
import type { Locale } from '../i18n/messages';
import { translate } from '../i18n/translate';

const CSV_COLUMNS = [
  'question_id',
  'row',
  'gold',
  'prediction',
  'status',
  'correct',
  'raw_output',
  'explanation',
  'error',
  'option_probs',
  'latency_ms',
  'prompt_tokens',
  'completion_tokens',
] as const;

export function csvCell(v: unknown): string {
  const text =
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Quote everything that could break a row; a leading = + - @ is neutralised so that a
  // spreadsheet never runs model output as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One line per answer, RFC 4180, with a UTF-8 byte-order mark for spreadsheets. */
export function recordsToCsv(file: ResultsFile): string {
  const annotationColumns = [...new Set(file.records.flatMap((r) => Object.keys(r.annotations)))];
  const header = [...CSV_COLUMNS, ...annotationColumns];
  const lines = [header.map(csvCell).join(',')];
  for (const r of file.records) {
    lines.push(
      [...CSV_COLUMNS.map((c) => r[c]), ...annotationColumns.map((c) => r.annotations[c] ?? '')]
        .map(csvCell)
        .join(','),
    );
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

const pct = (v: number | null | undefined) => formatPercent(v);
const x100 = (v: number | null | undefined) => formatNumber(v);
const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** An open run's figures as table cells: headline columns, then its row. */
export const OPEN_COLUMNS = [
  'n',
  'BLEU-1',
  'BLEU-2',
  'BLEU-4',
  'ROUGE-1',
  'ROUGE-2',
  'ROUGE-L',
  'Distinct-1',
  'Distinct-2',
] as const;

export function openCells(m: NonNullable<ResultsFile['open']>['metrics']): string[] {
  return [
    String(m.n),
    ...[m.bleu1, m.bleu2, m.bleu4, m.rouge1, m.rouge2, m.rougeL, m.distinct1, m.distinct2].map(
      (v) => x100(v),
    ),
  ];
}

function openMarkdown(file: ResultsFile, locale: Locale): string {
  const open = file.open!;
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = `|${OPEN_COLUMNS.map(() => '---:').join('|')}|`;
  const lines = [
    `## ${translate(locale, 'modelOnSplit', {
      model: mdCell(file.run.model ?? file.run.spec.model),
      split: mdCell(file.run.spec.splitId),
    })}`,
    '',
    translate(locale, 'mdProtocolLine', {
      protocol: `\`${open.protocol}\``,
      n: open.metrics.n,
      method: file.run.spec.method,
      prompt: file.run.spec.prompt,
    }),
    '',
    row(OPEN_COLUMNS),
    rule,
    row(openCells(open.metrics)),
  ];
  for (const [column, values] of Object.entries(open.breakdowns)) {
    lines.push(
      '',
      `### ${mdCell(column)}`,
      '',
      row([translate(locale, 'valueCol'), ...OPEN_COLUMNS]),
    );
    lines.push(`|---|${OPEN_COLUMNS.map(() => '---:').join('|')}|`);
    for (const [value, b] of Object.entries(values))
      lines.push(row([mdCell(value), ...openCells(b)]));
  }
  return lines.join('\n') + '\n';
}

/**
 * A Markdown summary in a language: the headline row, then accuracy per annotation value (an
 * open run: its text scores, then per annotation value).
 */
export function resultsToMarkdown(file: ResultsFile, locale: Locale = 'en'): string {
  if (file.open) return openMarkdown(file, locale);
  const m = file.metrics;
  const tr = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) =>
    translate(locale, key, params);
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    `## ${tr('modelOnSplit', {
      model: mdCell(file.run.model ?? file.run.spec.model),
      split: mdCell(file.run.spec.splitId),
    })}`,
    '',
    tr('mdProtocolLine', {
      protocol: `\`${m.protocol}\``,
      n: m.n,
      method: file.run.spec.method,
      prompt: file.run.spec.prompt,
    }),
    '',
    row([
      'n',
      tr('accuracyPct'),
      tr('ci95'),
      tr('weightedF1Pct'),
      tr('answerStatus_unparsed'),
      'BLEU-1',
      'BLEU-4',
      'ROUGE-1',
      'ROUGE-2',
      'ROUGE-L',
    ]),
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    `| ${m.n} | ${pct(m.accuracy)} | ${pct(m.accuracy_ci_low)}–${pct(m.accuracy_ci_high)} | ${pct(m.weighted_f1)} | ${m.unparsed} | ${x100(m.bleu1)} | ${x100(m.bleu4)} | ${x100(m.rouge1)} | ${x100(m.rouge2)} | ${x100(m.rougeL)} |`,
  ];
  for (const [column, values] of Object.entries(file.breakdowns)) {
    lines.push(
      '',
      `### ${mdCell(column)}`,
      '',
      row([tr('valueCol'), 'n', tr('accuracyPct'), tr('ci95'), tr('weightedF1Pct')]),
      '|---|---:|---:|---|---:|',
    );
    for (const [value, b] of Object.entries(values)) {
      lines.push(
        `| ${mdCell(value)} | ${b.n} | ${pct(b.accuracy)} | ${pct(b.ci_low)}–${pct(b.ci_high)} | ${pct(b.weighted_f1)} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
