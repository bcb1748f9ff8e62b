/**
 * The run loop: create a run for a spec (its questions fixed and pinned to the split's
 * content), then drive it: ask every question without an answer, store each answer as it is
 * produced, and keep the run record's totals following them. Lives in the engine worker, next
 * to the engine it calls. How one question is asked is the solver's (solver.ts).
 *
 * What a drive promises:
 * - Every failure ends the drive with the run stored as `error` and a message saying what to do
 *   (`RunErrorDetail` tells the page which way out to offer): a split that is not stored, a
 *   model other than the run's own, a split whose content changed, a failed write, engine
 *   errors. Nothing is retried in a loop; only a dead worker is retried, by the page
 *   (eval/client.ts), a few times.
 * - One run, one model: a run is driven only by an engine holding the spec's own model.
 * - Errors are not answers: a question whose engine calls failed is stored as an error, counted
 *   apart, and asked again on resume (earlier errors kept in `errorHistory`). After
 *   MAX_CONSECUTIVE_ERRORS errored questions in a row the run stops with status `error`.
 * - `done` means every question of the run has an answer.
 */
import type {
  AnswerRecord,
  AppDatabase,
  RunErrorDetail,
  RunQuestionsRecord,
  RunRecord,
  SplitRecord,
} from '../db/database';
import { SplitStore } from '../dataset/store';
import { modelName, parseModelRef, sameModel, type ModelRef } from '../engines/model-ref';
import type { RunApi } from '../engines/protocol';
import type { Engine } from '../engines/types';
import { pinStateOf, questionFingerprint } from './pin';
import { runLockName } from './locks';
import { evalQuestionOf } from './questions';
import {
  addToTotals,
  emptyTotals,
  progressOf,
  removeFromTotals,
  totalsOf,
  type DriveOutcome,
  type RunProgress,
} from './progress';
import { selectShots } from './prompts';
import { selectOpenShots } from './prompts-open';
import { drawSelection } from './select';
import { solve } from './solver';
import { LivePublisher } from './live';
import { specProblems } from './spec';
import type { EvalQuestion, RunSpec } from './types';
import { AnswerWriter } from './writer';
import {
  english,
  errorText,
  msg,
  TranslatableError,
  type Message,
  type MessageParam,
} from '../i18n/translate';

/**
 * Errored questions in a row (each already tried twice) after which a run stops: an engine that
 * fails three questions running is broken (a lost WebGPU device, a failed recovery), and going
 * on would only fill the run with errors at full speed.
 */
export const MAX_CONSECUTIVE_ERRORS = 3;
/** Tries of each question within one drive before it is stored as an error. */
const TRIES_PER_QUESTION = 2;
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

/**
 * A failure that stops a run, with what the page needs to offer the way out. Stored on the run
 * as `error` (English) and `errorMessage` (the same, to translate).
 */
export class RunError extends Error {
  override name = 'RunError';
  constructor(
    readonly i18n: Message,
    readonly detail: RunErrorDetail,
  ) {
    super(english(i18n));
  }
}

/** The engine the run loop may call, with the reference of the model it holds. */
export interface LoadedEngine {
  engine: Engine;
  ref: ModelRef | null;
}

