import type {
  AnswerRecord,
  AppDatabase,
  EngineCallRecord,
  RotationRecord,
  RunRecord,
  RunTotals,
} from '../db/database';
import { SplitStore } from '../dataset/store';
import type { Engine, Timings } from '../engines/types';
import { extractAnswer, extractExplanation } from './extract';
import { buildIcpAnswerPrompt, buildIcpSeedPrompt, buildPrompt, selectShots } from './prompts';
import { mapLetters, rotateQuestion } from './rotate';
import { AnswerWriter } from './writer';
import { selectQuestions } from './select';
import type { BuiltPrompt, EvalQuestion, RunSpec } from './types';

export interface RunProgress {
  runId: string;
  status: RunRecord['status'];
  done: number;
  total: number;
  correct: number;
  parsed: number;
  errors: number;
  skipped: number;
  activeMs: number;
  questionsPerMinute: number | null;
  etaMs: number | null;
  prefillTps: number | null;
  decodeTps: number | null;
}

export type DriveOutcome = 'done' | 'paused' | 'cancelled' | 'locked' | 'error';

/** Web Lock held by the tab (engine worker) that drives a run; other tabs only watch it. */
export const runLockName = (runId: string) => `cmexam-run:${runId}`;

const ICP_SEED_TOKENS = 256;
/**
 * The run record (its totals, which the page and other tabs show) and the progress callback
 * follow the answers at most this often; every status change is written at once. Writing the
 * record with every answer cost a second store in each answer's transaction, and a wake-up of
 * every watching page, for no change a person can see.
 */
const RECORD_INTERVAL_MS = 500;
/**
 * Answers that come faster than this are written several to a transaction (see writer.ts): at
 * most this much work is asked again after a tab is closed. 100 ms still left 2.5 ms a question
 * of harness overhead with the tiny model; 250 ms brought it to 0.5–1.5 (npm run bench).
 */
const ANSWER_WINDOW_MS = 250;

export function emptyTotals(): RunTotals {
  return {
    done: 0,
    correct: 0,
    parsed: 0,
    errors: 0,
    promptTokens: 0,
    completionTokens: 0,
    prefillTpsSum: 0,
    decodeTpsSum: 0,
    rateSamples: 0,
    latencyMsSum: 0,
  };
}

export function progressOf(run: RunRecord): RunProgress {
  const t = run.totals;
  const total = run.total;
  const perQuestion = t.done > 0 ? run.activeMs / t.done : null;
  return {
    runId: run.id,
    status: run.status,
    done: t.done,
    total,
    correct: t.correct,
    parsed: t.parsed,
    errors: t.errors,
    skipped: run.skipped,
    activeMs: run.activeMs,
    questionsPerMinute: perQuestion ? 60_000 / perQuestion : null,
    etaMs: perQuestion !== null ? perQuestion * (total - t.done) : null,
    prefillTps: t.rateSamples ? t.prefillTpsSum / t.rateSamples : null,
    decodeTps: t.rateSamples ? t.decodeTpsSum / t.rateSamples : null,
  };
}

/**
 * The run loop: select → prompt → engine call(s) → extract → record, one question at a time,
 * each answer stored as it is produced (within ANSWER_WINDOW_MS).
 * Lives in the engine worker, next to the engine it calls.
 */
export class Runner {
  private readonly stops = new Map<string, 'pause' | 'cancel'>();
  private readonly store: SplitStore;

  /**
   * `answerWrites`: a connection to the same database without change notifications (see
   * AppDatabase), for the answers written as they are produced: each answer would otherwise
   * post a message to every page and worker that has the database open, dozens a second with a
   * small model, for a change nobody shows. The run record, which pages do watch, is written
   * through `db` and follows within RECORD_INTERVAL_MS.
   */
  constructor(
    private readonly db: AppDatabase,
    private readonly engine: () => Engine | null,
    private readonly answerWrites: AppDatabase = db,
  ) {
    this.store = new SplitStore(db);
  }

