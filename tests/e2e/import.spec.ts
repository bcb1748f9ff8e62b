import { expect, test } from '@playwright/test';
import { DATA, MIRROR, VAL, expectClean, expectStatus, readDb } from './helpers';

test('imports val.csv through the UI with exact counts, survives a reload, and browses', async ({
  page,
}) => {
  await page.goto('/');
  await expectStatus(page, 'empty', 0);
  await page.getByText('Download from (base URL)').click();
  await page.getByTestId('mirror-input').fill(MIRROR);
  await page.getByTestId('mirror-input').press('Enter');
  await page.getByTestId('split-val').getByTestId('download').click();
  await expect(page.getByTestId('import-progress')).toBeVisible();
  await expectStatus(page, 'ready', VAL.rows);

  const db = await readDb(page);
  expect(db.splits).toHaveLength(1);
  const split = db.splits[0];
  expect(split).toMatchObject({
    id: 'cmexam/val',
    rows: VAL.rows,
    bytes: VAL.bytes,
    sha256: VAL.sha256,
    sourceUrl: MIRROR + 'val.csv',
    problemCount: 0,
  });
  expect(Date.now() - Date.parse(split.importedAt)).toBeLessThan(10 * 60_000);
  expect(split.stats.option_sets).toEqual(VAL.optionSets);
  expect(split.stats.answer_length_histogram).toEqual(VAL.answerLengths);
  expect(split.stats.multi_answer).toBe(VAL.multi);
  expect(split.stats.blank_explanations).toBe(VAL.blankExplanations);
  await expectClean(page, VAL.rows);
  await expect(page.getByTestId('split-val')).toContainText('6,811');

  await page.reload();
  await expectStatus(page, 'ready', VAL.rows);
  const browser = page.getByTestId('question-browser');
  await expect(browser.getByTestId('match-count')).toHaveAttribute('data-count', String(VAL.rows));

  // Filters are computed over the whole split.
  await browser.getByTestId('filter-answers').selectOption('multi');
  await expect(browser.getByTestId('match-count')).toHaveAttribute('data-count', String(VAL.multi));
  await browser.getByTestId('filter-answers').selectOption('blank');
  await expect(browser.getByTestId('match-count')).toHaveAttribute('data-count', '1');
  await browser.getByTestId('filter-answers').selectOption('any');
  await browser.getByTestId('filter-explanation').selectOption('without');
  await expect(browser.getByTestId('match-count')).toHaveAttribute(
    'data-count',
    String(VAL.blankExplanations),
  );
  await browser.getByTestId('filter-explanation').selectOption('any');
  await expect(browser.getByTestId('match-count')).toHaveAttribute('data-count', String(VAL.rows));

  // The list is virtualized: only a window of the 6,811 rows exists in the DOM.
  const items = browser.getByTestId('question-item');
  await expect(items.first()).not.toContainText('…');
  expect(await items.count()).toBeLessThan(100);
  await browser.getByTestId('question-list').evaluate((el) => (el.scrollTop = 52 * 5000));
  await expect(browser.locator('[data-testid="question-item"][data-row="5000"]')).toBeVisible();

  // Text search, then the detail view of the first hit.
  const first = await readFirstQuestion(page);
  await browser.getByTestId('filter-text').fill(first.slice(0, 12));
  await expect
    .poll(async () => Number(await browser.getByTestId('match-count').getAttribute('data-count')))
    .toBeLessThan(VAL.rows);
  await items.first().click();
  await expect(page.getByTestId('detail-question')).toContainText(first.slice(0, 12));
  await expect(page.getByTestId('question-detail').locator('.options li')).not.toHaveCount(0);
});

async function readFirstQuestion(page: import('@playwright/test').Page): Promise<string> {
  const item = page.locator('[data-testid="question-item"][data-row="0"] .qtext');
  await page.getByTestId('question-list').evaluate((el) => (el.scrollTop = 0));
  await expect(item).not.toHaveText('…');
  return (await item.textContent()) ?? '';
}

test('?dataset=cmexam&split=val imports on load, and the same link later reuses the stored split', async ({
  page,
  request,
}) => {
  const mirror = `${DATA}/p/reuse/williamliujl/CMExam/main/data/`;
  const link = `/?dataset=cmexam&split=val&mirror=${encodeURIComponent(mirror)}`;
  const served = async () => {
    const path = '/p/reuse/williamliujl/CMExam/main/data/val.csv';
    return Number(await (await request.get(`${DATA}/requests?path=${path}`)).text());
  };
  await page.goto(link);
  await expectStatus(page, 'ready', VAL.rows);
  const before = await readDb(page);
  expect(await served()).toBe(1);

  await page.goto(link);
  await expectStatus(page, 'ready', VAL.rows);
  const after = await readDb(page);
  expect(after.splits[0].importId).toBe(before.splits[0].importId);
  expect(await served()).toBe(1);
});

test('re-importing the same file is idempotent: same ids, no duplicates, old rows freed', async ({
  page,
}) => {
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expectStatus(page, 'ready', VAL.rows);
  const first = await readDb(page, true);
  await page.goto('/');
  await page.getByText('Download from (base URL)').click();
  await page.getByTestId('mirror-input').fill(MIRROR);
  await page.getByTestId('mirror-input').press('Enter');
  // Import the same file as a custom dataset URL twice under one name.
  for (let i = 0; i < 2; i++) {
    await page.getByTestId('url-input').fill(MIRROR + 'val.csv');
    await page.getByTestId('url-import').click();
    await expect(page.getByTestId('custom-val')).toBeVisible();
    await expect(page.getByTestId('import-progress')).toHaveCount(0);
  }
  await expectClean(page, 2 * VAL.rows);
  const after = await readDb(page, true);
  const custom = after.questionIds.filter((id) => id.startsWith('custom/val/'));
  expect(new Set(custom).size).toBe(VAL.rows);
  expect(custom).toContain('custom/val/0');
  expect(custom).toContain(`custom/val/${VAL.rows - 1}`);
  const official = after.questionIds.filter((id) => id.startsWith('cmexam/val/')).sort();
  expect(official).toEqual(first.questionIds.sort());
});

test('deleting a split frees its rows', async ({ page }) => {
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expectStatus(page, 'ready', VAL.rows);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('split-val').getByTestId('delete').click();
  await expect(page.getByTestId('split-val')).toHaveAttribute('data-stored', 'no');
  await expectClean(page, 0);
  expect((await readDb(page)).splits).toHaveLength(0);
});

test('works offline after the first visit: reload, browse, and a clear message for downloads', async ({
  page,
  context,
}) => {
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expectStatus(page, 'ready', VAL.rows);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true);
  await page.goto('/');
  await expectStatus(page, 'ready', VAL.rows);
  // Chromium 150 under Playwright reports navigator.onLine true again after a navigation that
  // the service worker answered offline; switching the emulation again restores it.
  await context.setOffline(false);
  await context.setOffline(true);
  const browser = page.getByTestId('question-browser');
  await browser.getByTestId('filter-answers').selectOption('multi');
  await expect(browser.getByTestId('match-count')).toHaveAttribute('data-count', String(VAL.multi));

  await page.getByTestId('url-input').fill(MIRROR + 'val.csv');
  await page.getByTestId('url-import').click();
  await expect(page.getByTestId('import-error')).toHaveAttribute('data-code', 'offline');
  await expect(page.getByTestId('import-error')).toContainText('You are offline');
  await expectClean(page, VAL.rows);
  await context.setOffline(false);
});
