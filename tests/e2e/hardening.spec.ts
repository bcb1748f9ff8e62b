import { expect, test, type Page } from '@playwright/test';
import {
  answersOf,
  DATA,
  expectRunDone,
  link,
  MIRROR,
  readDb,
  runRecordOf,
  runStatus,
  totalsOfAnswers,
} from './helpers';
import { mulberry32 } from '../../src/lib/random';

// Runs that never hang, never mix models and never drift from their questions, with the real
// app, the real wllama engine and the real IndexedDB. The synthetic train split served by the
// data server has 68,119 rows (as many as all of CMExam).
test.describe.configure({ timeout: 300_000 });

const TRAIN_ROWS = 68_119;

async function openWithVal(page: Page): Promise<void> {
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  // The mirror is remembered for later imports (the missing-split button uses it).
  await page.evaluate((m) => localStorage.setItem('cmexam.mirror', m), MIRROR);
}

async function loadDemo(page: Page): Promise<void> {
  await page.getByTestId('step-model').click();
  await page.getByTestId('load-demo').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
}

test('regression: few-shot from the form without its examples split stops with the reason and a way out, then runs few-shot', async ({
  page,
}) => {
  await openWithVal(page);
  await page.reload(); // the remembered mirror is read at start-up
  await loadDemo(page);
  await page.getByTestId('step-run').click();
  await page.getByTestId('run-n').fill('6');
  await page.getByTestId('run-prompt').selectOption('few-shot');
  await page.getByTestId('run-k').fill('2');
  await expect(page.getByTestId('run-shots')).toHaveValue('cmexam/train');
  await page.getByTestId('run-start').click();
  // It used to show "0 / 6 · running here" forever while the worker was asked again and again.
  await expect(runStatus(page)).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('run-error')).toContainText('cmexam/train is not stored');
  await expect(runStatus(page)).toHaveAttribute('data-done', '0');
  // Nothing is retried behind the page: the status stays as it is.
  await page.waitForTimeout(1500);
  await expect(runStatus(page)).toHaveAttribute('data-status', 'error');

  // The way out: import the named split, then resume.
  await page.getByTestId('run-import-split').click();
  await expect
    .poll(async () => (await readDb(page)).splits.find((s) => s.id === 'cmexam/train')?.rows, {
      timeout: 120_000,
    })
    .toBe(TRAIN_ROWS);
  await page.getByTestId('run-resume').click();
  const runId = await expectRunDone(page, 6);
  const answers = await answersOf(page, runId);
  expect(answers).toHaveLength(6);
  // Every prompt holds its two examples (from the synthetic train split) before the question.
  for (const a of answers) {
    expect(JSON.stringify(a.calls).match(/训练合成题\d+/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  }
});

test('regression: resuming with another model loaded loads the run’s own model; one run holds one model', async ({
  page,
}) => {
  await page.goto(link('n=40&method=choice&prompt=zero-shot&seed=21'));
  await expect
    .poll(async () => Number(await runStatus(page).getAttribute('data-done')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(3);
  await page.getByTestId('run-pause').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'paused');
  const runId = (await runStatus(page).getAttribute('data-run-id'))!;

  // Another model: the same tiny weights, but another file, hence another model.
  await page.getByTestId('step-model').click();
  await page.getByTestId('gguf-url').fill(`${DATA}/models/tiny.gguf`);
  await page.getByTestId('gguf-add').click();
  await page.getByTestId('model-user').getByTestId('load-user').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-model', 'tiny.gguf', {
    timeout: 60_000,
  });
  await page.getByTestId('step-run').click();
  await page.getByTestId('run-resume').click();
  await expectRunDone(page, 40);
  await page.getByTestId('step-model').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute(
    'data-model',
    'Demo: tiny random model (CPU)',
  );
  const answers = (await answersOf(page, runId)) as unknown as { model?: string }[];
  expect(answers).toHaveLength(40);
  expect(new Set(answers.map((a) => a.model))).toEqual(new Set(['demo:tiny-random']));
});

