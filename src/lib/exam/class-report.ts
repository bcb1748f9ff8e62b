/**
 * A class's results as a CSV (one line per student, then one per question) and as one
 * self-contained HTML file (no script, no external resource, everything escaped). Pure.
 */
import { formatPercent } from '../format';
import { escapeHtml } from '../report/html';
import { csvCell } from '../report/tables';
import type { ClassResult } from './class';
import type { ExamSpec } from './spec';
import type { Locale, MessageKey } from '../i18n/messages';
import { translate, type MessageParam } from '../i18n/translate';

export function classToCsv(result: ClassResult): string {
  const lines = [
    ['student', 'attempt', 'correct', 'total', 'unanswered', 'accuracy', 'seconds'].join(','),
    ...result.table.map((r) =>
      [
        r.name,
        r.attempt,
        r.correct,
        r.total,
        r.unanswered,
        r.accuracy.toFixed(4),
        Math.round(r.ms / 1000),
      ]
        .map(csvCell)
        .join(','),
    ),
    '',
    ['question_id', 'row', 'students_right', 'students', 'share_right'].join(','),
    ...result.questions.map((q) =>
      [q.questionId, q.row, q.correct, q.n, q.rate.toFixed(4)].map(csvCell).join(','),
    ),
  ];
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/** The class report in a language: headings and labels; names and question ids as they are. */
export function classToHtml(
  result: ClassResult,
  spec: ExamSpec,
  generatedAt = new Date(),
  locale: Locale = 'en',
): string {
  const tr = (key: MessageKey, params?: Record<string, MessageParam>) =>
    translate(locale, key, params);
  const e = escapeHtml;
  const pct = (v: number) => `${formatPercent(v)}%`;
  const ci = (c: { low: number; high: number } | null) =>
    c ? `${pct(c.low)}–${pct(c.high)}` : '–';
  const title = spec.title ?? tr('classExamOn', { split: spec.splitId });
  const rows = (cells: (string | number)[][]) =>
    cells.map((r) => `<tr>${r.map((c) => `<td>${e(String(c))}</td>`).join('')}</tr>`).join('\n');
  const head = (cells: string[]) =>
    `<thead><tr>${cells.map((c) => `<th>${e(c)}</th>`).join('')}</tr></thead>`;
  const annotations = Object.entries(result.annotations)
    .map(
      ([column, values]) => `<h3>${e(column)}</h3>
<table>${head([tr('valueCol'), tr('classAnswersCol'), tr('accuracy'), tr('ci95')])}<tbody>
${rows(Object.entries(values).map(([v, c]) => [v, c.n, pct(c.accuracy), `${pct(c.ciLow)}–${pct(c.ciHigh)}`]))}
</tbody></table>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="${locale === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(tr('classTitle', { title }))}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #bbb;padding:.2rem .5rem;text-align:left}</style>
</head><body>
<h1>${e(tr('classHeading', { title }))}</h1>
<p>${e(
    tr('classLine', {
      examId: result.examId,
      split: spec.splitId,
      n: result.students,
      at: generatedAt.toISOString(),
    }),
  )}</p>
<table><tbody>
<tr><th>${e(tr('classMeanScore'))}</th><td>${pct(result.mean)} (${e(tr('ci95'))} ${ci(result.meanCi)})</td></tr>
<tr><th>${e(tr('classMedianScore'))}</th><td>${pct(result.median)} (${e(tr('ci95'))} ${ci(result.medianCi)})</td></tr>
</tbody></table>
<h2>${e(tr('classDistribution'))}</h2>
<table>${head([tr('classScoreCol'), tr('classStudentsCol')])}<tbody>
${rows(result.distribution.map((d) => [d.label, d.count]))}
</tbody></table>
<h2>${e(tr('classHardest'))}</h2>
<table>${head([tr('htmlQuestion'), tr('rowCol'), tr('classRightCol'), tr('classShareRight')])}<tbody>
${rows(result.questions.map((q) => [q.questionId, q.row, `${q.correct} / ${q.n}`, pct(q.rate)]))}
</tbody></table>
${annotations ? `<h2>${e(tr('byAnnotation'))}</h2>\n${annotations}` : ''}
<h2>${e(tr('classStudentsHeading'))}</h2>
<table>${head([tr('classNameCol'), tr('examAttempt'), tr('correct'), tr('examUnanswered'), tr('classScoreCol')])}<tbody>
${rows(result.table.map((r) => [r.name || '—', r.attempt, `${r.correct} / ${r.total}`, r.unanswered, pct(r.accuracy)]))}
</tbody></table>
</body></html>
`;
}
