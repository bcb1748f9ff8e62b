/**
 * The two exam files, both versioned JSON documented in docs/results-format.md:
 * - `cmexam-exam`: an exam with its questions, options and answers, for classrooms without a
 *   network (a student opens it and sits the exam with no stored split);
 * - `cmexam-exam-sitting`: one person's finished sitting, handed in to the teacher.
 * Reading either lists every problem with its path; nothing is stored from a damaged file.
 * Pure: no Dexie, no DOM.
 */
import type { EvalQuestion } from '../eval/types';
import { isCorrect } from '../scoring/records';
import { english, msg, withProblems, type Message, type MessageParam } from '../i18n/translate';
import { canonicalExamSpec, examIdFor, examSpecProblems, type ExamSpec } from './spec';

export const EXAM_FORMAT = 'cmexam-exam';
export const EXAM_VERSION = 1;
export const SITTING_FORMAT = 'cmexam-exam-sitting';
export const SITTING_VERSION = 1;

export interface ExamFileQuestion {
  question_id: string;
  /** 0-based data row of the source file. */
  row: number;
  question: string;
  options: { key: string; text: string }[];
  answer: string;
  explanation: string;
  annotations: Record<string, string>;
  multi: boolean;
}

export interface ExamFile {
  format: typeof EXAM_FORMAT;
  version: typeof EXAM_VERSION;
  /** Hash of `spec` (exam/spec.ts `examIdFor`). */
  exam_id: string;
  spec: ExamSpec;
  /** The split file the questions were drawn from. */
  split: { split_id: string; sha256: string | null };
  created_at: string;
  generator: string;
  questions: ExamFileQuestion[];
}

export interface SittingFileRecord {
  question_id: string;
  row: number;
  gold: string;
  /** The letters the person gave; '' when unanswered. */
  answer: string;
  correct: boolean;
  flagged: boolean;
  /** Time spent on the question. */
  ms: number;
}

export interface SittingFile {
  format: typeof SITTING_FORMAT;
  version: typeof SITTING_VERSION;
  /** A random id of this sitting: the same file handed in twice is refused. */
  sitting_id: string;
  exam_id: string;
  spec: ExamSpec;
  split_sha256: string | null;
  /** What the student typed; '' when nothing. */
  name: string;
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  submitted_by: 'student' | 'time' | null;
  generator: string;
  records: SittingFileRecord[];
}

/** A refused exam or sitting file: `problems` in English, `i18n` the whole text to translate. */
export class ExamFileError extends Error {
  override name = 'ExamFileError';
  readonly problems: string[];
  readonly i18n: Message;
  constructor(message: Message, problems: Message[] = []) {
    const i18n = withProblems(message, problems);
    super(english(i18n));
    this.i18n = i18n;
    this.problems = problems.map(english);
  }
}

export function examFileOf(input: {
  examId: string;
  spec: ExamSpec;
  splitSha256: string | null;
  questions: EvalQuestion[];
  generator: string;
  now?: Date;
}): ExamFile {
  return {
    format: EXAM_FORMAT,
    version: EXAM_VERSION,
    exam_id: input.examId,
    spec: canonicalExamSpec(input.spec),
    split: { split_id: input.spec.splitId, sha256: input.splitSha256 },
    created_at: (input.now ?? new Date()).toISOString(),
    generator: input.generator,
    questions: input.questions.map((q) => ({
      question_id: q.id,
      row: q.row,
      question: q.question,
      options: q.options,
      answer: q.answer,
      explanation: q.explanation,
      annotations: q.annotations,
      multi: q.multi,
    })),
  };
}

