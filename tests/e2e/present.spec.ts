import { expect, test, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { answersOf, expectRunDone, link, MIRROR, runStatus } from './helpers';

test.describe.configure({ timeout: 240_000 });

const presenter = (page: Page) => page.getByTestId('presenter');

/** The run's question order, as the run stores it. */
async function questionOrder(page: Page, runId: string): Promise<string[]> {
  return page.evaluate(async (runId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const rec = await new Promise<{ questionIds: string[] }>((resolve, reject) => {
      const req = db.transaction('runQuestions').objectStore('runQuestions').get(runId);
      req.onsuccess = () => resolve(req.result as { questionIds: string[] });
      req.onerror = () => reject(req.error);
    });
    db.close();
    return rec.questionIds;
  }, runId);
}

/** Decode the QR code as drawn on screen (an independent decoder, jsQR). */
async function decodeQr(page: Page, testId = 'share-qr'): Promise<string | null> {
  const png = PNG.sync.read(await page.getByTestId(testId).screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

test('the presenter follows a live choice run to the end; its question and score agree with the stored answers', async ({
  page,
}) => {
  await page.goto(link('n=30&method=choice&prompt=zero-shot&seed=17&view=present'));
  await expect(presenter(page)).toBeVisible();
  await expect(presenter(page).getByTestId('presenter-probs')).toBeVisible();
  const runId = (await presenter(page).getAttribute('data-run-id'))!;
  expect(runId).toMatch(/^[0-9a-f]{16}$/);
  await expect(presenter(page)).toHaveAttribute('data-total', '30');

  // It moves with the run: several questions are shown before the end.
  const shown = new Set<string>();
  await expect
    .poll(
      async () => {
        shown.add((await presenter(page).getAttribute('data-question-id')) ?? '');
        return Number(await presenter(page).getAttribute('data-done'));
      },
      { timeout: 120_000, intervals: [50] },
    )
    .toBe(30);
  shown.delete('');
  expect(shown.size).toBeGreaterThan(2);
  await expectRunDone(page, 30);

  const order = await questionOrder(page, runId);
  const answers = await answersOf(page, runId);
  const last = order.at(-1)!;
  await expect(presenter(page)).toHaveAttribute('data-question-id', last);
  // Score: right answers over 30, as a percentage with one decimal.
  const correct = answers.filter((a) => a.correct).length;
  await expect(presenter(page).getByTestId('presenter-score')).toHaveText(
    `${((correct / 30) * 100).toFixed(1)}%`,
  );
  // The last question's bars are its stored probabilities.
  const stored = answers.find((a) => a.questionId === last)!;
  const options = presenter(page).getByTestId('presenter-probs').locator('li');
  const probs = await options.evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-prob')])),
  );
  for (const [key, p] of Object.entries(stored.optionProbs!)) {
    expect(Number(probs[key])).toBeCloseTo(p, 12);
  }
  // Right or wrong is said in words (and an icon), not by colour alone.
  await expect(presenter(page).getByTestId('presenter-verdict')).toHaveText(
    stored.correct ? '✓ Right' : '✗ Wrong',
  );

  // → replays a finished run from its first answer; Esc leaves.
  await page.keyboard.press('ArrowRight');
  await expect(presenter(page)).toHaveAttribute('data-mode', 'replay');
  await expect(presenter(page)).toHaveAttribute('data-question-id', order[0]);
  await expect(presenter(page)).toHaveAttribute('data-done', '1');
  await page.getByTestId('presenter-play').click(); // stop the automatic steps
  await page.keyboard.press('ArrowRight');
  await expect(presenter(page)).toHaveAttribute('data-question-id', order[1]);
  await expect(presenter(page)).toHaveAttribute('data-done', '2');
  // Keyboard focus stays in the dialog, with a visible ring.
  for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
  expect(
    await page.evaluate(() => {
      const active = document.activeElement as HTMLElement | null;
      const inside = !!active?.closest('[data-testid="presenter"]');
      return { inside, outline: active ? getComputedStyle(active).outlineStyle : '' };
    }),
  ).toEqual({ inside: true, outline: 'solid' });
  await page.keyboard.press('Escape');
  await expect(presenter(page)).toHaveCount(0);
});

test('space pauses and resumes the run from the presenter; generated text streams as it comes', async ({
  page,
}) => {
  await page.goto(link('n=16&method=generate&prompt=zero-shot&max_tokens=64&seed=3&view=present'));
  await expect(presenter(page)).toBeVisible();
  // Record what the output shows while each question is still in flight.
  await page.evaluate(() => {
    const seen: { question: string; text: string; done: string }[] = [];
    (window as unknown as { seen: typeof seen }).seen = seen;
    const root = document.querySelector('[data-testid="presenter"]')!;
    new MutationObserver(() => {
      const out = root.querySelector('[data-testid="presenter-output"]');
      seen.push({
        question: root.getAttribute('data-question-id') ?? '',
        text: out?.textContent ?? '',
        done: root.getAttribute('data-done') ?? '',
      });
    }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await expect
    .poll(async () => Number(await presenter(page).getAttribute('data-done')), {
      timeout: 120_000,
    })
    .toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('presenter-pause')).toBeVisible();
  await page.keyboard.press(' ');
  await expect(runStatus(page)).toHaveAttribute('data-status', 'paused', { timeout: 30_000 });
  await expect(page.getByTestId('presenter-resume')).toBeVisible();
  await page.keyboard.press(' ');
  const runId = await expectRunDone(page, 16);

  const answers = await answersOf(page, runId);
  const raw = new Map(answers.map((a) => [a.questionId, (a as { raw?: string }).raw ?? '']));
  const seen = await page.evaluate(
    () => (window as unknown as { seen: { question: string; text: string }[] }).seen,
  );
  // Some text was shown before the whole answer: a non-empty, shorter start of what was stored.
  const partial = seen.filter((s) => {
    const full = raw.get(s.question) ?? '';
    return s.text.length > 0 && s.text.length < full.length && full.startsWith(s.text);
  });
  expect(partial.length).toBeGreaterThan(0);
});

test('Share: the QR code decodes to the exact link, which is the copied one', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(link('n=2&method=choice&prompt=zero-shot&seed=23'));
  const runId = await expectRunDone(page, 2);
  const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
  await row.getByTestId('run-share').click();
  const qr = page.getByTestId('share-qr');
  const shared = (await qr.getAttribute('data-link'))!;
  expect(shared).toMatch(/^http:\/\/127\.0\.0\.1:4173\/\?dataset=cmexam&split=val&/);
  await expect(page.getByTestId('share-link')).toHaveValue(shared);
  await page.getByTestId('share-copy').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shared);
  expect(await decodeQr(page)).toBe(shared);
  // The link opens the same run.
  const again = await context.newPage();
  await again.goto(shared);
  await expect(again.getByTestId('run-status')).toHaveAttribute('data-run-id', runId);
  await again.close();

  // An exam link is shared the same way.
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}#exam`);
  await page.getByTestId('exam-form-split').selectOption('cmexam/val');
  await page.getByTestId('exam-form-n').fill('5');
  await page.getByTestId('exam-share').click();
  const examLink = await page.getByTestId('exam-link').textContent();
  await expect(page.getByTestId('share-qr')).toHaveAttribute('data-link', examLink!);
  expect(await decodeQr(page)).toBe(examLink);
});
