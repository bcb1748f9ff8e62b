import type {
  AnswerRecord,
  AppDatabase,
  EngineCallRecord,
  RunRecord,
  RunTotals,
} from '../db/database';
import { SplitStore } from '../dataset/store';
import type { Engine, Timings } from '../engines/types';
import { extractAnswer, extractExplanation } from './extract';
import { buildIcpAnswerPrompt, buildIcpSeedPrompt, buildPrompt, selectShots } from './prompts';
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
  const total = run.questionIds.length;
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
 * each answer stored with the run's totals in one transaction the moment it is produced.
 * Lives in the engine worker, next to the engine it calls.
 */
export class Runner {
  private readonly stops = new Map<string, 'pause' | 'cancel'>();
  private readonly store: SplitStore;

  constructor(
    private readonly db: AppDatabase,
    private readonly engine: () => Engine | null,
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
      questionIds: kept.map((q) => q.id),
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
    await this.db.transaction('rw', this.db.runs, async () => {
      if (!(await this.db.runs.get(runId))) await this.db.runs.add(run);
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
    run = await this.update(runId, (r) => {
      r.status = 'running';
      r.model = description.model;
      r.device = `${description.backend}: ${description.device}`;
      r.error = null;
    });
    onProgress(progressOf(run));

    for (const qid of run.questionIds) {
      if (answered.has(qid)) continue;
      const stop = this.stops.get(runId);
      if (stop) {
        this.stops.delete(runId);
        const status = stop === 'pause' ? 'paused' : 'cancelled';
        onProgress(progressOf(await this.setStatus(runId, status)));
        return status;
      }
      const q = questions.get(qid);
      if (!q) {
        await this.setStatus(runId, 'error', `Question ${qid} is no longer in the split.`);
        return 'error';
      }
      const started = performance.now();
      const record = await this.answerWithRetry(engine, runId, spec, q, shots);
      const elapsed = performance.now() - started;
      record.latencyMs = elapsed;
      // This worker holds the run's lock, so its in-memory record is the truth: no read back.
      addToTotals(run.totals, record);
      run.activeMs += elapsed;
      run.updatedAt = new Date().toISOString();
      const snapshot = run;
      await this.db.transaction('rw', this.db.answers, this.db.runs, async () => {
        await this.db.answers.put(record);
        await this.db.runs.put(snapshot);
      });
      onProgress(progressOf(run));
    }
    const done = await this.setStatus(runId, 'done');
    onProgress(progressOf(done));
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

  private async answer(
    engine: Engine,
    runId: string,
    spec: RunSpec,
    q: EvalQuestion,
    shots: EvalQuestion[],
  ): Promise<AnswerRecord> {
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
    const base = blankAnswer(runId, q);

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
      return finish(base, calls, prompt, prediction, 'parsed', 'choice', '', r.probs);
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
      return finish(
        base,
        calls,
        prompt,
        letters,
        letters ? 'parsed' : 'unparsed',
        'constrained',
        '',
        null,
      );
    }
    const extracted = extractAnswer(g.text, q, spec.extraction);
    return finish(
      base,
      calls,
      prompt,
      extracted.answer,
      extracted.status,
      extracted.rule,
      extractExplanation(g.text),
      null,
    );
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

function finish(
  base: AnswerRecord,
  calls: EngineCallRecord[],
  prompt: BuiltPrompt,
  prediction: string,
  status: 'parsed' | 'unparsed',
  rule: string | null,
  explanation: string,
  optionProbs: Record<string, number> | null,
): AnswerRecord {
  return {
    ...base,
    calls,
    promptHash: calls.map((c) => c.templateHash).join('+') || prompt.templateHash,
    raw: calls[calls.length - 1].raw,
    prediction,
    status,
    extractionRule: rule,
    correct: status === 'parsed' && prediction === base.gold && base.gold !== '',
    optionProbs,
    explanation,
    promptTokens: calls.reduce((n, c) => n + c.promptTokens, 0),
    completionTokens: calls.reduce((n, c) => n + c.completionTokens, 0),
  };
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