  /** Create the run for a spec, or return it if it exists (the same link resumes the same run). */
  async create(runId: string, spec: RunSpec): Promise<RunRecord> {
    const existing = await this.db.runs.get(runId);
    if (existing) return existing;
    const all = await this.questionsOf(spec.splitId);
    // Multi-answer questions left out by `choice` are removed before the subset is drawn, so
    // `n` questions are still answered; how many were left out is reported with the run.
    const skipMulti = spec.method === 'choice' && spec.multiAnswer === 'skip';
    const pool = skipMulti ? all.filter((q) => !q.multi) : all;
    const kept = selectQuestions(pool, spec.subset, spec.seed);
    const picked = { length: kept.length + (all.length - pool.length) };
    const now = new Date().toISOString();
    const run: RunRecord = {
      id: runId,
      spec,
      status: 'pending',
      total: kept.length,
      skipped: picked.length - kept.length,
      totals: emptyTotals(),
      model: null,
      device: null,
      createdAt: now,
      updatedAt: now,
      activeMs: 0,
      error: null,
    };
    // Another tab may have created it meanwhile: keep the first.
    await this.db.transaction('rw', this.db.runs, this.db.runQuestions, async () => {
      if (await this.db.runs.get(runId)) return;
      await this.db.runQuestions.put({ runId, questionIds: kept.map((q) => q.id) });
      await this.db.runs.add(run);
    });
    return (await this.db.runs.get(runId))!;
  }

  pause(runId: string): void {
    this.stops.set(runId, 'pause');
  }

  cancel(runId: string): void {
    this.stops.set(runId, 'cancel');
  }

  /**
   * Answer every question of the run that has no stored answer yet. Only the holder of the
   * run's Web Lock drives it; `locked` means another tab does.
   */
  async drive(runId: string, onProgress: (p: RunProgress) => void): Promise<DriveOutcome> {
    this.stops.delete(runId);
    const outcome = await navigator.locks.request(
      runLockName(runId),
      { ifAvailable: true },
      async (lock) => (lock ? this.driveLocked(runId, onProgress) : ('locked' as const)),
    );
    return outcome;
  }

  private async driveLocked(
    runId: string,
    onProgress: (p: RunProgress) => void,
  ): Promise<DriveOutcome> {
    const engine = this.engine();
    let run = await this.db.runs.get(runId);
    if (!run) throw new Error(`No run ${runId}.`);
    if (!engine?.describe().model) {
      await this.setStatus(runId, 'error', 'No model is loaded.');
      return 'error';
    }
    const spec = run.spec;
    const questions = new Map((await this.questionsOf(spec.splitId)).map((q) => [q.id, q]));
    const shots = await this.shotsFor(spec);
    const answered = new Set(
      (await this.db.answers.where('runId').equals(runId).primaryKeys()).map((k) => k[1]),
    );
    const description = engine.describe();
    // The run record trails its answers by up to RECORD_INTERVAL_MS (see below): after a tab
    // was closed or crashed in between, its totals are rebuilt from the stored answers.
    const rebuilt =
      run.totals.done === answered.size
        ? null
        : totalsOf(await this.db.answers.where('runId').equals(runId).toArray());
    run = await this.update(runId, (r) => {
      r.status = 'running';
      r.model = description.model;
      r.device = `${description.backend}: ${description.device}`;
      r.error = null;
      if (rebuilt) {
        r.totals = rebuilt;
        r.activeMs = Math.max(r.activeMs, rebuilt.latencyMsSum);
      }
    });
    onProgress(progressOf(run));

    // Answers are written as they are produced, in order, a few to a transaction when they come
    // faster than ANSWER_WINDOW_MS apart (writer.ts); writes run while the next question is with
    // the engine. The run record (totals, for the page and other tabs) follows the answers it
    // counts at most every RECORD_INTERVAL_MS, and always with a status change: this worker
    // holds the run's lock, so its in-memory record is the truth.
    const writer = new AnswerWriter<AnswerRecord>(
      (answers) =>
        answers.length === 1
          ? this.answerWrites.answers.put(answers[0])
          : this.answerWrites.answers.bulkPut(answers),
      ANSWER_WINDOW_MS,
    );
    let recordedAt = performance.now();
    const stopWith = async (status: RunRecord['status'], error: string | null = null) => {
      await writer.flush();
      const r = run!;
      r.status = status;
      r.error = error;
      r.updatedAt = new Date().toISOString();
      await this.db.runs.put(r);
      onProgress(progressOf(r));
      return r;
    };

    const questionIds = (await this.db.runQuestions.get(runId))?.questionIds ?? [];
    for (const qid of questionIds) {
      if (answered.has(qid)) continue;
      // A failed write stops the run here rather than after more unsaved answers.
      if (writer.error) throw writer.error.error;
      const stop = this.stops.get(runId);
      if (stop) {
        this.stops.delete(runId);
        const status = stop === 'pause' ? 'paused' : 'cancelled';
        await stopWith(status);
        return status;
      }
      const q = questions.get(qid);
      if (!q) {
        await stopWith('error', `Question ${qid} is no longer in the split.`);
        return 'error';
      }
      const started = performance.now();
      const record = await this.answerWithRetry(engine, runId, spec, q, shots);
      const elapsed = performance.now() - started;
      record.latencyMs = elapsed;
      writer.add(record);
      addToTotals(run.totals, record);
      run.activeMs += elapsed;
      const now = performance.now();
      if (now - recordedAt < RECORD_INTERVAL_MS) continue;
      recordedAt = now;
      run.updatedAt = new Date().toISOString();
      // A copy: the record goes after the answers it counts, and `run` changes meanwhile.
      const snapshot = structuredClone(run);
      writer.after(() => this.db.runs.put(snapshot));
      onProgress(progressOf(snapshot));
    }
    await stopWith('done');
    return 'done';
  }

