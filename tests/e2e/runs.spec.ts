import { expect, test, type Page } from '@playwright/test';
import { MIRROR } from './helpers';

// Runs answer real questions with the real (tiny) model: minutes, not seconds, on 2 cores.
test.describe.configure({ timeout: 300_000 });

const base = `dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}&model=demo:tiny-random&engine=wllama`;
const link = (params: string) => `/?${base}&${params}&autostart=1`;
const runStatus = (page: Page) => page.getByTestId('run-status');

async function expectRunDone(page: Page, total: number): Promise<string> {
  await expect(runStatus(page)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(runStatus(page)).toHaveAttribute('data-done', String(total));
  await expect(runStatus(page)).toHaveAttribute('data-total', String(total));
  return (await runStatus(page).getAttribute('data-run-id'))!;
}

interface StoredAnswer {
  questionId: string;
  prediction: string;
  status: string;
  raw: string;
  optionProbs: Record<string, number> | null;
  calls: { kind: string; raw: string }[];
  explanation: string;
}

/** Answers of a run, read straight from IndexedDB. */
async function answersOf(page: Page, runId: string): Promise<StoredAnswer[]> {
  return page.evaluate(async (runId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const rows = await new Promise<StoredAnswer[]>((resolve, reject) => {
      const req = db
        .transaction('answers')
        .objectStore('answers')
        .index('runId')
        .getAll(IDBKeyRange.only(runId));
      req.onsuccess = () => resolve(req.result as StoredAnswer[]);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return rows;
  }, runId);
}

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

test('reloading mid-run resumes to exactly 40 unique answers; a second tab does not drive it', async ({
  page,
  context,
}) => {
  const url = link('n=40&method=choice&prompt=zero-shot&seed=7');
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

  await page.reload();
  const runId = await expectRunDone(page, 40);
  const answers = await answersOf(page, runId);
  expect(answers).toHaveLength(40);
  expect(new Set(answers.map((a) => a.questionId)).size).toBe(40);
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
  await page.getByTestId('run-n').fill('12');
  await page.getByTestId('run-seed').fill('5');
  await page.getByTestId('run-start').click();
  await expect
    .poll(async () => Number(await runStatus(page).getAttribute('data-done')), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(2);
  await page.getByTestId('run-pause').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'paused');
  const pausedAt = Number(await runStatus(page).getAttribute('data-done'));
  expect(pausedAt).toBeLessThan(12);
  await page.getByTestId('run-resume').click();
  const runId = await expectRunDone(page, 12);
  expect(await answersOf(page, runId)).toHaveLength(12);
  await expect(page.getByTestId('run-progress')).toContainText('accuracy');
  await expect(page.getByTestId('recent-answers')).toBeVisible();
});
