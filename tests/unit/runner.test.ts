// The run loop (src/lib/eval/runner.ts) on an in-memory IndexedDB with a scripted engine: what
// a drive promises when things go wrong. Each `regression` test failed before its fix (see
// issue 10); the counts are worked out by hand in each test.
import { describe, expect, it } from 'vitest';
import { freshDb, ScriptedEngine, storeSplit, syntheticRows } from './support/db';
import type { AppDatabase, RunRecord } from '../../src/lib/db/database';
import { refOfModelSpec, type ModelRef } from '../../src/lib/engines/model-ref';
import { MAX_CONSECUTIVE_ERRORS, Runner } from '../../src/lib/eval/runner';
import { progressOf } from '../../src/lib/eval/progress';
import { canonicalSpec, defaultSpec, runIdFor } from '../../src/lib/eval/spec';
import type { RunSpec } from '../../src/lib/eval/types';
import { SplitStore } from '../../src/lib/dataset/store';

const DEMO: ModelRef = { kind: 'demo', engine: 'wllama', model: 'demo:tiny-random' };
const OTHER: ModelRef = {
  kind: 'gguf',
  engine: 'wllama',
  model: 'https://example.org/other-model.gguf',
};

function spec(over: Partial<RunSpec> = {}, subset: Partial<RunSpec['subset']> = {}): RunSpec {
  const base = defaultSpec('cmexam/val', 'demo:tiny-random', 'wllama');
  return canonicalSpec({ ...base, ...over, subset: { ...base.subset, ...subset } });
}

async function setup(
  opts: { rows?: number; ref?: ModelRef; engine?: ScriptedEngine; db?: AppDatabase } = {},
) {
  const db = opts.db ?? freshDb();
  if (!opts.db) await storeSplit(db, 'cmexam/val', syntheticRows(opts.rows ?? 10));
  const engine = opts.engine ?? new ScriptedEngine();
  const loaded = { engine, ref: opts.ref ?? DEMO };
  const runner = new Runner(db, () => loaded, db);
  return { db, engine, runner, loaded };
}

async function createAndDrive(runner: Runner, s: RunSpec) {
  const id = await runIdFor(s);
  await runner.create(id, s);
  const outcome = await runner.drive(id, () => {});
  return { id, outcome };
}

const runOf = async (db: AppDatabase, id: string) => (await db.runs.get(id)) as RunRecord;
const answersOf = (db: AppDatabase, id: string) => db.answers.where('runId').equals(id).toArray();

