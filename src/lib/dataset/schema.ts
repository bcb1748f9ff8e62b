import { DatasetError } from './errors';
import { msg } from '../i18n/translate';
import type { DatasetRow, OptionItem, RowProblem } from './types';

/** The columns every CMExam-shaped file has; any other column is kept as an annotation. */
export const REQUIRED_COLUMNS = ['Question', 'Options', 'Answer'] as const;
/** Optional: files without it import with every explanation blank. */
export const EXPLANATION_COLUMN = 'Explanation';
const CORE = new Set<string>([...REQUIRED_COLUMNS, EXPLANATION_COLUMN]);
const DIFFICULTY = 'Difficulty level';

/** Header names are matched by name, ignoring case and surrounding spaces. */
function canonical(name: string): string {
  return name.trim().toLowerCase();
}

export interface ColumnMap {
  /** Source header names in file order. */
  columns: string[];
  /** Index of each core column (by canonical name) in a CSV record. */
  index: Record<string, number>;
  /** Annotation headers (trimmed) with their record index. */
  annotations: { name: string; index: number }[];
}

/** Map a header row to columns; throws naming every missing required column. */
export function mapColumns(header: string[]): ColumnMap {
  const columns = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  const index: Record<string, number> = {};
  const annotations: { name: string; index: number }[] = [];
  const coreByCanonical = new Map([...CORE].map((c) => [canonical(c), c]));
  columns.forEach((name, i) => {
    const core = coreByCanonical.get(canonical(name));
    if (core && index[core] === undefined) index[core] = i;
    else if (name !== '') annotations.push({ name, index: i });
  });
  const missing = REQUIRED_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length > 0) {
    const shown = columns.length > 12 ? [...columns.slice(0, 12), '…'] : columns;
    throw new DatasetError(
      'missing-columns',
      msg(missing.length > 1 ? 'dsMissingColumns' : 'dsMissingColumn', {
        missing: missing.join(', '),
        header: shown.map((c) => JSON.stringify(c)).join(', ') || msg('dsNothing'),
      }),
    );
  }
  return { columns, index, annotations };
}

const OPTION_LINE = /^([A-Za-z])(?:[ \t\u3000]+|[.．、:：)）]\s*)(.*)$/s;

/**
 * CMExam stores options as one field, one option per line: letter, one space, text.
 * Only the first space separates (texts contain spaces). Lines such as `A.text` or `A、text`
 * from other exports are accepted too.
 */
export function parseOptionsText(text: string): OptionItem[] | string {
  const items: OptionItem[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const m = OPTION_LINE.exec(line);
    if (!m)
      return `option line ${i + 1} (${JSON.stringify(clip(line))}) does not start with a letter`;
    items.push({ key: m[1].toUpperCase(), text: m[2].trim() });
  }
  return items;
}

/** Hugging Face mirror shape: a list of `{key, value}` objects. */
export function parseOptionsList(list: unknown[]): OptionItem[] | string {
  const items: OptionItem[] = [];
  for (const entry of list) {
    if (!entry || typeof entry !== 'object') return 'an option is not a {key, value} object';
    const { key, value } = entry as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || !/^[A-Za-z]$/.test(key.trim())) {
      return `option key ${JSON.stringify(key)} is not a single letter`;
    }
    items.push({ key: key.trim().toUpperCase(), text: String(value ?? '').trim() });
  }
  return items;
}

/** `ABD`, `A,B,D`, `A、B` and `d b a` all become `ABD`. */
export function normalizeAnswer(raw: string): string | null {
  const letters = raw.replace(/[\s,，、;；/|+]/g, '').toUpperCase();
  if (!/^[A-Z]*$/.test(letters)) return null;
  return [...new Set(letters)].sort().join('');
}

/** pandas reads CMExam's difficulty as a float (`1.0`); the stored value is `1`. */
export function normalizeAnnotation(name: string, value: string): string {
  const v = value.trim();
  if (name === DIFFICULTY && /^\d+\.0+$/.test(v)) return v.replace(/\.0+$/, '');
  return v;
}

export interface RawFields {
  question: unknown;
  options: unknown;
  answer: unknown;
  explanation: unknown;
  annotations: [string, unknown][];
}

/** Validate and normalise one record; a string result is the problem that rejects it. */
export function toDatasetRow(row: number, f: RawFields): DatasetRow | RowProblem {
  const question = textOf(f.question);
  if (question.trim() === '') return { row, message: 'the question is empty' };

  let options: OptionItem[] | string;
  if (Array.isArray(f.options)) options = parseOptionsList(f.options);
  else options = parseOptionsText(textOf(f.options));
  if (typeof options === 'string') return { row, message: options };
  if (options.length < 2) return { row, message: `only ${options.length} option(s) found` };
  const keys = new Set<string>();
  for (const o of options) {
    if (keys.has(o.key)) return { row, message: `option ${o.key} appears twice` };
    keys.add(o.key);
  }

  const rawAnswer = textOf(f.answer);
  const answer = normalizeAnswer(rawAnswer);
  if (answer === null) {
    return { row, message: `the answer ${JSON.stringify(clip(rawAnswer))} is not option letters` };
  }
  const unknown = [...answer].filter((k) => !keys.has(k));
  if (unknown.length > 0) {
    return { row, message: `the answer names ${unknown.join(', ')}, which is not an option` };
  }

  const explanation = textOf(f.explanation);
  const annotations: Record<string, string> = {};
  for (const [name, value] of f.annotations) {
    annotations[name] = normalizeAnnotation(name, textOf(value));
  }
  return {
    row,
    question,
    options,
    answer,
    explanation,
    annotations,
    multi: answer.length > 1,
    blankAnswer: answer.length === 0,
    blankExplanation: explanation.trim() === '',
  };
}

export function isProblem(r: DatasetRow | RowProblem): r is RowProblem {
  return 'message' in r;
}

function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

function clip(s: string, n = 40): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
