import { expect, test } from '@playwright/test';
import {
  answersOf,
  expectRunDone,
  link,
  MIRROR,
  runRecordOf,
  runStatus,
  totalsOfAnswers,
  type StoredRun,
} from './helpers';

// Runs answer real questions with the real (tiny) model: minutes, not seconds, on 2 cores.
test.describe.configure({ timeout: 300_000 });

test('a 40-question choice run started from a link stores 40 answers with probabilities summing to 1', async ({
  page,
}) => {
  await page.goto(link('n=40&method=choice&prompt=zero-shot'));
  const runId = await expectRunDone(page, 40);
  const answers = await answersOf(page, runId);
  expect(answers).toHaveLength(40);
  expect(new Set(answers.map((a) => a.questionId)).size).toBe(40);
  for (const a of answers) {
    const sum = Object.values(a.optionProbs ?? {}).reduce((x, y) => x + y, 0);
    expect(sum).toBeCloseTo(1, 9);
    expect(a.prediction).toMatch(/^[A-E]$/);
  }
});

// 300 questions: the demo model answers ~15 a second here, so 40 could finish before the second
// tab had loaded, and then nothing was mid-run.
const RESUME_N = 300;

test('reloading mid-run resumes to exactly 300 unique answers; a second tab does not drive it', async ({
  page,
  context,
}) => {
  const url = link(`n=${RESUME_N}&method=choice&prompt=zero-shot&seed=7`);
  await page.goto(url);
  await expect
    .poll(async () => Number(await runStatus(page).getAttribute('data-done')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(5);
  // A second tab opening the same link watches the run instead of starting a second runner.
  const second = await context.newPage();
  await second.goto(url);
  await expect(second.getByTestId('run-row').first()).toContainText('another tab', {
    timeout: 60_000,
  });
  await second.close();

  expect(Number(await runStatus(page).getAttribute('data-done'))).toBeLessThan(RESUME_N);
  await page.reload();
  const runId = await expectRunDone(page, RESUME_N);
  const answers = await answersOf(page, runId);
  expect(answers).toHaveLength(RESUME_N);
  expect(new Set(answers.map((a) => a.questionId)).size).toBe(RESUME_N);
  expect((await runRecordOf(page, runId)).totals).toMatchObject(totalsOfAnswers(answers));
});

test('the same spec run twice gives identical predictions, and shards 1/2 + 2/2 cover it exactly once', async ({
  browser,
}) => {
  const predictions: string[][] = [];
  const ids: string[][] = [];
  for (let i = 0; i < 2; i++) {
    // A fresh browser profile each time: nothing is reused but the spec.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link('n=20&subset=random&seed=3&method=choice&prompt=zero-shot'));
    const answers = await answersOf(page, await expectRunDone(page, 20));
    answers.sort((a, b) => a.questionId.localeCompare(b.questionId));
    predictions.push(answers.map((a) => `${a.questionId}=${a.prediction}`));
    ids.push(answers.map((a) => a.questionId));
    if (i === 1) {
      const shards: string[][] = [];
      for (const shard of ['1/2', '2/2']) {
        await page.goto(
          link(`n=20&subset=random&seed=3&method=choice&prompt=zero-shot&shard=${shard}`),
        );
        await expect(runStatus(page)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
        const runId = (await runStatus(page).getAttribute('data-run-id'))!;
        shards.push((await answersOf(page, runId)).map((a) => a.questionId));
      }
      const union = [...shards[0], ...shards[1]].sort();
      expect(new Set(union).size).toBe(union.length);
      expect(union).toEqual([...ids[1]].sort());
      expect(shards[0].length).toBeGreaterThan(0);
      expect(shards[1].length).toBeGreaterThan(0);
    }
    await context.close();
  }
  expect(predictions[1]).toEqual(predictions[0]);
});

test('a generate run stores raw outputs and extractions; an ICP run stores both calls', async ({
  page,
}) => {
  await page.goto(link('n=3&method=generate&prompt=zero-shot&max_tokens=16'));
  const gen = await answersOf(page, await expectRunDone(page, 3));
  for (const a of gen) {
    expect(a.calls).toHaveLength(1);
    expect(a.raw.length).toBeGreaterThan(0);
    expect(['parsed', 'unparsed']).toContain(a.status);
    if (a.status === 'unparsed') expect(a.prediction).toBe('');
  }

  await page.goto(link('n=3&method=choice&prompt=icp'));
  const icp = await answersOf(page, await expectRunDone(page, 3));
  for (const a of icp) {
    expect(a.calls.map((c) => c.kind)).toEqual(['seeds', 'answer']);
    expect(a.calls[0].raw.length).toBeGreaterThan(0);
    expect(a.optionProbs).not.toBeNull();
  }
});

test('a run survives its engine worker crashing: the worker is recreated and the run continues', async ({
  page,
}) => {
  await page.goto(link('n=15&method=choice&prompt=zero-shot&seed=11'));
  await expect
    .poll(async () => Number(await runStatus(page).getAttribute('data-done')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(3);
  const worker = page.workers().find((w) => w.url().includes('engine'));
  await worker!.evaluate(() => self.close()).catch(() => {});
  const runId = await expectRunDone(page, 15);
  const answers = await answersOf(page, runId);
  expect(answers).toHaveLength(15);
  expect(answers.filter((a) => a.status === 'error')).toHaveLength(0);
  expect((await runRecordOf(page, runId)).totals).toMatchObject(totalsOfAnswers(answers));
});

test('a run record behind its answers (the tab closed between the two writes) is rebuilt from the answers on resume', async ({
  page,
}) => {
  // 40 questions: the page shows progress up to a second late, and the pause must land mid-run.
  await page.goto(link('n=40&method=choice&prompt=zero-shot&seed=13'));
  await expect
    .poll(async () => Number(await runStatus(page).getAttribute('data-done')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(3);
  await page.getByTestId('run-pause').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'paused');
  const runId = (await runStatus(page).getAttribute('data-run-id'))!;
  const before = await answersOf(page, runId);
  expect(before.length).toBeGreaterThanOrEqual(3);
  // The record is written at most twice a second, after its answers: a tab closed in between
  // leaves it counting fewer answers than are stored, still marked running.
  await page.evaluate(async (runId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const store = db.transaction('runs', 'readwrite').objectStore('runs');
    await new Promise<void>((resolve, reject) => {
      const get = store.get(runId);
      get.onsuccess = () => {
        const run = get.result as StoredRun;
        run.status = 'running';
        run.totals = { ...run.totals, done: 1, correct: 0, parsed: 1, errors: 0, promptTokens: 5 };
        const put = store.put(run);
        put.onsuccess = () => resolve();
        put.onerror = () => reject(put.error);
      };
      get.onerror = () => reject(get.error);
    });
    db.close();
  }, runId);

  await page.reload();
  await expectRunDone(page, 40);
  const answers = await answersOf(page, runId);
  expect(answers).toHaveLength(40);
  expect(new Set(answers.map((a) => a.questionId)).size).toBe(40);
  // Every answer stored before the pause was kept as it was, not asked again.
  const kept = new Map(answers.map((a) => [a.questionId, a.createdAt]));
  for (const a of before) expect(kept.get(a.questionId)).toBe(a.createdAt);
  expect((await runRecordOf(page, runId)).totals).toMatchObject(totalsOfAnswers(answers));
});

test('a run started from the Run step can be paused and resumed', async ({ page }) => {
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  await page.getByTestId('step-model').click();
  await page.getByTestId('load-demo').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  await page.getByTestId('step-run').click();
  // 40 questions: the page shows progress up to a second late, and the pause must land mid-run.
  await page.getByTestId('run-n').fill('40');
  await page.getByTestId('run-seed').fill('5');
  await page.getByTestId('run-start').click();
  await expect
    .poll(async () => Number(await runStatus(page).getAttribute('data-done')), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(2);
  await page.getByTestId('run-pause').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'paused');
  const pausedAt = Number(await runStatus(page).getAttribute('data-done'));
  expect(pausedAt).toBeLessThan(40);
  await page.getByTestId('run-resume').click();
  const runId = await expectRunDone(page, 40);
  expect(await answersOf(page, runId)).toHaveLength(40);
  await expect(page.getByTestId('run-progress')).toContainText('accuracy');
  await expect(page.getByTestId('recent-answers')).toBeVisible();
});

test('runs stored by the previous database version are kept: their question lists move out of the run record', async ({
  page,
}) => {
  // A database as version 3 of the app left it (Dexie stores version n as 10·n), with one run.
  await page.goto('/favicon.svg');
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval', 30);
      req.onupgradeneeded = () => {
        const d = req.result;
        d.createObjectStore('splits', { keyPath: 'id' });
        d.createObjectStore('imports', { keyPath: 'id' }).createIndex('splitId', 'splitId');
        d.createObjectStore('garbage', { keyPath: 'importId' });
        d.createObjectStore('questionChunks', { keyPath: ['importId', 'chunk'] });
        d.createObjectStore('models', { keyPath: 'id' });
        d.createObjectStore('runs', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
        d.createObjectStore('answers', { keyPath: ['runId', 'questionId'] }).createIndex(
          'runId',
          'runId',
        );
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const spec = {
      splitId: 'cmexam/val',
      subset: { filters: {}, mode: 'first', n: 2, stratifyBy: null, shard: { index: 1, count: 1 } },
      model: 'demo:tiny-random',
      engine: 'wllama',
      method: 'choice',
      prompt: 'zero-shot',
      k: 0,
      shotsSplitId: null,
      multiAnswer: 'skip',
      extraction: 'layered',
      generation: { maxTokens: 256, temperature: 0 },
      seed: 0,
    };
    const totals = {
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
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('runs', 'readwrite');
      tx.objectStore('runs').put({
        id: 'old-run',
        spec,
        status: 'paused',
        questionIds: ['cmexam/val/0', 'cmexam/val/1'],
        skipped: 0,
        totals,
        model: null,
        device: null,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        activeMs: 0,
        error: null,
      });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  });
  await page.goto('/#run');
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-row')).toContainText('0 / 2');
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const get = (store: string, key: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = db.transaction(store).objectStore(store).get(key);
        req.onsuccess = () => resolve(req.result as Record<string, unknown>);
        req.onerror = () => reject(req.error);
      });
    const out = { run: await get('runs', 'old-run'), ids: await get('runQuestions', 'old-run') };
    db.close();
    return out;
  });
  expect(stored.run.total).toBe(2);
  expect(stored.run.questionIds).toBeUndefined();
  expect(stored.ids.questionIds).toEqual(['cmexam/val/0', 'cmexam/val/1']);
});
