/**
 * The results file: one run, its scores and every answer, as one JSON document (described in
 * docs/results-format.md). It is what "Export JSON" writes and what "Import results" reads back,
 * from another browser or from a shard run elsewhere. Pure: no Dexie, no DOM.
 */
import type {
  AnswerRecord,
  EngineCallRecord,
  RotationRecord,
  RunOrigin,
  RunRecord,
  RunStatus,
} from '../db/database';
import type { ChatMessage } from '../engines/types';
import { ratesOf } from '../eval/progress';
import { canonicalSpec, specProblems } from '../eval/spec';
import { english, msg, withProblems, type Message, type MessageParam } from '../i18n/translate';
import { isCorrect } from '../scoring/records';
import type { RunSpec } from '../eval/types';
import type { ProtocolId, ScoreResult, ScoringRecord } from '../scoring/types';
import type { OpenScoreResult } from '../scoring/open-score';

export const RESULTS_FORMAT = 'cmexam-eval-results';
export const RESULTS_VERSION = 1;

export interface ResultsRun {
  id: string;
  spec: RunSpec;
  status: RunStatus;
  model: string | null;
  engine: RunSpec['engine'];
  device: string | null;
  created_at: string;
  updated_at: string;
  active_ms: number;
  /** Questions the run covers, answered or not. */
  total: number;
  done: number;
  /** Multi-answer questions left out by `choice` with `multi=skip`. */
  skipped: number;
  dataset: ResultsDataset | null;
  performance: ResultsPerformance;
  origin: RunOrigin | null;
}

export interface ResultsDataset {
  split_id: string;
  rows: number;
  sha256: string;
  source_url: string | null;
  source_name: string;
}

export interface ResultsPerformance {
  questions_per_minute: number | null;
  prefill_tokens_per_second: number | null;
  decode_tokens_per_second: number | null;
  time_to_first_token_ms: number | null;
  mean_latency_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
}

export interface ResultsCall {
  kind: EngineCallRecord['kind'];
  messages: ChatMessage[];
  template_hash: string;
  raw: string;
}

export interface ResultsRotation {
  shift: number;
  prediction: string;
  correct: boolean;
  option_probs: Record<string, number> | null;
  raw: string;
}

export interface ResultRecord {
  question_id: string;
  /** 0-based data row in the source file. */
  row: number;
  gold: string;
  /** Predicted letters; '' when unparsed or on error. */
  prediction: string;
  status: AnswerRecord['status'];
  correct: boolean;
  raw_output: string;
  option_probs: Record<string, number> | null;
  /** The model's explanation; null when the method writes none (`choice`). */
  explanation: string | null;
  error: string | null;
  extraction_rule: string | null;
  prompt_hash: string;
  latency_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  attempts: number;
  /** The dataset's reference explanation and annotations, so the file scores on its own. */
  reference: string;
  annotations: Record<string, string>;
  calls: ResultsCall[];
  rotations?: ResultsRotation[];
  /** Open runs (method `open`): the item's reference answers (its output is `explanation`). */
  references?: string[];
}

/** Open runs: the text scores against the references under an open protocol. */
export interface ResultsOpen {
  protocol: OpenScoreResult['metrics']['protocol'];
  metrics: OpenScoreResult['metrics'];
  breakdowns: OpenScoreResult['breakdowns'];
}

export interface ResultsFile extends Omit<ScoreResult, 'metrics'> {
  format: typeof RESULTS_FORMAT;
  version: typeof RESULTS_VERSION;
  exported_at: string;
  generator: string;
  run: ResultsRun;
  metrics: ScoreResult['metrics'];
  records: ResultRecord[];
  /** Present for open runs only. */
  open?: ResultsOpen;
}

/** What the dataset says about one question, as the scorer needs it. */
export interface QuestionFacts {
  reference: string;
  annotations: Record<string, string>;
  /** Open items: their reference answers. */
  references?: string[];
}

export const GENERATOR = 'cmexam-browser';