  /** An engine error is retried once, then recorded as this question's error. */
  private async answerWithRetry(
    engine: Engine,
    runId: string,
    spec: RunSpec,
    q: EvalQuestion,
    shots: EvalQuestion[],
  ): Promise<AnswerRecord> {
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const record = await this.answer(engine, runId, spec, q, shots);
        record.attempts = attempt;
        return record;
      } catch (err) {
        lastError = err;
      }
    }
    return {
      ...blankAnswer(runId, q),
      status: 'error',
      attempts: 2,
      error:
        lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError),
    };
  }

  /**
   * The stored answer to a question. With `spec.circular` the question is then asked again under
   * each other rotation of its option texts (see rotate.ts), by the same path (ICP seeds, the
   * same few-shot examples, unrotated); every rotation is kept in `rotations`, in the original
   * letters, and its tokens count in the answer's. The main answer is the unrotated one.
   */
  private async answer(
    engine: Engine,
    runId: string,
    spec: RunSpec,
    q: EvalQuestion,
    shots: EvalQuestion[],
  ): Promise<AnswerRecord> {
    const record = finish(blankAnswer(runId, q), await this.answerOne(engine, spec, q, shots));
    if (!spec.circular) return record;
    const rotations: RotationRecord[] = [
      {
        shift: 0,
        prediction: record.prediction,
        correct: record.correct,
        optionProbs: record.optionProbs,
        raw: record.raw,
        promptTokens: record.promptTokens,
        completionTokens: record.completionTokens,
      },
    ];
    for (let shift = 1; shift < q.options.length; shift++) {
      const { question, toOriginal } = rotateQuestion(q, shift);
      const one = await this.answerOne(engine, spec, question, shots);
      const prediction = mapLetters(one.prediction, toOriginal);
      const rotation: RotationRecord = {
        shift,
        prediction,
        correct: isCorrect(one.status, prediction, q.answer),
        optionProbs: one.optionProbs && originalProbs(one.optionProbs, toOriginal, q),
        raw: one.calls[one.calls.length - 1].raw,
        promptTokens: one.calls.reduce((n, c) => n + c.promptTokens, 0),
        completionTokens: one.calls.reduce((n, c) => n + c.completionTokens, 0),
      };
      rotations.push(rotation);
      record.promptTokens += rotation.promptTokens;
      record.completionTokens += rotation.completionTokens;
    }
    record.rotations = rotations;
    return record;
  }

  /** One question as given (the original or a rotation): its engine call(s) and what they say. */
  private async answerOne(
    engine: Engine,
    spec: RunSpec,
    q: EvalQuestion,
    shots: EvalQuestion[],
  ): Promise<OneAnswer> {
    const calls: EngineCallRecord[] = [];
    let prompt: BuiltPrompt;
    if (spec.prompt === 'icp') {
      const seedPrompt = await buildIcpSeedPrompt(q);
      const seeds = await engine.generate({
        prompt: { messages: seedPrompt.messages },
        maxTokens: ICP_SEED_TOKENS,
        temperature: spec.generation.temperature,
        seed: spec.seed,
      });
      calls.push(
        call(
          'seeds',
          seedPrompt,
          seeds.text,
          seeds.promptTokens,
          seeds.completionTokens,
          seeds.timings,
        ),
      );
      prompt = await buildIcpAnswerPrompt(q, seeds.text, spec.method);
    } else {
      prompt = await buildPrompt(q, { style: spec.prompt, method: spec.method, shots });
    }

    if (spec.method === 'choice' && !q.multi) {
      const letters = q.options.map((o) => o.key);
      const r = await engine.scoreLetters({
        prompt: { messages: prompt.messages },
        letters,
        seed: spec.seed,
      });
      // Most probable letter; ties go to the earlier letter.
      const prediction = letters.reduce(
        (best, l) => (r.probs[l] > r.probs[best] ? l : best),
        letters[0],
      );
      calls.push(call('answer', prompt, prediction, r.promptTokens, 1, r.timings));
      return {
        calls,
        prompt,
        prediction,
        status: 'parsed',
        rule: 'choice',
        explanation: '',
        optionProbs: r.probs,
      };
    }

    const grammar =
      spec.method === 'choice' ? orderedSetGrammar(q.options.map((o) => o.key)) : undefined;
    const g = await engine.generate({
      prompt: { messages: prompt.messages },
      maxTokens: spec.method === 'choice' ? q.options.length : spec.generation.maxTokens,
      temperature: spec.generation.temperature,
      seed: spec.seed,
      grammar,
    });
    calls.push(call('answer', prompt, g.text, g.promptTokens, g.completionTokens, g.timings));
    if (spec.method === 'choice') {
      const letters = [...new Set(g.text.replace(/[^A-Z]/g, ''))].sort().join('');
      return {
        calls,
        prompt,
        prediction: letters,
        status: letters ? 'parsed' : 'unparsed',
        rule: 'constrained',
        explanation: '',
        optionProbs: null,
      };
    }
    const extracted = extractAnswer(g.text, q, spec.extraction);
    return {
      calls,
      prompt,
      prediction: extracted.answer,
      status: extracted.status,
      rule: extracted.rule,
      explanation: extractExplanation(g.text),
      optionProbs: null,
    };
  }

  private async questionsOf(splitId: string): Promise<EvalQuestion[]> {
    const split = await this.store.getSplit(splitId);
    if (!split)
      throw new Error(`The split ${splitId} is not stored: import it on the Dataset step first.`);
    return (await this.store.loadQuestions(split)).map((q) => ({
      id: q.id,
      row: q.row,
      question: q.question,
      options: q.options,
      answer: q.answer,
      explanation: q.explanation,
      annotations: q.annotations,
      multi: q.multi,
    }));
  }

  private async shotsFor(spec: RunSpec): Promise<EvalQuestion[]> {
    if (spec.prompt !== 'few-shot' || spec.k === 0) return [];
    if (!spec.shotsSplitId) throw new Error('Few-shot prompts need a split to draw examples from.');
    return selectShots(await this.questionsOf(spec.shotsSplitId), spec.k, spec.seed);
  }

  private async setStatus(
    runId: string,
    status: RunRecord['status'],
    error: string | null = null,
  ): Promise<RunRecord> {
    return this.update(runId, (r) => {
      r.status = status;
      r.error = error;
    });
  }

  private async update(runId: string, change: (r: RunRecord) => void): Promise<RunRecord> {
    return this.db.transaction('rw', this.db.runs, async () => {
      const r = (await this.db.runs.get(runId))!;
      change(r);
      r.updatedAt = new Date().toISOString();
      await this.db.runs.put(r);
      return r;
    });
  }
}

