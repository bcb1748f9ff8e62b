import type { DatasetRow, DatasetStats } from './types';

export function emptyStats(): DatasetStats {
  return {
    rows: 0,
    answer_length_histogram: {},
    option_count_histogram: {},
    option_sets: {},
    multi_answer: 0,
    blank_answers: 0,
    blank_explanations: 0,
    open_items: 0,
    annotation_counts: {},
  };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export function addToStats(stats: DatasetStats, row: DatasetRow): void {
  stats.rows++;
  if (row.kind === 'open') stats.open_items = (stats.open_items ?? 0) + 1;
  bump(stats.answer_length_histogram, String(row.answer.length));
  bump(stats.option_count_histogram, String(row.options.length));
  bump(stats.option_sets, row.options.map((o) => o.key).join(''));
  if (row.multi) stats.multi_answer++;
  if (row.blankAnswer) stats.blank_answers++;
  if (row.blankExplanation) stats.blank_explanations++;
  for (const [name, value] of Object.entries(row.annotations)) {
    bump((stats.annotation_counts[name] ??= {}), value);
  }
}
