/**
 * The run report as one self-contained HTML file: inline CSS, charts as inline SVG, no script
 * and no external resource, so it opens offline anywhere. Every piece of dataset text and model
 * output is escaped: it is data, never markup.
 */
import { OPEN_COLUMNS, openCells } from './tables';
import { OPEN_PAPER_ROWS } from './open-paper';
import { formatNumber, formatPercent } from '../format';
import { PAPER_ROWS, paperNames } from './paper';
import type { ResultsFile } from './results';
import type { Locale, MessageKey } from '../i18n/messages';
import { translate, type MessageParam } from '../i18n/translate';

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

/** The report in a language: its headings and labels; data and model output stay as they are. */
export function resultsToHtml(
  file: ResultsFile,
  charts: Record<string, string>,
  locale: Locale = 'en',
): string {
  const tr = (key: MessageKey, params?: Record<string, MessageParam>) =>
    translate(locale, key, params);
  const m = file.metrics;
  const run = file.run;
  const title = tr('modelOnSplit', { model: run.model ?? run.spec.model, split: run.spec.splitId });
  const perf = run.performance;
  const facts: [string, string][] = [
    [tr('resultsRun'), run.id],
    [tr('protocol'), file.open?.protocol ?? m.protocol],
    [tr('split'), run.spec.splitId],
    [tr('modelLabel'), `${run.model ?? run.spec.model} (${run.engine})`],
    [tr('htmlDevice'), run.device ?? '–'],
    [
      tr('method'),
      tr('htmlMethodValue', {
        method: run.spec.method,
        prompt: run.spec.prompt,
        k: run.spec.k ? `, k=${run.spec.k}` : '',
      }),
    ],
    [
      tr('questions'),
      tr('htmlQuestionsValue', { done: run.done, total: run.total, skipped: run.skipped }),
    ],
    [tr('status'), tr(`runStatus_${run.status}`)],
    [tr('htmlCreated'), run.created_at],
    [tr('htmlExported'), file.exported_at],
    [tr('htmlGenerator'), file.generator],
  ];
  if (run.dataset) facts.push([tr('htmlDatasetSha'), run.dataset.sha256]);
  if (run.origin)
    facts.push([
      tr('htmlOrigin'),
      `${tr(`origin_${run.origin.kind}`)}: ${run.origin.sources.join(', ')}`,
    ]);

  const open = file.open;
  const headline = open
    ? table([...OPEN_COLUMNS], [openCells(open.metrics)])
    : table(
        [
          'n',
          tr('accuracyPct'),
          tr('ci95'),
          tr('htmlAccuracyParsed'),
          tr('weightedF1Pct'),
          tr('answerStatus_unparsed'),
          tr('htmlErrors'),
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
  const paper = open
    ? table(
        [tr('paperModelCol'), tr('sourceCol'), 'BLEU-1', 'ROUGE-1', 'ROUGE-L'],
        OPEN_PAPER_ROWS.map((r) => [
          r.model,
          tr(r.source === 'qilin-med' ? 'openPaperQilin' : 'openPaperHuatuo'),
          r.bleu1,
          r.rouge1,
          r.rougeL ?? '–',
        ]),
        'paper',
      )
    : table(
        [
          tr('paperModelCol'),
          tr('accuracyPct'),
          tr('weightedF1Pct'),
          'BLEU-1',
          'BLEU-4',
          'ROUGE-1',
          'ROUGE-2',
          'ROUGE-L',
        ],
        PAPER_ROWS.map((r) => [
          ((p) => (p.note ? `${p.model} (${p.note})` : p.model))(paperNames(r, locale)),
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
  const openBreakdowns = open
    ? Object.entries(open.breakdowns)
        .map(
          ([column, values]) =>
            `<h3>${escapeHtml(column)}</h3>` +
            table(
              [tr('valueCol'), ...OPEN_COLUMNS],
              Object.entries(values).map(([value, b]) => [value, ...openCells(b)]),
            ),
        )
        .join('')
    : null;
  const breakdowns =
    openBreakdowns ??
    Object.entries(file.breakdowns)
      .map(([column, values]) => {
        const summary = file.breakdown_summary?.[column];
        return (
          `<h3>${escapeHtml(column)}</h3>` +
          (summary
            ? `<p class="muted">${escapeHtml(
                tr('htmlBreakdownSummary', {
                  micro: pct(summary.micro_accuracy),
                  macro: pct(summary.macro_accuracy),
                  f1: pct(summary.macro_weighted_f1),
                }),
              )}</p>`
            : '') +
          table(
            [tr('valueCol'), 'n', tr('accuracyPct'), tr('ci95'), tr('weightedF1Pct')],
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
    ? `<p>${escapeHtml(
        tr('htmlCalibration', {
          ece: num(file.calibration.ece, 4),
          brier: num(file.calibration.brier, 4),
          n: file.calibration.n,
        }),
      )}</p>`
    : `<p class="muted">${escapeHtml(tr('htmlNoProbabilities'))}</p>`;
  const circular = file.circular
    ? `<h2>${escapeHtml(tr('circularEval'))}</h2><p>${escapeHtml(
        tr('htmlCircular', {
          rotations: file.circular.rotations,
          n: file.circular.all_correct,
          pct: pct(file.circular.all_correct_rate),
        }),
      )}</p>` +
      table(
        [tr('htmlShift'), tr('accuracyPct')],
        Object.entries(file.circular.accuracy_by_shift).map(([s, a]) => [s, pct(a)]),
      )
    : '';
  const records = table(
    [
      '#',
      tr('htmlQuestion'),
      tr('rowCol'),
      tr('goldCol'),
      tr('htmlPrediction'),
      tr('htmlStatus'),
      tr('correct'),
      tr('htmlOutput'),
    ],
    file.records.map((r, i) => [
      i + 1,
      r.question_id,
      r.row,
      r.gold,
      r.prediction || '–',
      tr(`answerStatus_${r.status}`),
      r.correct ? tr('yes') : tr('no'),
      r.raw_output.length > 200 ? `${r.raw_output.slice(0, 200)}…` : r.raw_output,
    ]),
    'records',
  );

  return `<!doctype html>
<html lang="${locale === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<h2>${escapeHtml(tr('htmlMetrics', { protocol: file.open?.protocol ?? m.protocol }))}</h2>
${headline}
<p class="muted">${escapeHtml(tr('htmlUnits'))}${m.explanations_left_out ? ` ${escapeHtml(tr('htmlLeftOut', { n: m.explanations_left_out }))}` : ''}</p>
<h2>${escapeHtml(open ? tr('openPaperTitle') : tr('htmlReferenceRows', { source: tr('paperSource') }))}</h2>
${paper}
<h2>${escapeHtml(tr('performance'))}</h2>
${table(
  [
    tr('htmlQpm'),
    tr('htmlPrefill'),
    tr('htmlDecode'),
    tr('htmlTtft'),
    tr('htmlMeanLatency'),
    tr('htmlPromptTokens'),
    tr('htmlCompletionTokens'),
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
<h2>${escapeHtml(tr('charts'))}</h2><div class="charts">${figures}</div>
<h2>${escapeHtml(tr('htmlCalibrationHeading'))}</h2>${calibration}
<h2>${escapeHtml(tr('byAnnotation'))}</h2>${breakdowns}
${circular}
<h2>${escapeHtml(tr('htmlAnswers'))}</h2>${records}
</body></html>
`;
}