describe('a drive that cannot go on stops with a stored error instead of throwing', () => {
  it('regression: few-shot whose examples split is not stored names that split', async () => {
    const { db, runner, engine } = await setup();
    const s = spec({ prompt: 'few-shot', k: 2, shotsSplitId: 'cmexam/train' });
    const { id, outcome } = await createAndDrive(runner, s);
    expect(outcome).toBe('error');
    const run = await runOf(db, id);
    expect(run.status).toBe('error');
    expect(run.errorDetail).toEqual({ code: 'missing-split', splitId: 'cmexam/train' });
    expect(run.error).toContain('cmexam/train');
    expect(engine.calls).toBe(0);
    // Driving it again answers at once, the same way: nothing spins.
    expect(await runner.drive(id, () => {})).toBe('error');
    expect(engine.calls).toBe(0);
  });

  it('regression: a run whose spec names no examples split (an older form) says so', async () => {
    const { db, runner } = await setup();
    const s = spec({ prompt: 'few-shot', k: 2, shotsSplitId: 'cmexam/train' });
    const id = await runIdFor(s);
    await runner.create(id, s);
    const run = await runOf(db, id);
    await db.runs.put({ ...run, spec: { ...run.spec, shotsSplitId: null } });
    expect(await runner.drive(id, () => {})).toBe('error');
    expect((await runOf(db, id)).errorDetail?.code).toBe('missing-split');
  });

  it('once the examples split is imported, the same run goes on with them', async () => {
    const { db, runner, engine } = await setup({ rows: 4 });
    const s = spec({ prompt: 'few-shot', k: 2, shotsSplitId: 'cmexam/train' });
    const { id } = await createAndDrive(runner, s);
    await storeSplit(db, 'cmexam/train', syntheticRows(6, { text: (i) => `示例题${i}` }));
    expect(await runner.drive(id, () => {})).toBe('done');
    expect(engine.asked).toEqual(['合成题0', '合成题1', '合成题2', '合成题3']);
    const answers = await answersOf(db, id);
    // Each prompt carries the 2 examples before the question.
    expect(answers[0].calls[0].messages.map((m) => m.content).join()).toMatch(/示例题.*示例题/s);
    expect((await runOf(db, id)).shotsSha256).toBe('sha-of-cmexam/train-6');
  });

  it('regression: a split deleted under a paused run stops it, naming the split', async () => {
    const { db, runner } = await setup();
    const s = spec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    await new SplitStore(db).deleteSplit('cmexam/val');
    expect(await runner.drive(id, () => {})).toBe('error');
    expect((await runOf(db, id)).errorDetail).toEqual({
      code: 'missing-split',
      splitId: 'cmexam/val',
    });
  });

  it('regression: a failed answer write stops the run; what was stored before is kept', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(10));
    const engine = new ScriptedEngine();
    let writes = 0;
    // The answers' connection fails from its second write on (a full disk, a closed database).
    const failing = {
      answers: {
        put: (a: unknown) =>
          ++writes > 1
            ? Promise.reject(new Error('QuotaExceededError'))
            : db.answers.put(a as never),
        bulkPut: (a: unknown[]) =>
          ++writes > 1
            ? Promise.reject(new Error('QuotaExceededError'))
            : db.answers.bulkPut(a as never),
      },
    } as unknown as AppDatabase;
    const runner = new Runner(db, () => ({ engine, ref: DEMO }), failing);
    const { id, outcome } = await createAndDrive(runner, spec());
    expect(outcome).toBe('error');
    const run = await runOf(db, id);
    expect(run.errorDetail?.code).toBe('write-failed');
    expect(run.error).toContain('QuotaExceededError');
    // The first write stored the first answer (at once: no write was recent); the second,
    // holding the answers that came within the next 250 ms, failed.
    const stored = await answersOf(db, id);
    expect(stored.length).toBeGreaterThanOrEqual(1);
    expect(stored.length).toBeLessThan(10);
    // Resumed on a working connection, it finishes with each question once.
    const healthy = new Runner(db, () => ({ engine, ref: DEMO }), db);
    expect(await healthy.drive(id, () => {})).toBe('done');
    expect(new Set((await answersOf(db, id)).map((a) => a.questionId)).size).toBe(10);
  });

  it('regression: an imported run whose split is absent is read-only', async () => {
    const { db, runner } = await setup();
    const s = spec();
    const { id } = await createAndDrive(runner, s);
    const run = await runOf(db, id);
    await db.runs.put({
      ...run,
      status: 'paused',
      origin: { kind: 'imported', sources: ['results.json'], at: '' },
    });
    await new SplitStore(db).deleteSplit('cmexam/val');
    expect(await runner.drive(id, () => {})).toBe('error');
    const after = await runOf(db, id);
    expect(after.errorDetail?.code).toBe('read-only');
    expect(after.error).toContain('results.json');
  });
});

describe('one run, one model', () => {
  it('regression: another loaded model is refused, naming the run’s own; nothing is answered', async () => {
    const { db, runner, engine } = await setup({ ref: OTHER });
    const { id, outcome } = await createAndDrive(runner, spec());
    expect(outcome).toBe('error');
    const run = await runOf(db, id);
    expect(run.errorDetail).toEqual({ code: 'model-mismatch', model: 'demo:tiny-random' });
    expect(run.error).toContain('demo:tiny-random');
    expect(run.model).toBeNull();
    expect(engine.calls).toBe(0);
    expect(await answersOf(db, id)).toHaveLength(0);
  });

  it('every answer records the model that gave it, the run’s own', async () => {
    const { db, runner } = await setup({ rows: 3 });
    const { id } = await createAndDrive(runner, spec());
    expect((await answersOf(db, id)).map((a) => a.model)).toEqual([
      'demo:tiny-random',
      'demo:tiny-random',
      'demo:tiny-random',
    ]);
  });

  it('a GGUF model loaded from the Model step is the same model as its URL in a link', () => {
    const url = 'https://example.org/m/model-Q4_K_M.gguf';
    const fromRecord = refOfModelSpec({
      backend: 'wllama',
      id: 'gguf:model-Q4_K_M.gguf',
      url,
      label: 'model',
    });
    expect(fromRecord).toEqual({ kind: 'gguf', engine: 'wllama', model: url });
  });
});

