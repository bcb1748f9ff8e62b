/**
 * Exam specs: which questions people sit (the run spec's question rules: split, subset, `n`,
 * `seed`, filters, shard), whether multi-answer questions are asked, an optional time limit and
 * title. An exam's id is a hash of its canonical spec, so the same link or file is the same exam
 * everywhere, and every student gets the same questions in the same order. Questions are drawn
 * by the runs' own selection (eval/select.ts `drawSelection`): an exam and a run with the same
 * question parameters draw the same questions (with `multi=include`, a `choice` run with
 * `multi=constrained` or a `generate` run).
 */
import { shortSha256 } from '../hash';
import { canonicalJson, canonicalSubset, MAX_SEED, subsetMessages } from '../eval/spec';
import { english, msg, type Message, type MessageParam } from '../i18n/translate';
import type { SubsetSpec } from '../eval/types';

export type ExamMulti = 'include' | 'skip';

export interface ExamSpec {
  /** `cmexam/val`, `custom/mock-exam`, … */
  splitId: string;
  subset: SubsetSpec;
  seed: number;
  /** `include` (default): multi-answer questions are asked, and say so; `skip`: left out. */
  multi: ExamMulti;
  /** Minutes; null: no limit. */
  timeMinutes: number | null;
  title: string | null;
}

export const EXAM_MULTI: readonly ExamMulti[] = ['include', 'skip'];
export const DEFAULT_EXAM_MULTI: ExamMulti = 'include';
export const MAX_EXAM_MINUTES = 24 * 60;
export const MAX_TITLE_LENGTH = 200;

/** The same exam written one way (filters sorted, fields the subset ignores at their defaults). */
export function canonicalExamSpec(spec: ExamSpec): ExamSpec {
  const title = spec.title?.trim() ?? '';
  return {
    splitId: spec.splitId,
    subset: canonicalSubset(spec.subset),
    seed: spec.seed,
    multi: spec.multi,
    timeMinutes: spec.timeMinutes,
    title: title === '' ? null : title,
  };
}

/** An exam's id: the first 16 hex digits of the SHA-256 of its canonical spec. */
export function examIdFor(spec: ExamSpec): Promise<string> {
  return shortSha256(canonicalJson({ exam: canonicalExamSpec(spec) }));
}

/** Every problem with an exam spec (from a link, the form or a file), naming the field. */
export function validateExamSpec(value: unknown): string[] {
  return examSpecProblems(value).map(english);
}

/** `validateExamSpec`'s problems as Messages the UI translates. */
export function examSpecProblems(value: unknown): Message[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [msg('examSpecNotObject')];
  const spec = value as Partial<Record<keyof ExamSpec, unknown>>;
  const problems: Message[] = [];
  if (typeof spec.splitId !== 'string' || !/^[^/\s]+\/[^/\s]+$/u.test(spec.splitId))
    problems.push(msg('specSplitId', { value: describe(spec.splitId) }));
  if (typeof spec.subset !== 'object' || spec.subset === null || Array.isArray(spec.subset))
    problems.push(msg('specObject', { field: 'subset', value: describe(spec.subset) }));
  else problems.push(...subsetMessages(spec.subset as Record<string, unknown>));
  if (!isInt(spec.seed, 0, MAX_SEED))
    problems.push(
      msg('specWholeNumber', { field: 'seed', min: 0, max: MAX_SEED, value: describe(spec.seed) }),
    );
  if (typeof spec.multi !== 'string' || !(EXAM_MULTI as readonly string[]).includes(spec.multi))
    problems.push(
      msg('specOneOf', {
        field: 'multi',
        allowed: EXAM_MULTI.join(', '),
        value: describe(spec.multi),
      }),
    );
  if (spec.timeMinutes !== null && !isInt(spec.timeMinutes, 1, MAX_EXAM_MINUTES))
    problems.push(
      msg('examSpecTime', { max: MAX_EXAM_MINUTES, value: describe(spec.timeMinutes) }),
    );
  if (
    spec.title !== null &&
    (typeof spec.title !== 'string' || spec.title.length > MAX_TITLE_LENGTH)
  )
    problems.push(msg('examSpecTitle', { max: MAX_TITLE_LENGTH, value: describe(spec.title) }));
  return problems;
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
}

function describe(v: unknown): MessageParam {
  if (v === undefined) return msg('valueMissing');
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