/** Does the run's method produce explanations to score? */
export function writesExplanations(spec: RunSpec): boolean {
  return spec.method === 'generate';
}

/** An answer as the scorer sees it. */
export function scoringRecordOf(
  a: AnswerRecord,
  facts: QuestionFacts,
  explains: boolean,
): ScoringRecord {
  return {
    questionId: a.questionId,
    row: a.row,
    gold: a.gold,
    prediction: a.prediction,
    status: a.status,
    explanation: explains ? a.explanation : null,
    reference: facts.reference,
    annotations: facts.annotations,
    optionProbs: a.optionProbs,
    ...(a.rotations
      ? {
          rotations: a.rotations.map((r) => ({
            shift: r.shift,
            prediction: r.prediction,
            correct: r.correct,
          })),
        }
      : {}),
  };
}

export function performanceOf(
  run: RunRecord,
  answers: readonly AnswerRecord[],
): ResultsPerformance {
  const t = run.totals;
  const rates = ratesOf(t);
  const ttft = answers
    .map((a) => a.calls[a.calls.length - 1]?.timings?.timeToFirstTokenMs)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return {
    questions_per_minute: t.done > 0 && run.activeMs > 0 ? (60_000 * t.done) / run.activeMs : null,
    prefill_tokens_per_second: rates.prefillTps,
    decode_tokens_per_second: rates.decodeTps,
    time_to_first_token_ms: ttft.length ? ttft.reduce((s, v) => s + v, 0) / ttft.length : null,
    mean_latency_ms: t.done > 0 ? t.latencyMsSum / t.done : null,
    prompt_tokens: t.promptTokens,
    completion_tokens: t.completionTokens,
  };
}

export function resultRecordOf(
  a: AnswerRecord,
  facts: QuestionFacts,
  explains: boolean,
): ResultRecord {
  return {
    question_id: a.questionId,
    row: a.row,
    gold: a.gold,
    prediction: a.prediction,
    status: a.status,
    correct: a.correct,
    raw_output: a.raw,
    option_probs: a.optionProbs,
    explanation: explains ? a.explanation : null,
    error: a.error,
    extraction_rule: a.extractionRule,
    prompt_hash: a.promptHash,
    latency_ms: a.latencyMs,
    prompt_tokens: a.promptTokens,
    completion_tokens: a.completionTokens,
    attempts: a.attempts,
    reference: facts.reference,
    annotations: facts.annotations,
    calls: a.calls.map((c) => ({
      kind: c.kind,
      messages: c.messages,
      template_hash: c.templateHash,
      raw: c.raw,
    })),
    ...(a.rotations
      ? {
          rotations: a.rotations.map((r) => ({
            shift: r.shift,
            prediction: r.prediction,
            correct: r.correct,
            option_probs: r.optionProbs,
            raw: r.raw,
          })),
        }
      : {}),
  };
}

/** The results file's `run` section. */
export function resultsRunOf(
  run: RunRecord,
  answers: readonly AnswerRecord[],
  dataset: ResultsDataset | null,
): ResultsRun {
  return {
    id: run.id,
    spec: run.spec,
    status: run.status,
    model: run.model,
    engine: run.spec.engine,
    device: run.device,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    active_ms: run.activeMs,
    total: run.total,
    done: run.totals.done,
    skipped: run.skipped,
    dataset,
    performance: performanceOf(run, answers),
    origin: run.origin ?? null,
  };
}