/** Any non-empty subset of the letters, in order: `A`, `AC`, `BDE`… (GBNF). */
export function orderedSetGrammar(letters: string[]): string {
  const optional = letters.map((l) => `"${l}"?`).join(' ');
  return `root ::= ${optional}`;
}

function blankAnswer(runId: string, q: EvalQuestion): AnswerRecord {
  return {
    runId,
    questionId: q.id,
    row: q.row,
    promptHash: '',
    calls: [],
    raw: '',
    prediction: '',
    status: 'unparsed',
    extractionRule: null,
    gold: q.answer,
    correct: false,
    optionProbs: null,
    explanation: '',
    promptTokens: 0,
    completionTokens: 0,
    latencyMs: 0,
    attempts: 1,
    error: null,
    createdAt: new Date().toISOString(),
  };
}

function call(
  kind: EngineCallRecord['kind'],
  prompt: BuiltPrompt,
  raw: string,
  promptTokens: number,
  completionTokens: number,
  timings: Timings,
): EngineCallRecord {
  return {
    kind,
    messages: prompt.messages,
    templateHash: prompt.templateHash,
    raw,
    promptTokens,
    completionTokens,
    timings,
  };
}

/** What the engine said to one question (the original or a rotation), before it is stored. */
interface OneAnswer {
  calls: EngineCallRecord[];
  prompt: BuiltPrompt;
  prediction: string;
  status: 'parsed' | 'unparsed';
  rule: string | null;
  explanation: string;
  optionProbs: Record<string, number> | null;
}