describe('errors are not answers', () => {
  it(`regression: after ${MAX_CONSECUTIVE_ERRORS} failed questions in a row the run stops; resume asks them again`, async () => {
    const engine = new ScriptedEngine();
    const { db, runner } = await setup({ engine });
    // Calls 1–4 answer questions 0–3; from call 5 on every call fails (a lost device). Each
    // failed question is tried twice: questions 4, 5, 6 take calls 5–10, then the run stops.
    let broken = true;
    engine.fail = (call) => broken && call >= 5;
    const { id, outcome } = await createAndDrive(runner, spec());
    expect(outcome).toBe('error');
    expect(engine.calls).toBe(4 + 2 * MAX_CONSECUTIVE_ERRORS);
    let run = await runOf(db, id);
    expect(run.errorDetail?.code).toBe('engine-errors');
    expect(run.error).toContain('3 questions in a row');
    expect(run.totals).toMatchObject({ done: 4, errors: 3 });
    expect(progressOf(run).done).toBe(4);
    const errored = (await answersOf(db, id)).filter((a) => a.status === 'error');
    expect(errored.map((a) => a.questionId)).toEqual([
      'cmexam/val/4',
      'cmexam/val/5',
      'cmexam/val/6',
    ]);

    broken = false;
    expect(await runner.drive(id, () => {})).toBe('done');
    run = await runOf(db, id);
    expect(run.totals).toMatchObject({ done: 10, errors: 0 });
    const answers = await answersOf(db, id);
    expect(answers).toHaveLength(10);
    const retried = answers.filter((a) => a.errorHistory);
    // The three errored questions were asked again and remember what failed before.
    expect(retried.map((a) => a.questionId)).toEqual([
      'cmexam/val/4',
      'cmexam/val/5',
      'cmexam/val/6',
    ]);
    for (const a of retried) {
      expect(a.status).toBe('parsed');
      expect(a.errorHistory).toHaveLength(1);
      expect(a.errorHistory![0].error).toContain('scripted failure');
    }
  });

  it('an isolated failed question leaves the run unfinished, not done, and is asked again', async () => {
    const engine = new ScriptedEngine();
    const { db, runner } = await setup({ engine, rows: 5 });
    let failing = true;
    engine.fail = (_call, prompt) => failing && prompt.includes('合成题2');
    const { id, outcome } = await createAndDrive(runner, spec());
    expect(outcome).toBe('error');
    const run = await runOf(db, id);
    expect(run.totals).toMatchObject({ done: 4, errors: 1 });
    expect(run.error).toContain('1 question failed');
    failing = false;
    expect(await runner.drive(id, () => {})).toBe('done');
    expect((await runOf(db, id)).totals).toMatchObject({ done: 5, errors: 0 });
  });
});