export function questionsOfExamFile(file: ExamFile): EvalQuestion[] {
  return file.questions.map((q) => ({
    id: q.question_id,
    row: q.row,
    question: q.question,
    options: q.options,
    answer: q.answer,
    explanation: q.explanation,
    annotations: q.annotations,
    multi: q.multi,
  }));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_PROBLEMS = 20;
const LETTERS = /^[A-Z]*$/;

function describe(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** JSON of the right format and version, or the reason it is not. */
function readHeader(text: string, format: string, version: number, what: Message): Json {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ExamFileError(
      msg('fileNotJson', { what, detail: err instanceof Error ? err.message : String(err) }),
    );
  }
  if (!isObject(data) || data.format !== format) {
    throw new ExamFileError(
      msg('fileFormat', {
        what,
        value: isObject(data) ? describe(data.format) : msg('valueMissing'),
        format,
      }),
    );
  }
  if (data.version !== version) {
    throw new ExamFileError(
      typeof data.version === 'number' && data.version > version
        ? msg('fileNewer', { subject: msg('fileThis'), version: data.version, supported: version })
        : msg('fileUnknownVersion', { subject: msg('fileThis'), value: describe(data.version) }),
    );
  }
  return data;
}

class Problems {
  readonly list: Message[] = [];
  add(path: string, expected: MessageParam, value: unknown): void {
    if (this.list.length < MAX_PROBLEMS)
      this.list.push(msg('fileField', { path, expected, value: describe(value) }));
  }
  string(o: Json, key: string, path: string, nullable = false): void {
    const v = o[key];
    if (typeof v === 'string' || (nullable && v === null)) return;
    this.add(`${path}.${key}`, nullable ? msg('fileExpStringOrNull') : msg('fileExpString'), v);
  }
  count(o: Json, key: string, path: string): void {
    const v = o[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return;
    this.add(`${path}.${key}`, msg('fileExpCount'), v);
  }
  /**
   * A non-empty list of objects, each with a `question_id` (unique in the list) and a `row`;
   * `each` checks the rest of an item.
   */
  questionList(data: Json, key: string, each: (item: Json, path: string) => void): void {
    const list = data[key];
    if (!Array.isArray(list) || list.length === 0)
      return this.add(key, msg('fileExpNonEmptyArray'), list);
    const seen = new Set<string>();
    list.forEach((item: unknown, i) => {
      const path = `${key}[${i}]`;
      if (!isObject(item)) return this.add(path, msg('fileExpObject'), item);
      this.string(item, 'question_id', path);
      this.count(item, 'row', path);
      each(item, path);
      if (typeof item.question_id === 'string') {
        if (seen.has(item.question_id))
          this.add(`${path}.question_id`, msg('fileExpUniqueId'), item.question_id);
        seen.add(item.question_id);
      }
    });
  }
  spec(v: unknown): void {
    for (const p of examSpecProblems(v))
      if (this.list.length < MAX_PROBLEMS)
        this.list.push(msg('fieldProblem', { path: 'spec', problem: p }));
  }
}

/** Read an exam file; its id must be the hash of its spec. */
export async function parseExamFile(text: string): Promise<ExamFile> {
  const data = readHeader(text, EXAM_FORMAT, EXAM_VERSION, msg('fileWhatExam'));
  const p = new Problems();
  p.string(data, 'exam_id', 'file');
  p.spec(data.spec);
  if (!isObject(data.split)) p.add('split', msg('fileExpObject'), data.split);
  p.questionList(data, 'questions', (q, path) => {
    p.string(q, 'question', path);
    p.string(q, 'explanation', path);
    if (typeof q.answer !== 'string' || !LETTERS.test(q.answer))
      p.add(`${path}.answer`, msg('fileExpLetters'), q.answer);
    if (
      !Array.isArray(q.options) ||
      q.options.length === 0 ||
      !q.options.every(
        (o) =>
          isObject(o) &&
          typeof o.key === 'string' &&
          /^[A-Z]$/.test(o.key) &&
          typeof o.text === 'string',
      )
    )
      p.add(`${path}.options`, msg('fileExpOptions'), q.options);
    if (!isObject(q.annotations)) p.add(`${path}.annotations`, msg('fileExpObject'), q.annotations);
    if (typeof q.multi !== 'boolean') p.add(`${path}.multi`, msg('fileExpBoolean'), q.multi);
  });
  if (p.list.length)
    throw new ExamFileError(msg('fileDamaged', { subject: msg('fileThisExam') }), p.list);
  return checkedId(data as unknown as ExamFile, msg('fileThisExam'));
}

/** Read a sitting file; its exam id must be the hash of its spec and every verdict its letters'. */
export async function parseSittingFile(text: string): Promise<SittingFile> {
  const data = readHeader(text, SITTING_FORMAT, SITTING_VERSION, msg('fileWhatSitting'));
  const p = new Problems();
  p.string(data, 'sitting_id', 'file');
  p.string(data, 'exam_id', 'file');
  p.string(data, 'name', 'file');
  p.string(data, 'started_at', 'file', true);
  p.string(data, 'finished_at', 'file', true);
  p.string(data, 'split_sha256', 'file', true);
  if (typeof data.attempt !== 'number' || !Number.isInteger(data.attempt) || data.attempt < 1)
    p.add('attempt', msg('fileExpPositive'), data.attempt);
  p.spec(data.spec);
  p.questionList(data, 'records', (r, path) => {
    p.count(r, 'ms', path);
    for (const key of ['gold', 'answer'] as const) {
      if (typeof r[key] !== 'string' || !LETTERS.test(r[key] as string))
        p.add(`${path}.${key}`, msg('fileExpLettersOrEmpty'), r[key]);
    }
    if (typeof r.flagged !== 'boolean') p.add(`${path}.flagged`, msg('fileExpBoolean'), r.flagged);
    if (typeof r.correct !== 'boolean') p.add(`${path}.correct`, msg('fileExpBoolean'), r.correct);
    else if (typeof r.gold === 'string' && typeof r.answer === 'string') {
      const right = isCorrect({ status: 'parsed', prediction: r.answer, gold: r.gold });
      if (r.correct !== right)
        p.add(
          `${path}.correct`,
          msg('fileVerdictAnswer', {
            verdict: String(right),
            gold: describe(r.gold),
            answer: describe(r.answer),
          }),
          r.correct,
        );
    }
  });
  if (p.list.length)
    throw new ExamFileError(msg('fileDamaged', { subject: msg('fileThisSitting') }), p.list);
  return checkedId(data as unknown as SittingFile, msg('fileThisSitting'));
}

/** A file's exam id must be the hash of its spec: an edited spec is refused. */
async function checkedId<F extends { exam_id: string; spec: ExamSpec }>(
  file: F,
  subject: Message,
): Promise<F> {
  const expected = await examIdFor(file.spec);
  if (expected !== file.exam_id)
    throw new ExamFileError(msg('fileIdMismatch', { subject, id: file.exam_id, expected }));
  return file;
}