test('fault injection: a 200-question run survives 10 closed tabs and killed engine workers', async ({
  context,
}) => {
  const random = mulberry32(2026);
  const url = link('n=200&method=choice&prompt=zero-shot&seed=99');
  let page = await context.newPage();
  await page.goto(url);
  const done = async () => Number(await runStatus(page).getAttribute('data-done'));
  await expect.poll(done, { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  const runId = (await runStatus(page).getAttribute('data-run-id'))!;
  const kinds = ['kill-worker', 'close-tab', 'pause-then-kill', 'pause-then-close'] as const;
  const survived: string[] = [];
  for (let i = 0; i < 10; i++) {
    const kind = kinds[Math.floor(random() * kinds.length)];
    const before = await done();
    if (before >= 200) break;
    // A seeded moment: between 0 and 600 ms into answering (mid-answer, mid-write).
    await page.waitForTimeout(Math.floor(random() * 600));
    if (kind.startsWith('pause')) {
      await page.getByTestId('run-pause').click();
      await page.waitForTimeout(Math.floor(random() * 200)); // mid-pause
    }
    if (kind.endsWith('kill') || kind === 'kill-worker') {
      const worker = page.workers().find((w) => w.url().includes('engine'));
      await worker?.evaluate(() => self.close()).catch(() => {});
      if (kind === 'pause-then-kill') {
        // Paused: nothing restarts it but the person; the worker comes back with the model.
        await expect(runStatus(page)).toHaveAttribute('data-status', 'paused', { timeout: 60_000 });
        await expect(page.getByTestId('run-resume')).toBeEnabled({ timeout: 60_000 });
        await page.getByTestId('run-resume').click();
      }
    } else {
      await page.close();
      page = await context.newPage();
      // The link (autostart=1) takes the run up again, paused or not.
      await page.goto(url);
    }
    // Going again: wait for new answers before the next fault.
    await expect
      .poll(
        async () =>
          (await runStatus(page).getAttribute('data-status')) === 'done' || (await done()) > before,
        {
          timeout: 120_000,
        },
      )
      .toBe(true);
    survived.push(`${i + 1}. ${kind} at ${before} answers`);
  }
  await expectRunDone(page, 200);
  console.log(`faults survived (${survived.length}):\n  ${survived.join('\n  ')}`);
  expect(survived.length).toBeGreaterThanOrEqual(8);

  const answers = await answersOf(page, runId);
  const order = await page.evaluate(async (runId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const ids = await new Promise<string[]>((resolve, reject) => {
      const req = db.transaction('runQuestions').objectStore('runQuestions').get(runId);
      req.onsuccess = () => resolve((req.result as { questionIds: string[] }).questionIds);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return ids;
  }, runId);
  // Exactly the run's questions, each once, all from the run's model, none an error.
  expect(order).toHaveLength(200);
  expect(answers.map((a) => a.questionId).sort()).toEqual([...order].sort());
  expect(answers.filter((a) => a.status === 'error')).toHaveLength(0);
  const models = new Set((answers as unknown as { model?: string }[]).map((a) => a.model));
  expect(models).toEqual(new Set(['demo:tiny-random']));
  expect((await runRecordOf(page, runId)).totals).toMatchObject(totalsOfAnswers(answers));
});

test('fault injection: a 68,119-row import killed at random moments is complete or absent after each restart', async ({
  page,
}) => {
  const random = mulberry32(7);
  const importLink = `/?dataset=cmexam&split=train&mirror=${encodeURIComponent(MIRROR)}`;
  const trainState = async () => {
    const db = await readDb(page, true);
    const split = db.splits.find((s) => s.id === 'cmexam/train');
    const rows = db.questionIds.filter((id) => id.startsWith('cmexam/train/')).length;
    return {
      stored: split?.rows ?? 0,
      rows,
      imports: db.imports,
      orphans: db.questionIds.filter((id) => id.startsWith('?')).length,
    };
  };
  const outcomes: string[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(importLink);
    // A seeded moment of the import: once it has read a random share of the rows.
    const target = 1 + Math.floor(random() * TRAIN_ROWS);
    const hook = page.getByTestId('dataset-status');
    await expect
      .poll(
        async () =>
          Number(await hook.getAttribute('data-progress-rows')) >= target ||
          (await hook.getAttribute('data-status')) === 'ready',
        { timeout: 60_000, intervals: [20] },
      )
      .toBe(true);
    const worker = page.workers().find((w) => w.url().includes('dataset'));
    await worker?.evaluate(() => self.close()).catch(() => {});
    // The page notices the dead worker: the import fails with a message, unless it had ended.
    await expect(hook).toHaveAttribute('data-status', /error|ready/, { timeout: 30_000 });
    const status = await hook.getAttribute('data-status');
    if (status === 'error') {
      await expect(page.getByTestId('import-error')).toHaveAttribute('data-code', 'crashed');
    }
    // Restarted (a new page, as after a crash): what is stored is the whole split or nothing.
    await page.goto('/favicon.svg');
    await page.goto('/');
    await expect.poll(async () => (await trainState()).imports, { timeout: 30_000 }).toBe(0);
    const state = await trainState();
    expect(state.orphans).toBe(0);
    if (state.stored) {
      expect(state).toMatchObject({ stored: TRAIN_ROWS, rows: TRAIN_ROWS });
      outcomes.push(`${i + 1}. complete (killed after ${target} rows, ${status})`);
      break; // it finished before the kill; nothing more to interrupt
    }
    expect(state.rows).toBe(0);
    outcomes.push(`${i + 1}. absent (killed after ${target} rows)`);
  }
  // Once left alone, the import completes.
  await page.goto(importLink);
  await expect(page.getByTestId('dataset-status')).toHaveAttribute(
    'data-rows',
    String(TRAIN_ROWS),
    {
      timeout: 120_000,
    },
  );
  expect(await trainState()).toMatchObject({ stored: TRAIN_ROWS, rows: TRAIN_ROWS, imports: 0 });
  console.log(`import kills: ${outcomes.join('; ')}`);
});
