/**
 * The run report as one self-contained HTML file: inline CSS, charts as inline SVG, no script
 * and no external resource, so it opens offline anywhere. Every piece of dataset text and model
 * output is escaped: it is data, never markup.
 */
import { formatNumber, formatPercent } from '../format';
import { PAPER_ROWS, PAPER_SOURCE } from './paper';
import type { ResultsFile } from './results';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const pct = formatPercent;
const num = formatNumber;

function table(head: string[], rows: (string | number)[][], cls = ''): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`)
    .join('');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.paper td{color:#57606a;font-style:italic}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#57606a}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.charts figure{margin:0}
figcaption{font-weight:600;margin-bottom:.3rem}.muted{color:#57606a}
.records td{max-width:28rem;overflow-wrap:anywhere}
`;

export function resultsToHtml(file: ResultsFile, charts: Record<string, string>): string {
  const m = file.metrics;
  const run = file.run;
  const title = `${run.model ?? run.spec.model} on ${run.spec.splitId}`;
  const perf = run.performance;
  const facts: [string, string][] = [
    ['Run', run.id],
    ['Protocol', m.protocol],
    ['Split', run.spec.splitId],
    ['Model', `${run.model ?? run.spec.model} (${run.engine})`],
    ['Device', run.device ?? '–'],
    [
      'Method',
      `${run.spec.method}, prompt ${run.spec.prompt}${run.spec.k ? `, k=${run.spec.k}` : ''}`,
    ],
    ['Questions', `${run.done} answered of ${run.total}; ${run.skipped} multi-answer left out`],
    ['Status', run.status],
    ['Created', run.created_at],
    ['Exported', file.exported_at],
    ['Generator', file.generator],
  ];
  if (run.dataset) facts.push(['Dataset sha-256', run.dataset.sha256]);
  if (run.origin) facts.push(['Origin', `${run.origin.kind}: ${run.origin.sources.join(', ')}`]);

  const headline = table(
    [
      'n',
      'accuracy %',
      '95% CI',
      'accuracy (parsed) %',
      'weighted F1 %',
      'unparsed',
      'errors',
      'BLEU-1',
      'BLEU-4',
      'ROUGE-1',
      'ROUGE-2',
      'ROUGE-L',
    ],
    [
      [
        m.n,
        pct(m.accuracy),
        `${pct(m.accuracy_ci_low)}–${pct(m.accuracy_ci_high)}`,
        pct(m.accuracy_parsed),
        pct(m.weighted_f1),
        `${m.unparsed} (${pct(m.unparsed_rate)}%)`,
        m.errors,
        num(m.bleu1),
        num(m.bleu4),
        num(m.rouge1),
        num(m.rouge2),
        num(m.rougeL),
      ],
    ],
  );
  const paper = table(
    [
      'model (paper)',
      'accuracy %',
      'weighted F1 %',
      'BLEU-1',
      'BLEU-4',
      'ROUGE-1',
      'ROUGE-2',
      'ROUGE-L',
    ],
    PAPER_ROWS.map((r) => [
      r.note ? `${r.model} (${r.note})` : r.model,
      r.accuracy ?? '–',
      r.weightedF1 ?? '–',
      r.bleu1 ?? '–',
      r.bleu4 ?? '–',
      r.rouge1 ?? '–',
      r.rouge2 ?? '–',
      r.rougeL ?? '–',
    ]),
    'paper',
  );
  const breakdowns = Object.entries(file.breakdowns)
    .map(([column, values]) => {
      const summary = file.breakdown_summary?.[column];
      return (
        `<h3>${escapeHtml(column)}</h3>` +
        (summary
          ? `<p class="muted">micro accuracy ${pct(summary.micro_accuracy)}%, macro accuracy ${pct(summary.macro_accuracy)}%, macro weighted F1 ${pct(summary.macro_weighted_f1)}%</p>`
          : '') +
        table(
          ['value', 'n', 'accuracy %', '95% CI', 'weighted F1 %'],
          Object.entries(values).map(([value, b]) => [
            value,
            b.n,
            pct(b.accuracy),
            `${pct(b.ci_low)}–${pct(b.ci_high)}`,
            pct(b.weighted_f1),
          ]),
        )
      );
    })
    .join('');
  const figures = Object.entries(charts)
    .map(
      ([caption, svg]) => `<figure><figcaption>${escapeHtml(caption)}</figcaption>${svg}</figure>`,
    )
    .join('');
  const calibration = file.calibration
    ? `<p>Expected calibration error (10 bins) ${num(file.calibration.ece, 4)}; Brier score ${num(file.calibration.brier, 4)}; ${file.calibration.n} questions with option probabilities.</p>`
    : '<p class="muted">No option probabilities (the generate method).</p>';
  const circular = file.circular
    ? `<h2>Circular evaluation</h2><p>${file.circular.rotations} rotations; correct under every rotation: ${file.circular.all_correct} (${pct(file.circular.all_correct_rate)}%).</p>` +
      table(
        ['shift', 'accuracy %'],
        Object.entries(file.circular.accuracy_by_shift).map(([s, a]) => [s, pct(a)]),
      )
    : '';
  const records = table(
    ['#', 'question', 'row', 'gold', 'prediction', 'status', 'correct', 'output'],
    file.records.map((r, i) => [
      i + 1,
      r.question_id,
      r.row,
      r.gold,
      r.prediction || '–',
      r.status,
      r.correct ? 'yes' : 'no',
      r.raw_output.length > 200 ? `${r.raw_output.slice(0, 200)}…` : r.raw_output,
    ]),
    'records',
  );

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<h2>Metrics (protocol ${escapeHtml(m.protocol)})</h2>
${headline}
<p class="muted">Accuracy and weighted F1 in percent; BLEU and ROUGE ×100 as in the CMExam paper.${m.explanations_left_out ? ` ${m.explanations_left_out} answers without an explanation were left out of BLEU/ROUGE.` : ''}</p>
<h2>Reference rows: ${escapeHtml(PAPER_SOURCE)}</h2>
${paper}
<h2>Performance</h2>
${table(
  [
    'questions/min',
    'prefill tok/s',
    'decode tok/s',
    'time to first token ms',
    'mean latency ms',
    'prompt tokens',
    'completion tokens',
  ],
  [
    [
      num(perf.questions_per_minute, 1),
      num(perf.prefill_tokens_per_second, 1),
      num(perf.decode_tokens_per_second, 1),
      num(perf.time_to_first_token_ms, 1),
      num(perf.mean_latency_ms, 1),
      perf.prompt_tokens,
      perf.completion_tokens,
    ],
  ],
)}
<h2>Charts</h2><div class="charts">${figures}</div>
<h2>Calibration</h2>${calibration}
<h2>By annotation</h2>${breakdowns}
${circular}
<h2>Answers</h2>${records}
</body></html>
`;
}