function finish(base: AnswerRecord, a: OneAnswer): AnswerRecord {
  const { calls } = a;
  return {
    ...base,
    calls,
    promptHash: calls.map((c) => c.templateHash).join('+') || a.prompt.templateHash,
    raw: calls[calls.length - 1].raw,
    prediction: a.prediction,
    status: a.status,
    extractionRule: a.rule,
    correct: isCorrect(a.status, a.prediction, base.gold),
    optionProbs: a.optionProbs,
    explanation: a.explanation,
    promptTokens: calls.reduce((n, c) => n + c.promptTokens, 0),
    completionTokens: calls.reduce((n, c) => n + c.completionTokens, 0),
  };
}

function isCorrect(status: 'parsed' | 'unparsed', prediction: string, gold: string): boolean {
  return status === 'parsed' && prediction === gold && gold !== '';
}

/** A rotation's letter probabilities under the original letters, in the question's order. */
function originalProbs(
  probs: Record<string, number>,
  toOriginal: Record<string, string>,
  q: EvalQuestion,
): Record<string, number> {
  const byOriginal = new Map<string, number>();
  for (const [shown, p] of Object.entries(probs)) byOriginal.set(toOriginal[shown] ?? shown, p);
  const out: Record<string, number> = {};
  for (const o of q.options) if (byOriginal.has(o.key)) out[o.key] = byOriginal.get(o.key)!;
  for (const [l, p] of byOriginal) if (!(l in out)) out[l] = p;
  return out;
}

/** A run's totals over its stored answers. */
export function totalsOf(answers: readonly AnswerRecord[]): RunTotals {
  const t = emptyTotals();
  for (const a of answers) addToTotals(t, a);
  return t;
}

function addToTotals(t: RunTotals, a: AnswerRecord): void {
  t.done++;
  if (a.correct) t.correct++;
  if (a.status === 'parsed') t.parsed++;
  if (a.status === 'error') t.errors++;
  t.promptTokens += a.promptTokens;
  t.completionTokens += a.completionTokens;
  t.latencyMsSum += a.latencyMs;
  const last = a.calls[a.calls.length - 1]?.timings;
  if (last?.prefillTokensPerSecond && last.decodeTokensPerSecond !== undefined) {
    t.prefillTpsSum += last.prefillTokensPerSecond;
    t.decodeTpsSum += last.decodeTokensPerSecond ?? 0;
    t.rateSamples++;
  }
}