export class Runner implements RunApi {
  private readonly stops = new Map<string, 'pause' | 'cancel'>();
  /** Wakes the drive of a run when a stop is asked for while a question is with the engine. */
  private readonly stopSignals = new Map<string, () => void>();
  private active: string | null = null;
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
    private readonly engine: () => LoadedEngine | null,
    private readonly answerWrites: AppDatabase = db,
  ) {
    this.store = new SplitStore(db);
  }

  /**
   * Create the run for a spec, or return it if it exists (the same link resumes the same run).
   * Its questions are drawn now and kept, with a fingerprint of each, and the split's hash.
   */
  async create(runId: string, spec: RunSpec): Promise<RunRecord> {
    const problems = specProblems(spec);
    if (problems.length)
      throw new TranslatableError(
        msg('runCannotCreate', { problems: msg('sentences', { list: problems }) }),
      );
    const existing = await this.db.runs.get(runId);
    if (existing) return existing;
    const split = await this.requireSplit(spec.splitId);
    // Open items have no options to score, and choice questions no references to compare with.
    if ((split.kind === 'open') !== (spec.method === 'open')) {
      throw new TranslatableError(
        msg(split.kind === 'open' ? 'specChoiceNeedsOptions' : 'specOpenNeedsOpenItems', {
          split: split.id,
        }),
      );
    }
    const all = await this.questionsOf(split);
    const { questions, skipped } = drawQuestions(all, spec);
    const shots = spec.shotsSplitId ? await this.store.getSplit(spec.shotsSplitId) : undefined;
    const now = new Date().toISOString();
    const run: RunRecord = {
      id: runId,
      spec,
      status: 'pending',
      total: questions.length,
      skipped,
      totals: emptyTotals(),
      model: null,
      device: null,
      createdAt: now,
      updatedAt: now,
      activeMs: 0,
      error: null,
      errorDetail: null,
      splitSha256: split.sha256,
      // A shots split imported later is pinned when the run first uses it.
      shotsSha256: shots?.sha256 ?? null,
    };
    // Another tab may have created it meanwhile: keep the first.
    await this.db.transaction('rw', this.db.runs, this.db.runQuestions, async () => {
      if (await this.db.runs.get(runId)) return;
      await this.db.runQuestions.put({
        runId,
        questionIds: questions.map((q) => q.id),
        fingerprints: questions.map(questionFingerprint),
      });
      await this.db.runs.add(run);
    });
    return (await this.db.runs.get(runId))!;
  }

  pause(runId: string): void {
    this.requestStop(runId, 'pause');
  }

  cancel(runId: string): void {
    this.requestStop(runId, 'cancel');
  }

  /** The run this worker is driving now, if any: one at a time, and no model load meanwhile. */
  activeRun(): string | null {
    return this.active;
  }

  /**
   * A stop takes effect at once, also in the middle of a question that is slow or never
   * returns (a lost WebGPU device): the call in flight is interrupted and its answer, if it
   * still comes, is not stored; the question is asked again on resume.
   */
  private requestStop(runId: string, kind: 'pause' | 'cancel'): void {
    this.stops.set(runId, kind);
    this.stopSignals.get(runId)?.();
  }

  /**
   * Answer every question of the run that has no stored answer yet (errored ones again). Only
   * the holder of the run's Web Lock drives it; `locked` means another tab does. Never throws
   * for a run that exists: a failure is stored on the run as status `error`.
   */
  async drive(runId: string, onProgress: (p: RunProgress) => void): Promise<DriveOutcome> {
    // One engine answers one run at a time: a second would share its model and its threads.
    if (this.active !== null && this.active !== runId) {
      throw new TranslatableError(msg('runAnotherActive', { id: this.active }));
    }
    // A pause or cancel left from an earlier drive must not stop this one.
    this.stops.delete(runId);
    return navigator.locks.request(runLockName(runId), { ifAvailable: true }, async (lock) => {
      if (!lock) return 'locked' as const;
      this.active = runId;
      try {
        return await this.driveLocked(runId, onProgress);
      } finally {
        this.active = null;
        this.stopSignals.delete(runId);
      }
    });
  }

  /** Record a run as stopped by the page (a pause during a crash, too many crashes). */
  async stop(
    runId: string,
    status: 'paused' | 'cancelled' | 'error',
    error: Message | string | null = null,
    detail: RunErrorDetail | null = null,
  ): Promise<void> {
    await navigator.locks.request(runLockName(runId), { ifAvailable: true }, async (lock) => {
      if (!lock) return; // another tab drives it and owns its status
      await this.update(runId, (r) => {
        if (r.status === 'done') return;
        r.status = status;
        r.error = error === null ? null : english(error);
        r.errorMessage = error === null || typeof error === 'string' ? null : error;
        r.errorDetail = detail;
      });
    });
  }

  private async driveLocked(
    runId: string,
    onProgress: (p: RunProgress) => void,
  ): Promise<DriveOutcome> {
    const run = await this.db.runs.get(runId);
    if (!run) throw new TranslatableError(msg('runNotStored', { id: runId }));
    let writer: AnswerWriter<AnswerRecord> | null = null;
    try {
      const prepared = await this.prepare(run);
      writer = new AnswerWriter<AnswerRecord>(
        (answers) =>
          answers.length === 1
            ? this.answerWrites.answers.put(answers[0])
            : this.answerWrites.answers.bulkPut(answers),
        ANSWER_WINDOW_MS,
      );
      const live = new LivePublisher(runId);
      try {
        return await this.loop(run, { ...prepared, live }, writer, onProgress);
      } finally {
        live.close();
      }
    } catch (err) {
      const failure =
        err instanceof RunError
          ? err
          : new RunError(
              writer?.error
                ? msg('runWriteFailed', { detail: errorText(writer.error.error) })
                : msg('engVerbatim', { text: errorText(err) }),
              { code: writer?.error ? 'write-failed' : 'unknown' },
            );
      // Whatever was queued is lost with the failed write; the record is rebuilt on resume.
      await writer?.flush().catch(() => {});
      run.status = 'error';
      run.error = failure.message;
      run.errorMessage = failure.i18n;
      run.errorDetail = failure.detail;
      run.updatedAt = new Date().toISOString();
      await this.db.runs.put(run).catch(() => {});
      onProgress(progressOf(run));
      return 'error';
    }
  }

  /** Everything a drive checks and loads before the first question; throws RunError. */
  private async prepare(run: RunRecord): Promise<Prepared> {
    const spec = run.spec;
    const split = await this.store.getSplit(spec.splitId);
    const origin = run.origin?.kind;
    if (origin && (!split || run.splitSha256 !== split.sha256)) {
      throw new RunError(
        msg('runReadOnly', {
          origin:
            origin === 'imported'
              ? msg('runOriginImported', { sources: run.origin?.sources.join(', ') ?? '' })
              : msg('runOriginMerged'),
          why: msg(split ? 'runReadOnlyChanged' : 'runReadOnlyMissing', { split: spec.splitId }),
        }),
        { code: 'read-only', splitId: spec.splitId },
      );
    }
    if (!split) throw missingSplit(spec.splitId, msg('runSplitDeleted'));
    const pin = pinStateOf(run, split);
    if (pin.state === 'stale' || pin.state === 'unknown') {
      throw new RunError(msg('runStale', { reason: pin.reason }), {
        code: 'stale',
        splitId: spec.splitId,
      });
    }

    const loaded = this.engine();
    const wanted = parseModelRef(spec.model, spec).ref;
    if (!loaded?.engine.describe().model) {
      throw new RunError(
        msg('runNoModelLoaded', { model: wanted ? modelName(wanted) : spec.model }),
        { code: 'no-model', model: spec.model },
      );
    }
    // Runs from before custom MLC models kept their addresses name only the id: the loaded
    // custom model of that id (from the user's model list) is theirs.
    const legacyCustom =
      wanted?.kind === 'mlc' &&
      spec.modelUrl === undefined &&
      loaded.ref?.kind === 'mlc-custom' &&
      loaded.ref.model === wanted.model;
    if (!sameModel(wanted, loaded.ref) && !legacyCustom) {
      throw new RunError(
        msg('runOtherModel', {
          wanted: wanted ? modelName(wanted) : spec.model,
          loaded: loaded.ref ? modelName(loaded.ref) : msg('runAnotherModel'),
        }),
        { code: 'model-mismatch', model: spec.model },
      );
    }

    const all = await this.questionsOf(split);
    const byId = new Map(all.map((q) => [q.id, q]));
    let order = await this.db.runQuestions.get(run.id);
    if (pin.state === 'unpinned' || !order?.fingerprints || order.questionIds.length < run.total) {
      order = await this.repairQuestionList(run, split, all, order?.questionIds ?? []);
    }
    const questionIds = order.questionIds;
    const missing = questionIds.find((id) => !byId.has(id));
    if (missing) {
      throw new RunError(msg('runQuestionGone', { question: missing, split: spec.splitId }), {
        code: 'questions',
      });
    }
    const shots = await this.shotsFor(run);
    return {
      questionIds,
      questions: byId,
      shots,
      engine: loaded.engine,
      ref: loaded.ref!,
    };
  }

  /**
   * A question list to drive from: a run created before pinning is pinned now to the stored
   * split; a run imported from a partial results file lists only its answered questions, so the
   * whole selection is drawn again (the same spec on the same content draws the same questions)
   * and must contain every imported answer.
   */
  private async repairQuestionList(
    run: RunRecord,
    split: SplitRecord,
    all: EvalQuestion[],
    listed: string[],
  ): Promise<RunQuestionsRecord> {
    let questions: EvalQuestion[];
    if (listed.length >= run.total) {
      const byId = new Map(all.map((q) => [q.id, q]));
      const missing = listed.find((id) => !byId.has(id));
      if (missing) {
        throw new RunError(msg('runQuestionGoneOfRun', { question: missing, split: split.id }), {
          code: 'questions',
        });
      }
      questions = listed.map((id) => byId.get(id)!);
    } else {
      questions = drawQuestions(all, run.spec).questions;
      const drawn = new Set(questions.map((q) => q.id));
      const stray = listed.find((id) => !drawn.has(id));
      if (questions.length !== run.total || stray) {
        throw new RunError(
          msg('runRedraw', {
            split: split.id,
            why: stray
              ? msg('runRedrawStray', { question: stray })
              : msg('runRedrawCount', { n: questions.length, total: run.total }),
          }),
          { code: 'questions' },
        );
      }
    }
    const record = {
      runId: run.id,
      questionIds: questions.map((q) => q.id),
      fingerprints: questions.map(questionFingerprint),
    };
    await this.db.transaction('rw', this.db.runs, this.db.runQuestions, async () => {
      await this.db.runQuestions.put(record);
      const r = await this.db.runs.get(run.id);
      if (r && r.splitSha256 === undefined)
        await this.db.runs.put({ ...r, splitSha256: split.sha256 });
    });
    run.splitSha256 ??= split.sha256;
    return record;
  }

  private async loop(
    run: RunRecord,
    p: Prepared,
    writer: AnswerWriter<AnswerRecord>,
    onProgress: (p: RunProgress) => void,
  ): Promise<DriveOutcome> {
    const runId = run.id;
    const spec = run.spec;
    // What is stored: answers are skipped, errors asked again. Only keys are read unless the
    // record says there are errors, or trails its answers (a tab closed between the two).
    const keys = (await this.db.answers.where('runId').equals(runId).primaryKeys()).map(
      (k) => k[1],
    );
    const errored = new Map<string, AnswerRecord>();
    let answered = new Set(keys);
    // Also rebuilt: totals from before decode rates were counted apart (no decodeSamples).
    if (
      run.totals.errors > 0 ||
      run.totals.done + run.totals.errors !== keys.length ||
      run.totals.decodeSamples === undefined
    ) {
      const stored = await this.db.answers.where('runId').equals(runId).toArray();
      const totals = totalsOf(stored);
      answered = new Set(stored.filter((a) => a.status !== 'error').map((a) => a.questionId));
      for (const a of stored) if (a.status === 'error') errored.set(a.questionId, a);
      run.totals = totals;
      run.activeMs = Math.max(run.activeMs, totals.latencyMsSum);
    }
    const description = p.engine.describe();
    run.status = 'running';
    run.model ??= description.model;
    run.device = `${description.backend}: ${description.device}`;
    run.error = null;
    run.errorMessage = null;
    run.errorDetail = null;
    run.updatedAt = new Date().toISOString();
    await this.db.runs.put(run);
    onProgress(progressOf(run));

    let recordedAt = performance.now();
    let inARow = 0;
    let lastError = '';
    const stopWith = async (
      status: RunRecord['status'],
      error: Message | null = null,
      detail: RunErrorDetail | null = null,
    ): Promise<void> => {
      await writer.flush();
      run.status = status;
      run.error = error && english(error);
      run.errorMessage = error;
      run.errorDetail = detail;
      run.updatedAt = new Date().toISOString();
      await this.db.runs.put(run);
      onProgress(progressOf(run));
    };

    const stopRequested = new Promise<'stop'>((resolve) =>
      this.stopSignals.set(runId, () => resolve('stop')),
    );
    const stopNow = async (): Promise<DriveOutcome> => {
      const stop = this.stops.get(runId);
      this.stops.delete(runId);
      const status = stop === 'cancel' ? 'cancelled' : 'paused';
      await stopWith(status);
      return status;
    };
    for (const qid of p.questionIds) {
      if (answered.has(qid)) continue;
      // A failed write stops the run here rather than after more unsaved answers.
      if (writer.error) throw writer.error.error;
      if (this.stops.has(runId)) return stopNow();
      this.checkModel(p);
      const q = p.questions.get(qid)!;
      const started = performance.now();
      const outcome = await Promise.race([
        this.answerWithRetry(runId, spec, q, p, errored.get(qid)),
        stopRequested,
      ]);
      if (outcome === 'stop') {
        p.engine.interrupt();
        return stopNow();
      }
      // The model must still be the run's when the answer comes: otherwise it is not stored.
      this.checkModel(p);
      const record = outcome;
      const elapsed = performance.now() - started;
      record.latencyMs = elapsed;
      writer.add(record);
      const before = errored.get(qid);
      if (before) removeFromTotals(run.totals, before);
      addToTotals(run.totals, record);
      run.activeMs += elapsed;
      if (record.status === 'error') {
        errored.set(qid, record);
        inARow++;
        lastError = record.error ?? '';
        if (inARow >= MAX_CONSECUTIVE_ERRORS) {
          await stopWith('error', msg('runErrorsInARow', { n: inARow, error: lastError }), {
            code: 'engine-errors',
          });
          return 'error';
        }
      } else {
        errored.delete(qid);
        answered.add(qid);
        inARow = 0;
      }
      const now = performance.now();
      if (now - recordedAt < RECORD_INTERVAL_MS) continue;
      recordedAt = now;
      run.updatedAt = new Date().toISOString();
      // A copy: the record goes after the answers it counts, and `run` changes meanwhile.
      const snapshot = structuredClone(run);
      writer.after(() => this.db.runs.put(snapshot));
      onProgress(progressOf(snapshot));
    }
    if (errored.size > 0) {
      await stopWith(
        'error',
        msg(errored.size === 1 ? 'runFailedOne' : 'runFailedMany', {
          n: errored.size,
          error: String(lastError || [...errored.values()].at(-1)?.error),
        }),
        { code: 'engine-errors' },
      );
      return 'error';
    }
    if (run.totals.done < run.total) {
      await stopWith('error', msg('runUnanswered', { done: run.totals.done, total: run.total }), {
        code: 'questions',
      });
      return 'error';
    }
    await stopWith('done');
    return 'done';
  }

  /**
   * The engine that answers must be the one the drive started with, holding the run's model: a
   * model loaded meanwhile (the engine host refuses, but a crash recovery or another page might
   * not) stops the run before an answer of another model is stored.
   */
  private checkModel(p: Prepared): void {
    const now = this.engine();
    if (now?.engine !== p.engine || !sameModel(now.ref, p.ref)) {
      throw new RunError(
        msg('runModelChanged', {
          from: p.ref ? modelName(p.ref) : msg('runItsModel'),
          to: now?.ref ? modelName(now.ref) : msg('runNoModel'),
        }),
        { code: 'model-mismatch', model: p.ref.model },
      );
    }
  }

  /** An engine error is tried again once, then recorded as this question's error. */
  private async answerWithRetry(
    runId: string,
    spec: RunSpec,
    q: EvalQuestion,
    p: Prepared,
    before: AnswerRecord | undefined,
  ): Promise<AnswerRecord> {
    // What failed before, oldest first: kept with the question whatever happens now.
    const history = before
      ? [...(before.errorHistory ?? []), { at: before.createdAt, error: before.error ?? '' }]
      : undefined;
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= TRIES_PER_QUESTION; attempt++) {
      try {
        p.live?.question(q.id, q.row);
        const solved = await solve(p.engine, spec, q, p.shots, p.live?.textSink(q.id));
        return {
          ...blankAnswer(runId, q, p.ref.model),
          ...solved,
          attempts: attempt,
          ...(history ? { errorHistory: history } : {}),
        };
      } catch (err) {
        lastError = err;
      }
    }
    return {
      ...blankAnswer(runId, q, p.ref.model),
      status: 'error',
      attempts: TRIES_PER_QUESTION,
      error:
        lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError),
      ...(history ? { errorHistory: history } : {}),
    };
  }

  private async requireSplit(splitId: string): Promise<SplitRecord> {
    const split = await this.store.getSplit(splitId);
    if (!split) throw missingSplit(splitId, msg('runSplitNotStored'));
    return split;
  }

  private async questionsOf(split: SplitRecord): Promise<EvalQuestion[]> {
    return (await this.store.loadQuestions(split)).map(evalQuestionOf);
  }

  /** The few-shot examples, from their split (pinned like the evaluated one). */
  private async shotsFor(run: RunRecord): Promise<EvalQuestion[]> {
    const spec = run.spec;
    if (spec.prompt !== 'few-shot' || spec.k === 0) return [];
    if (!spec.shotsSplitId) {
      throw new RunError(msg('runNoShotsSplit'), { code: 'missing-split' });
    }
    const split = await this.store.getSplit(spec.shotsSplitId);
    if (!split) {
      throw missingSplit(spec.shotsSplitId, msg('runShotsNotStored', { k: spec.k }));
    }
    if (run.shotsSha256 && run.shotsSha256 !== split.sha256) {
      throw new RunError(msg('runShotsStale', { split: split.id }), {
        code: 'stale',
        splitId: split.id,
      });
    }
    if (!run.shotsSha256) {
      run.shotsSha256 = split.sha256;
      await this.update(run.id, (r) => (r.shotsSha256 = split.sha256));
    }
    const pool = await this.questionsOf(split);
    return spec.method === 'open'
      ? selectOpenShots(pool, spec.k, spec.seed)
      : selectShots(pool, spec.k, spec.seed);
  }

  private async update(runId: string, change: (r: RunRecord) => void): Promise<RunRecord> {
    return this.db.transaction('rw', this.db.runs, async () => {
      const r = await this.db.runs.get(runId);
      if (!r) throw new TranslatableError(msg('runNotStored', { id: runId }));
      change(r);
      r.updatedAt = new Date().toISOString();
      await this.db.runs.put(r);
      return r;
    });
  }
}

interface Prepared {
  questionIds: string[];
  questions: Map<string, EvalQuestion>;
  shots: EvalQuestion[];
  engine: Engine;
  ref: ModelRef;
  /** A presenter watching the run hears the question in flight and its streamed text. */
  live?: LivePublisher;
}

/** The questions a run spec draws from a split (select.ts `drawSelection`). */
export function drawQuestions(
  all: EvalQuestion[],
  spec: RunSpec,
): { questions: EvalQuestion[]; skipped: number } {
  const skipMulti = spec.method === 'choice' && spec.multiAnswer === 'skip';
  return drawSelection(all, spec.subset, spec.seed, skipMulti);
}

function missingSplit(splitId: string, why: MessageParam): RunError {
  return new RunError(msg('runMissingSplit', { split: splitId, why }), {
    code: 'missing-split',
    splitId,
  });
}

function blankAnswer(runId: string, q: EvalQuestion, model: string): AnswerRecord {
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
    model,
    createdAt: new Date().toISOString(),
  };
}
