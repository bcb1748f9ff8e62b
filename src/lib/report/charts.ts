/**
 * The report's charts, drawn with Observable Plot as SVG. They need a DOM, so they are built on
 * the page; the same elements are shown in the Results step and serialised into the offline
 * HTML report. Plot writes labels as text nodes, so dataset text in them stays text.
 */
import * as Plot from '@observablehq/plot';
import type { BreakdownCell, Calibration, DifficultyCell, PositionBias } from '../scoring/types';
import type { Locale } from '../i18n/messages';
import { translate } from '../i18n/translate';

export type ChartElement = SVGSVGElement | HTMLElement;

const WIDTH = 520;
const pct = (v: number) => v * 100;

/** Accuracy per annotation value, with its 95% interval, largest groups first (at most 30). */
export function accuracyByValueChart(
  cells: Record<string, BreakdownCell>,
  locale: Locale = 'en',
): ChartElement {
  const data = Object.entries(cells)
    .map(([value, c]) => ({ value, ...c }))
    .sort((a, b) => b.n - a.n)
    .slice(0, 30);
  return Plot.plot({
    width: WIDTH,
    height: 40 + data.length * 22,
    marginLeft: 160,
    x: { domain: [0, 100], label: translate(locale, 'axisAccuracyCi'), grid: true },
    y: { domain: data.map((d) => d.value), label: null },
    marks: [
      Plot.barX(data, { x: (d) => pct(d.accuracy), y: 'value', fill: '#4c78a8' }),
      Plot.ruleY(data, {
        x1: (d) => pct(d.ci_low),
        x2: (d) => pct(d.ci_high),
        y: 'value',
        stroke: '#1b1f24',
      }),
      Plot.text(data, {
        x: 100,
        y: 'value',
        text: (d) => `n=${d.n}`,
        textAnchor: 'end',
        dx: -2,
        fill: '#57606a',
      }),
    ],
  });
}

/** Accuracy by difficulty level, in level order, with the interval as a band. */
export function difficultyChart(
  cells: Record<string, DifficultyCell>,
  locale: Locale = 'en',
): ChartElement {
  const data = Object.entries(cells)
    .map(([level, c]) => ({ level, ...c }))
    .sort((a, b) => Number(a.level) - Number(b.level) || a.level.localeCompare(b.level));
  return Plot.plot({
    width: WIDTH,
    height: 260,
    x: {
      domain: data.map((d) => d.level),
      label: translate(locale, 'axisDifficulty'),
      type: 'point',
      padding: 0.3,
    },
    y: { domain: [0, 100], label: translate(locale, 'accuracyPct'), grid: true },
    marks: [
      Plot.ruleX(data, {
        x: 'level',
        y1: (d) => pct(d.ci_low),
        y2: (d) => pct(d.ci_high),
        stroke: '#9ab',
      }),
      Plot.line(data, { x: 'level', y: (d) => pct(d.accuracy), stroke: '#4c78a8' }),
      Plot.dot(data, { x: 'level', y: (d) => pct(d.accuracy), fill: '#4c78a8', r: 4 }),
    ],
  });
}

/** Gold letter × predicted letter counts (position bias shows as a heavy column). */
export function confusionChart(bias: PositionBias, locale: Locale = 'en'): ChartElement {
  const golds = Object.keys(bias.confusion).sort();
  const preds = [...new Set(golds.flatMap((g) => Object.keys(bias.confusion[g])))].sort();
  const data = golds.flatMap((gold) =>
    preds.map((predicted) => ({ gold, predicted, count: bias.confusion[gold][predicted] ?? 0 })),
  );
  return Plot.plot({
    width: Math.min(WIDTH, 120 + preds.length * 48),
    height: 80 + golds.length * 36,
    marginLeft: 70,
    padding: 0.05,
    x: { domain: preds, label: translate(locale, 'predictedCol'), axis: 'top' },
    y: { domain: golds, label: translate(locale, 'goldCol') },
    color: { type: 'linear', range: ['#f6f8fa', '#4c78a8'] },
    marks: [
      Plot.cell(data, { x: 'predicted', y: 'gold', fill: 'count' }),
      Plot.text(data, { x: 'predicted', y: 'gold', text: (d) => String(d.count), fill: '#1b1f24' }),
    ],
  });
}

/** Confidence of the top option against how often it was right, per bin; the diagonal is ideal. */
export function reliabilityChart(calibration: Calibration, locale: Locale = 'en'): ChartElement {
  const bins = calibration.bins.filter((b) => b.n > 0 && b.confidence !== null);
  return Plot.plot({
    width: 360,
    height: 320,
    x: { domain: [0, 1], label: translate(locale, 'axisConfidence') },
    y: { domain: [0, 1], label: translate(locale, 'accuracy'), grid: true },
    r: { range: [2, 12] },
    marks: [
      Plot.line(
        [
          [0, 0],
          [1, 1],
        ],
        { stroke: '#bbb', strokeDasharray: '4,3' },
      ),
      Plot.rectY(calibration.bins, {
        x1: 'lo',
        x2: 'hi',
        y: (b) => b.accuracy ?? 0,
        fill: '#4c78a8',
        fillOpacity: 0.25,
        inset: 1,
      }),
      Plot.dot(bins, { x: 'confidence', y: 'accuracy', r: 'n', fill: '#4c78a8' }),
    ],
  });
}

/** Every chart of a report, by caption (the HTML export's figures). */
export function reportCharts(input: {
  breakdowns: Record<string, Record<string, BreakdownCell>>;
  difficulty: Record<string, DifficultyCell> | null;
  calibration: Calibration | null;
  positionBias: PositionBias;
  locale?: Locale;
}): Record<string, ChartElement> {
  const locale = input.locale ?? 'en';
  const charts: Record<string, ChartElement> = {};
  for (const [column, cells] of Object.entries(input.breakdowns)) {
    if (Object.keys(cells).length)
      charts[translate(locale, 'accuracyByCaption', { column })] = accuracyByValueChart(
        cells,
        locale,
      );
  }
  if (input.difficulty && Object.keys(input.difficulty).length)
    charts[translate(locale, 'chartDifficulty')] = difficultyChart(input.difficulty, locale);
  charts[translate(locale, 'chartConfusion')] = confusionChart(input.positionBias, locale);
  if (input.calibration)
    charts[translate(locale, 'chartReliability')] = reliabilityChart(input.calibration, locale);
  return charts;
}
