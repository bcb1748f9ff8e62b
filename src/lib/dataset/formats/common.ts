import { DatasetError } from '../errors';
import { msg } from '../../i18n/translate';
import { normalizeAnnotation, toDatasetRow } from '../schema';
import type { DatasetRow, RowProblem } from '../types';

/** Keys compared as people type them: case and surrounding spaces ignored. */
export function keyOf(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

export function hasKeys(keys: readonly string[], wanted: readonly string[]): boolean {
  const present = new Set(keys.map(keyOf));
  return wanted.every((w) => present.has(keyOf(w)));
}

/** The value of a field by name, ignoring case and surrounding spaces. */
export function field(record: Record<string, unknown>, name: string): unknown {
  if (name in record) return record[name];
  const wanted = keyOf(name);
  for (const key of Object.keys(record)) if (keyOf(key) === wanted) return record[key];
  return undefined;
}

export function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Throws the shape error: what this format expected, what the file has. */
export function requireKeys(
  label: string,
  keys: readonly string[],
  wanted: readonly string[],
): void {
  const present = new Set(keys.map(keyOf));
  const missing = wanted.filter((w) => !present.has(keyOf(w)));
  if (missing.length === 0) return;
  throw new DatasetError(
    'missing-columns',
    msg('dsShapeMissing', {
      format: label,
      missing: missing.join(', '),
      found: keys.map((k) => JSON.stringify(k)).join(', ') || msg('dsNothing'),
    }),
  );
}

/**
 * Keeps every field that is not one of the shape's core fields as an annotation, in the order
 * first seen; nested values (MedQA's `meta_info` may be an object) are kept as JSON text.
 */
export class AnnotationKeeper {
  private readonly core: Set<string>;
  private readonly seen: string[] = [];
  private readonly seenSet = new Set<string>();

  constructor(core: readonly string[]) {
    this.core = new Set(core.map(keyOf));
  }

  take(record: Record<string, unknown>, extra: [string, string][] = []): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const [name, value] of extra) out.push(this.note(name, value));
    for (const [key, value] of Object.entries(record)) {
      const name = key.replace(/^\uFEFF/, '').trim();
      if (name === '' || this.core.has(keyOf(name))) continue;
      out.push(this.note(name, value));
    }
    return out;
  }

  columns(): string[] {
    return [...this.seen];
  }

  private note(name: string, value: unknown): [string, unknown] {
    if (!this.seenSet.has(name)) {
      this.seenSet.add(name);
      this.seen.push(name);
    }
    return [name, typeof value === 'object' && value !== null ? JSON.stringify(value) : value];
  }
}

/** Options given as an object of letters (`{A: …, B: …}`), as CMB, MedQA and MLEC-QA write them. */
export function optionsFromObject(value: unknown): { key: string; value: unknown }[] | string {
  if (Array.isArray(value)) {
    // Already a list: `[{key, value}]` (CMExam's mirror) or plain texts labelled A, B, …
    return value.map((v, i) =>
      v && typeof v === 'object' && 'key' in v
        ? (v as { key: string; value: unknown })
        : { key: String.fromCharCode(65 + i), value: v },
    );
  }
  if (!value || typeof value !== 'object') return 'the options are not an object of letters';
  return Object.entries(value as Record<string, unknown>)
    .filter(([, text]) => text !== null && text !== undefined && textOf(text).trim() !== '')
    .map(([key, text]) => ({ key, value: text }));
}

/** A choice item from the parts every choice shape has. */
export function choiceRow(
  row: number,
  parts: {
    question: unknown;
    options: { key: string; value: unknown }[] | string;
    answer: unknown;
    explanation?: unknown;
    annotations: [string, unknown][];
  },
): DatasetRow | RowProblem {
  if (typeof parts.options === 'string') return { row, message: parts.options };
  const answer = Array.isArray(parts.answer) ? parts.answer.map(textOf).join('') : parts.answer;
  return toDatasetRow(row, {
    question: parts.question,
    options: parts.options,
    answer,
    explanation: parts.explanation,
    annotations: parts.annotations,
  });
}

/** An open item: a question, optional context, one or more references. */
export function openRow(
  row: number,
  parts: {
    question: unknown;
    context?: string;
    references: unknown;
    annotations: [string, unknown][];
  },
): DatasetRow | RowProblem {
  const question = textOf(parts.question);
  if (question.trim() === '') return { row, message: 'the question is empty' };
  const list = Array.isArray(parts.references) ? parts.references : [parts.references];
  if (list.some((r) => r !== null && r !== undefined && typeof r === 'object')) {
    return { row, message: 'a reference answer is not text' };
  }
  const references = list.map(textOf).filter((r) => r.trim() !== '');
  const annotations: Record<string, string> = {};
  for (const [name, value] of parts.annotations) {
    annotations[name] = normalizeAnnotation(name, textOf(value));
  }
  return {
    row,
    kind: 'open',
    question,
    ...(parts.context ? { context: parts.context } : {}),
    references,
    options: [],
    answer: '',
    explanation: '',
    annotations,
    multi: false,
    blankAnswer: references.length === 0,
    blankExplanation: true,
  };
}