describe('a run is pinned to its questions', () => {
  it('regression: after a re-import with other content the run is not driven on it', async () => {
    const { db, runner, engine } = await setup({ rows: 6 });
    const s = spec({}, { mode: 'first', n: 6 });
    const { id } = await createAndDrive(runner, s);
    expect((await runOf(db, id)).splitSha256).toBe('sha-of-cmexam/val-6');
    const calls = engine.calls;
    const changed = syntheticRows(6, {
      text: (i) => (i === 2 ? '合成题2：改过的题' : `合成题${i}：下列哪项正确`),
    });
    await storeSplit(db, 'cmexam/val', changed, 'sha-of-the-new-file');
    await db.runs.update(id, { status: 'paused' });
    expect(await runner.drive(id, () => {})).toBe('error');
    const run = await runOf(db, id);
    expect(run.errorDetail?.code).toBe('stale');
    expect(run.error).toContain('re-imported with different content');
    expect(engine.calls).toBe(calls);
    // The same spec keeps its id: it is the same run, shown as stale.
    expect(await runIdFor(s)).toBe(id);
    expect(await runner.create(id, s)).toMatchObject({ id, splitSha256: 'sha-of-cmexam/val-6' });
  });

  it('records a fingerprint per question, in question order', async () => {
    const { db, runner } = await setup({ rows: 4 });
    const { id } = await createAndDrive(runner, spec());
    const order = await db.runQuestions.get(id);
    expect(order?.questionIds).toEqual([
      'cmexam/val/0',
      'cmexam/val/1',
      'cmexam/val/2',
      'cmexam/val/3',
    ]);
    expect(order?.fingerprints).toHaveLength(4);
    expect(new Set(order?.fingerprints).size).toBe(4);
    for (const f of order!.fingerprints!) expect(f).toMatch(/^[0-9a-f]{8}$/);
  });

  it('regression: a question gone from the split is named, not dropped from the run', async () => {
    const { db, runner } = await setup({ rows: 4 });
    const s = spec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    const run = await runOf(db, id);
    delete run.splitSha256;
    await db.runs.put(run);
    const ids = (await db.runQuestions.get(id))!.questionIds;
    await db.runQuestions.put({ runId: id, questionIds: [...ids.slice(0, 3), 'cmexam/val/99'] });
    expect(await runner.drive(id, () => {})).toBe('error');
    expect((await runOf(db, id)).error).toContain('cmexam/val/99');
    expect((await db.runQuestions.get(id))?.questionIds).toHaveLength(4);
  });

  it('a run from before pinning is pinned to the stored split when it next runs', async () => {
    const { db, runner } = await setup({ rows: 4 });
    const s = spec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    const run = await runOf(db, id);
    delete run.splitSha256;
    await db.runs.put(run);
    await db.runQuestions.put({
      runId: id,
      questionIds: (await db.runQuestions.get(id))!.questionIds,
    });
    expect(await runner.drive(id, () => {})).toBe('done');
    expect((await runOf(db, id)).splitSha256).toBe('sha-of-cmexam/val-4');
    expect((await db.runQuestions.get(id))?.fingerprints).toHaveLength(4);
  });
});

describe('imported runs', () => {
  it('regression: a partial imported run on the same content resumes to all its questions', async () => {
    const { db, runner } = await setup({ rows: 8 });
    const s = spec({}, { mode: 'first', n: 6 });
    const { id } = await createAndDrive(runner, s);
    // As a results file of a run stopped after 2 of its 6 questions imports it: only the two
    // answered questions are listed, and the total says 6.
    const answers = (await answersOf(db, id)).slice(0, 2);
    const run = await runOf(db, id);
    await db.replaceRun(
      {
        ...run,
        status: 'paused',
        totals: { ...run.totals, done: 2 },
        origin: { kind: 'imported', sources: ['partial.json'], at: '' },
      },
      answers.map((a) => a.questionId),
      answers,
    );
    expect(await runner.drive(id, () => {})).toBe('done');
    const after = await runOf(db, id);
    expect(after.total).toBe(6);
    expect(after.totals.done).toBe(6);
    expect((await answersOf(db, id)).map((a) => a.questionId).sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((r) => `cmexam/val/${r}`).sort(),
    );
  });
});

describe('counts that say what they count', () => {
  it('regression: skipped counts the multi-answer questions of the run’s own selection', async () => {
    // Rows 1 and 7 are multi-answer. "first 3" takes rows 0, 2, 3 (rows 1 is left out and
    // replaced): of the first 3 rows of the split, one (row 1) is multi-answer → 1 left out.
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(10, { multi: (i) => i === 1 || i === 7 }));
    const { runner } = await setup({ db });
    const first = spec({}, { mode: 'first', n: 3 });
    const firstRun = await runner.create(await runIdFor(first), first);
    expect(firstRun.skipped).toBe(1);
    expect((await db.runQuestions.get(firstRun.id))?.questionIds).toEqual([
      'cmexam/val/0',
      'cmexam/val/2',
      'cmexam/val/3',
    ]);
    // All questions: both multi-answer ones are left out.
    const all = spec();
    expect((await runner.create(await runIdFor(all), all)).skipped).toBe(2);
    // Constrained multi keeps them: nothing left out.
    const constrained = spec({ multiAnswer: 'constrained' }, { mode: 'first', n: 3 });
    expect((await runner.create(await runIdFor(constrained), constrained)).skipped).toBe(0);
  });

  it('regression: decode tokens/s averages only the calls that decoded', async () => {
    // choice: one-token calls, no decode rate → none shown (was an average of zeros).
    const { db, runner } = await setup({ rows: 3 });
    const { id } = await createAndDrive(runner, spec());
    const choice = progressOf(await runOf(db, id));
    expect(choice.decodeTps).toBeNull();
    expect(choice.prefillTps).toBe(200);
    // generate: 4 tokens at 40 tok/s each call → 40.
    const gen = spec({ method: 'generate' });
    const { id: genId } = await createAndDrive(runner, gen);
    expect(progressOf(await runOf(db, genId)).decodeTps).toBe(40);
  });
});