export function buildResults(input: {
  run: RunRecord;
  answers: readonly AnswerRecord[];
  facts: (a: AnswerRecord) => QuestionFacts;
  score: ScoreResult;
  dataset: ResultsDataset | null;
  generatorVersion: string;
  now?: Date;
}): ResultsFile {
  const { run, answers, score } = input;
  const explains = writesExplanations(run.spec);
  return {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    exported_at: (input.now ?? new Date()).toISOString(),
    generator: `${GENERATOR} ${input.generatorVersion}`,
    run: resultsRunOf(run, answers, input.dataset),
    ...score,
    records: answers.map((a) => resultRecordOf(a, input.facts(a), explains)),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a results file back

/**
 * A refused results file: `problems` in English, `i18n` the whole text to translate (it crosses
 * the report worker: see workers/errors.ts).
 */
export class ResultsFileError extends Error {
  readonly problems: string[];
  readonly i18n: Message;
  constructor(message: Message, problems: Message[] = []) {
    const i18n = withProblems(message, problems);
    super(english(i18n));
    this.name = 'ResultsFileError';
    this.i18n = i18n;
    this.problems = problems.map(english);
  }
}

const STATUSES = new Set(['parsed', 'unparsed', 'error']);
const RUN_STATUSES = new Set(['pending', 'running', 'paused', 'done', 'cancelled', 'error']);
const LETTERS = /^[A-Z]*$/;
const MAX_PROBLEMS = 20;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/**
 * Parse and check a results file. Every problem found (up to 20) is listed with its path, so a
 * mangled file is refused with the reason rather than half-imported.
 */
export function parseResults(text: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ResultsFileError(
      msg('fileNotJson', {
        what: msg('fileWhatResults'),
        detail: err instanceof Error ? err.message : String(err),
      }),
    );
  }
  if (!isObject(data) || data.format !== RESULTS_FORMAT) {
    throw new ResultsFileError(
      msg('fileFormat', {
        what: msg('fileWhatResults'),
        value: isObject(data) ? describe(data.format) : msg('valueMissing'),
        format: RESULTS_FORMAT,
      }),
    );
  }
  if (data.version !== RESULTS_VERSION) {
    throw new ResultsFileError(
      typeof data.version === 'number' && data.version > RESULTS_VERSION
        ? msg('fileNewer', {
            subject: msg('fileThisResults'),
            version: data.version,
            supported: RESULTS_VERSION,
          })
        : msg('fileUnknownVersion', {
            subject: msg('fileThisResults'),
            value: describe(data.version),
          }),
    );
  }
  const problems: Message[] = [];
  const problem = (path: string, expected: MessageParam, value: unknown) => {
    if (problems.length < MAX_PROBLEMS)
      problems.push(msg('fileField', { path, expected, value: describe(value) }));
  };
  const str = (o: Json, key: string, path: string, nullable = false) => {
    const v = o[key];
    if (typeof v === 'string' || (nullable && v === null)) return;
    problem(`${path}.${key}`, nullable ? msg('fileExpStringOrNull') : msg('fileExpString'), v);
  };
  const count = (o: Json, key: string, path: string) => {
    const v = o[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return;
    problem(`${path}.${key}`, msg('fileExpCount'), v);
  };
  const num = (o: Json, key: string, path: string) => {
    const v = o[key];
    if (typeof v === 'number' && Number.isFinite(v)) return;
    problem(`${path}.${key}`, msg('fileExpNumber'), v);
  };

  const run = data.run;
  if (!isObject(run)) problem('run', msg('fileExpObject'), run);
  else {
    str(run, 'id', 'run');
    if (!RUN_STATUSES.has(run.status as string))
      problem('run.status', msg('fileExpRunStatus'), run.status);
    count(run, 'total', 'run');
    count(run, 'skipped', 'run');
    num(run, 'active_ms', 'run');
    str(run, 'created_at', 'run');
    str(run, 'model', 'run', true);
    str(run, 'device', 'run', true);
    // The same rules as the Run form and links: a spec lacking fields is named field by field.
    for (const p of specProblems(run.spec)) {
      if (problems.length < MAX_PROBLEMS)
        problems.push(msg('fieldProblem', { path: 'run.spec', problem: p }));
    }
  }

  const records = data.records;
  if (!Array.isArray(records)) problem('records', msg('fileExpArray'), records);
  else {
    const seen = new Set<string>();
    records.forEach((r: unknown, i) => {
      const path = `records[${i}]`;
      if (!isObject(r)) return problem(path, msg('fileExpObject'), r);
      str(r, 'question_id', path);
      count(r, 'row', path);
      for (const key of ['gold', 'prediction'] as const) {
        if (typeof r[key] !== 'string' || !LETTERS.test(r[key]))
          problem(`${path}.${key}`, msg('fileExpLettersOrEmpty'), r[key]);
      }
      if (!STATUSES.has(r.status as string))
        problem(`${path}.status`, msg('fileExpStatus'), r.status);
      if (typeof r.correct !== 'boolean')
        problem(`${path}.correct`, msg('fileExpBoolean'), r.correct);
      str(r, 'raw_output', path);
      str(r, 'explanation', path, true);
      str(r, 'error', path, true);
      str(r, 'reference', path);
      if (!isObject(r.annotations))
        problem(`${path}.annotations`, msg('fileExpObject'), r.annotations);
      if (r.option_probs !== null && !isObject(r.option_probs))
        problem(`${path}.option_probs`, msg('fileExpObjectOrNull'), r.option_probs);
      if (!Array.isArray(r.calls)) problem(`${path}.calls`, msg('fileExpArray'), r.calls);
      if (typeof r.question_id === 'string') {
        if (seen.has(r.question_id))
          problem(`${path}.question_id`, msg('fileExpUniqueId'), r.question_id);
        seen.add(r.question_id);
      }
      // The stored verdict must agree with the letters: a hand-edited file is refused.
      if (
        typeof r.correct === 'boolean' &&
        typeof r.gold === 'string' &&
        typeof r.prediction === 'string' &&
        r.correct !==
          isCorrect({
            status: r.status as AnswerRecord['status'],
            prediction: r.prediction,
            gold: r.gold,
          })
      )
        problem(
          `${path}.correct`,
          msg('fileVerdictPrediction', {
            verdict: String(!r.correct),
            gold: describe(r.gold),
            prediction: describe(r.prediction),
          }),
          r.correct,
        );
    });
    if (isObject(run) && typeof run.total === 'number' && records.length > run.total)
      problems.push(msg('resultsTooManyRecords', { n: records.length, total: run.total }));
  }
  if (problems.length)
    throw new ResultsFileError(msg('fileDamaged', { subject: msg('fileThisResults') }), problems);
  return data as unknown as ResultsFile;
}

/** The answers of a results file as stored answers (the file's own facts travel with them). */
export function answersOf(file: ResultsFile, runId: string): AnswerRecord[] {
  return file.records.map((r) => ({
    runId,
    questionId: r.question_id,
    row: r.row,
    promptHash: r.prompt_hash ?? '',
    calls: (r.calls ?? []).map((c) => ({
      kind: c.kind,
      messages: c.messages,
      templateHash: c.template_hash,
      raw: c.raw,
      promptTokens: 0,
      completionTokens: 0,
      timings: null,
    })),
    raw: r.raw_output,
    prediction: r.prediction,
    status: r.status,
    extractionRule: r.extraction_rule ?? null,
    gold: r.gold,
    correct: r.correct,
    optionProbs: r.option_probs,
    explanation: r.explanation ?? '',
    promptTokens: r.prompt_tokens ?? 0,
    completionTokens: r.completion_tokens ?? 0,
    latencyMs: r.latency_ms ?? 0,
    attempts: r.attempts ?? 1,
    error: r.error,
    createdAt: file.run.updated_at ?? file.exported_at,
    source: {
      reference: r.reference,
      annotations: r.annotations,
      ...(Array.isArray(r.references) ? { references: r.references.map(String) } : {}),
    },
    ...(r.rotations
      ? {
          rotations: r.rotations.map((x): RotationRecord => ({
            shift: x.shift,
            prediction: x.prediction,
            correct: x.correct,
            optionProbs: x.option_probs,
            raw: x.raw,
            promptTokens: 0,
            completionTokens: 0,
          })),
        }
      : {}),
  }));
}

/** Shards of one spec differ only in their shard index; merged, they are the spec's shard 1/1. */
export function unshardedSpec(spec: RunSpec): RunSpec {
  const c = canonicalSpec(spec);
  return { ...c, subset: { ...c.subset, shard: { index: 1, count: 1 } } };
}
