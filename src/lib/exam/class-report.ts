/**
 * A class's results as a CSV (one line per student, then one per question) and as one
 * self-contained HTML file (no script, no external resource, everything escaped). Pure.
 */
import { formatPercent } from '../format';
import { escapeHtml } from '../report/html';
import { csvCell } from '../report/tables';
import type { ClassResult } from './class';
import type { ExamSpec } from './spec';

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

export function classToHtml(result: ClassResult, spec: ExamSpec, generatedAt = new Date()): string {
  const e = escapeHtml;
  const pct = (v: number) => `${formatPercent(v)}%`;
  const ci = (c: { low: number; high: number } | null) =>
    c ? `${pct(c.low)}–${pct(c.high)}` : '–';
  const title = spec.title ?? `Exam on ${spec.splitId}`;
  const rows = (cells: (string | number)[][]) =>
    cells.map((r) => `<tr>${r.map((c) => `<td>${e(String(c))}</td>`).join('')}</tr>`).join('\n');
  const annotations = Object.entries(result.annotations)
    .map(
      ([column, values]) => `<h3>${e(column)}</h3>
<table><thead><tr><th>value</th><th>answers</th><th>accuracy</th><th>95% CI</th></tr></thead><tbody>
${rows(Object.entries(values).map(([v, c]) => [v, c.n, pct(c.accuracy), `${pct(c.ciLow)}–${pct(c.ciHigh)}`]))}
</tbody></table>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(title)} — class results</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #bbb;padding:.2rem .5rem;text-align:left}</style>
</head><body>
<h1>${e(title)}: class results</h1>
<p>Exam ${e(result.examId)} on ${e(spec.splitId)} · ${result.students} students · generated ${e(generatedAt.toISOString())}</p>
<table><tbody>
<tr><th>mean score</th><td>${pct(result.mean)} (95% CI ${ci(result.meanCi)})</td></tr>
<tr><th>median score</th><td>${pct(result.median)} (95% CI ${ci(result.medianCi)})</td></tr>
</tbody></table>
<h2>Score distribution</h2>
<table><thead><tr><th>score</th><th>students</th></tr></thead><tbody>
${rows(result.distribution.map((d) => [d.label, d.count]))}
</tbody></table>
<h2>Questions, hardest first</h2>
<table><thead><tr><th>question</th><th>row</th><th>right</th><th>share right</th></tr></thead><tbody>
${rows(result.questions.map((q) => [q.questionId, q.row, `${q.correct} / ${q.n}`, pct(q.rate)]))}
</tbody></table>
${annotations ? `<h2>By annotation</h2>\n${annotations}` : ''}
<h2>Students</h2>
<table><thead><tr><th>name</th><th>attempt</th><th>correct</th><th>unanswered</th><th>score</th></tr></thead><tbody>
${rows(result.table.map((r) => [r.name || '—', r.attempt, `${r.correct} / ${r.total}`, r.unanswered, pct(r.accuracy)]))}
</tbody></table>
</body></html>
`;
}