describe('pause and cancel', () => {
  it('regression: a pause stops at once, even during a question that never returns', async () => {
    const engine = new ScriptedEngine();
    const { db, runner } = await setup({ engine, rows: 10 });
    const s = spec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    // Call 3 never comes back (a lost device); the pause comes while it hangs.
    engine.gate = async () => {
      if (engine.calls === 3) {
        setTimeout(() => runner.pause(id), 10);
        await new Promise(() => {});
      }
    };
    expect(await runner.drive(id, () => {})).toBe('paused');
    const run = await runOf(db, id);
    expect(run.status).toBe('paused');
    // Questions 0 and 1 answered; question 2 was in flight and is asked again on resume.
    expect(run.totals.done).toBe(2);
    expect(await answersOf(db, id)).toHaveLength(2);
    engine.gate = null;
    expect(await runner.drive(id, () => {})).toBe('done');
    expect(await answersOf(db, id)).toHaveLength(10);
  });

  it('regression: a model loaded while a run answers stops it; no answer of the other model is stored', async () => {
    const engine = new ScriptedEngine();
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(10));
    const loaded = { engine, ref: DEMO as ModelRef };
    const runner = new Runner(db, () => loaded, db);
    const s = spec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    // During call 4, another model takes the engine's place.
    engine.gate = async () => {
      if (engine.calls === 4) loaded.ref = OTHER;
    };
    expect(await runner.drive(id, () => {})).toBe('error');
    const run = await runOf(db, id);
    expect(run.errorDetail?.code).toBe('model-mismatch');
    const answers = await answersOf(db, id);
    expect(answers).toHaveLength(3);
    expect(new Set(answers.map((a) => a.model))).toEqual(new Set(['demo:tiny-random']));
  });

  it('one run at a time per engine: a second drive is refused while one runs', async () => {
    const engine = new ScriptedEngine();
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(10));
    const runner = new Runner(db, () => ({ engine, ref: DEMO }), db);
    const a = spec();
    const b = spec({ seed: 1 }, { mode: 'random', n: 5 });
    const [ida, idb] = [await runIdFor(a), await runIdFor(b)];
    await runner.create(ida, a);
    await runner.create(idb, b);
    let second: Promise<unknown> | null = null;
    engine.gate = async () => {
      // Caught at once: the refusal comes while the first drive still runs.
      if (engine.calls === 2) second = runner.drive(idb, () => {}).catch((e: unknown) => e);
    };
    expect(await runner.drive(ida, () => {})).toBe('done');
    expect(String(await second)).toMatch(/Another run .* is running in this tab/);
    expect(runner.activeRun()).toBeNull();
  });

  it('a pause left from an earlier drive does not stop the next one', async () => {
    const { runner } = await setup({ rows: 3 });
    const s = spec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    runner.pause(id);
    expect(await runner.drive(id, () => {})).toBe('done');
  });

  it('stop() from the page records a pause unless another tab holds the run', async () => {
    const { db, runner } = await setup({ rows: 3 });
    const s = spec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    await runner.stop(id, 'paused');
    expect((await runOf(db, id)).status).toBe('paused');
    await navigator.locks.request(`cmexam-run:${id}`, async () => {
      await runner.stop(id, 'error', 'x');
    });
    expect((await runOf(db, id)).status).toBe('paused');
  });
});

describe('create', () => {
  it('refuses a spec that cannot run, listing the problems', async () => {
    const { runner } = await setup();
    const bad = { ...spec(), prompt: 'cot' as const };
    await expect(runner.create('x', bad)).rejects.toThrow(/Chain-of-thought/);
  });

  it('refuses a split that is not stored, naming it', async () => {
    const { runner } = await setup();
    const s = spec({ splitId: 'cmexam/test' });
    await expect(runner.create(await runIdFor(s), s)).rejects.toThrow(/cmexam\/test is not stored/);
  });
});
