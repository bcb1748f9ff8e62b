// The report worker's service (src/lib/report/service.ts) on an in-memory IndexedDB: runs made
// by the real run loop with a scripted engine, scored, filtered, exported and imported back.
import { describe, expect, it } from 'vitest';
import { freshDb, ScriptedEngine, storeSplit, syntheticRows } from './support/db';
import { Runner } from '../../src/lib/eval/runner';
import { canonicalSpec, defaultSpec, runIdFor } from '../../src/lib/eval/spec';
import { ReportService } from '../../src/lib/report/service';
import type { AppDatabase } from '../../src/lib/db/database';

const noJieba = () => Promise.reject(new Error('jieba is not needed here'));

async function runOn(db: AppDatabase, rows = 6) {
  const engine = new ScriptedEngine();
  // The engine picks the gold letter for even rows and B for odd ones.
  engine.letter = (prompt) => {
    const row = Number(/合成题(\d+)/.exec(prompt)?.[1]);
    return row % 2 === 0 ? 'ABCDE'[row % 5] : 'B';
  };
  const runner = new Runner(
    db,
    () => ({ engine, ref: { kind: 'demo', engine: 'wllama', model: 'demo:tiny-random' } }),
    db,
  );
  const spec = canonicalSpec({
    ...defaultSpec('cmexam/val', 'demo:tiny-random', 'wllama'),
    subset: {
      filters: {},
      mode: 'first',
      n: rows,
      stratifyBy: null,
      shard: { index: 1, count: 1 },
    },
  });
  const id = await runIdFor(spec);
  await runner.create(id, spec);
  await runner.drive(id, () => {});
  return id;
}

describe('ReportService', () => {
  it('scores a run: the accuracy is the matches counted by hand', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(6));
    const id = await runOn(db);
    const service = new ReportService(db, noJieba, 'test');
    const report = await service.report(id, 'cmexam-char');
    // Gold of row i is ABCDE[i % 5]: A B C D E A. Predicted: even rows gold (A, C, E), odd rows
    // B (right for row 1 only): rows 0, 1, 2, 4 are right → 4 / 6.
    expect(report.score.metrics.correct).toBe(4);
    expect(report.score.metrics.accuracy).toBeCloseTo(4 / 6, 12);
    expect(report.pin).toEqual({ state: 'current' });
    expect(report.changedQuestions).toBe(0);
  });

  it('the inspector filters by outcome and by annotation value in the worker', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(6));
    const id = await runOn(db);
    const service = new ReportService(db, noJieba, 'test');
    const wrong = await service.inspectorRows(id, 'wrong');
    expect(wrong.map((r) => r.row)).toEqual([3, 5]);
    // 'Disease Group' is 甲组 on even rows, 乙组 on odd ones.
    const odd = await service.inspectorRows(id, 'all', { column: 'Disease Group', value: '乙组' });
    expect(odd.map((r) => r.row)).toEqual([1, 3, 5]);
    const oddWrong = await service.inspectorRows(id, 'wrong', {
      column: 'Disease Group',
      value: '乙组',
    });
    expect(oddWrong.map((r) => r.row)).toEqual([3, 5]);
  });

  it('regression: after a re-import with other content, only answers to unchanged questions are scored', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(6));
    const id = await runOn(db);
    const service = new ReportService(db, noJieba, 'test');
    // Row 0 (answered right) now asks something else, with another gold answer.
    const changed = syntheticRows(6);
    changed[0] = { ...changed[0], question: '合成题0：换了题', answer: 'E' };
    await storeSplit(db, 'cmexam/val', changed, 'sha-of-the-new-file');
    const report = await service.report(id, 'cmexam-char');
    expect(report.pin.state).toBe('stale');
    expect(report.changedQuestions).toBe(1);
    // 5 answers left (rows 1–5), right: rows 1, 2, 4 → 3 / 5.
    expect(report.score.metrics.n).toBe(5);
    expect(report.score.metrics.correct).toBe(3);
    const rows = await service.inspectorRows(id, 'all');
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 4, 5]);
  });

  it('regression: a results file whose spec lacks fields is refused with each problem listed', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(4));
    const id = await runOn(db, 4);
    const service = new ReportService(db, noJieba, 'test');
    const file = JSON.parse(await service.exportResults(id, 'cmexam-char'));
    delete file.run.spec.method;
    delete file.run.spec.generation;
    const other = freshDb();
    await expect(
      new ReportService(other, noJieba, 'test').importResults(JSON.stringify(file), 'f.json'),
    ).rejects.toThrow(
      /run\.spec: "method" must be one of choice, generate, open, not missing\.[\s\S]*run\.spec: "generation" must be an object/,
    );
    expect(await other.runs.count()).toBe(0);
  });

  it('an imported run records the file its answers were made on, and is read-only elsewhere', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(4));
    const id = await runOn(db, 4);
    const text = await new ReportService(db, noJieba, 'test').exportResults(id, 'cmexam-char');
    const other = freshDb();
    const service = new ReportService(other, noJieba, 'test');
    await service.importResults(text, 'results.json');
    const run = await other.runs.get(id);
    expect(run?.splitSha256).toBe('sha-of-cmexam/val-4');
    expect(run?.origin?.kind).toBe('imported');
    // Its split is not stored here: it scores from the file's own facts all the same.
    const report = await service.report(id, 'cmexam-char');
    expect(report.pin.state).toBe('absent');
    expect(report.score.metrics.n).toBe(4);
    expect(report.missingFacts).toBe(0);
  });

  it('regression: importing a file again never wipes answers given here since', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(4));
    const id = await runOn(db, 4);
    const file = JSON.parse(
      await new ReportService(db, noJieba, 'test').exportResults(id, 'cmexam-char'),
    );
    // A partial file: 2 of the 4 answers; imported elsewhere, then resumed there.
    file.records = file.records.slice(0, 2);
    file.run.done = 2;
    const other = freshDb();
    const service = new ReportService(other, noJieba, 'test');
    await service.importResults(JSON.stringify(file), 'partial.json');
    const resumed = (await db.answers.where('runId').equals(id).toArray()).slice(2);
    await other.answers.bulkPut(resumed);
    await expect(service.importResults(JSON.stringify(file), 'partial.json')).rejects.toThrow(
      /2 answers here that the file lacks/,
    );
    expect(await other.answers.where('runId').equals(id).count()).toBe(4);
  });
});
