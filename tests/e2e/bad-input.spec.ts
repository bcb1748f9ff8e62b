import { expect, test, type Page } from '@playwright/test';
import { DATA, MIRROR, VAL, expectClean, expectStatus, readDb } from './helpers';

const link = (url: string) => `/?dataset=${encodeURIComponent(url)}`;

async function expectFailure(page: Page, code: string, text: string | RegExp): Promise<void> {
  await expectStatus(page, 'error');
  const alert = page.getByTestId('import-error');
  await expect(alert).toHaveAttribute('data-code', code);
  await expect(alert).toContainText(text);
  await expectClean(page, 0);
  expect((await readDb(page)).splits).toEqual([]);
}

test('HTTP errors name the status and the URL', async ({ page }) => {
  await page.goto(link(`${DATA}/status/404`));
  await expectFailure(page, 'http', `The server answered 404 Not Found for ${DATA}/status/404`);
});

test('a server without CORS headers gives a network/CORS message (under COEP)', async ({
  page,
}) => {
  const mirror = `${DATA}/nocors/williamliujl/CMExam/main/data/`;
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(mirror)}`);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expectFailure(page, 'network', 'CORS');
});

test('an HTML page is refused as not a dataset', async ({ page }) => {
  await page.goto(link(`${DATA}/fixtures/page.csv`));
  await expectFailure(page, 'not-dataset', 'HTML page');
});

test('missing columns are named', async ({ page }) => {
  await page.goto(link(`${DATA}/fixtures/missing-columns.csv`));
  await expectFailure(page, 'missing-columns', 'Missing columns: Options, Answer');
});

test('bytes that are not UTF-8 are refused', async ({ page }) => {
  await page.goto(link(`${DATA}/fixtures/gbk.csv`));
  await expectFailure(page, 'encoding', 'not valid UTF-8');
});

test('malformed rows are reported by row number and the others import', async ({ page }) => {
  await page.goto(link(`${DATA}/fixtures/malformed.csv`));
  await expectStatus(page, 'ready', 2);
  const [split] = (await readDb(page)).splits;
  expect(split.problems.map((p) => p.row)).toEqual([1, 2, 3]);
  expect(split.problems[1].message).toContain('Z');
  await expect(page.getByTestId('custom-malformed')).toContainText('3 rows skipped');
  await expectClean(page, 2);
});

test('a byte-order mark and CRLF line ends are tolerated', async ({ page }) => {
  await page.goto(link(`${DATA}/fixtures/crlf-bom.csv`));
  await expectStatus(page, 'ready', 2);
  const [split] = (await readDb(page)).splits;
  expect(split.problemCount).toBe(0);
  expect(split.stats.answer_length_histogram).toEqual({ '1': 2 });
});

test('offline before downloading says so and stores nothing', async ({ page, context }) => {
  await page.goto('/');
  await context.setOffline(true);
  await page.getByTestId('url-input').fill(MIRROR + 'val.csv');
  await page.getByTestId('url-import').click();
  await expect(page.getByTestId('import-error')).toHaveAttribute('data-code', 'offline');
  await context.setOffline(false);
  await expectClean(page, 0);
});

test('storage quota exceeded: a clear message, the storage estimate, and nothing kept', async ({
  page,
  context,
}) => {
  await page.goto('/');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', {
    origin: 'http://127.0.0.1:4173',
    quotaSize: 2_000_000,
  });
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expectStatus(page, 'error');
  const alert = page.getByTestId('import-error');
  await expect(alert).toHaveAttribute('data-code', 'quota');
  await expect(alert).toContainText('ran out of storage');
  await expect(alert).toContainText('Storage now:');
  await expectClean(page, 0);
});

test('cancel during a download keeps nothing; retry after a failure succeeds', async ({ page }) => {
  await page.goto('/');
  await page.getByText('Download from (base URL)').click();
  await page.getByTestId('mirror-input').fill(`${DATA}/slow/williamliujl/CMExam/main/data/`);
  await page.getByTestId('mirror-input').press('Enter');
  await page.getByTestId('split-val').getByTestId('download').click();
  await expect(page.getByTestId('import-progress')).toContainText('rows stored');
  await expect
    .poll(async () =>
      Number(await page.getByTestId('dataset-status').getAttribute('data-progress-rows')),
    )
    .toBeGreaterThan(0);
  await page.getByTestId('split-val').getByTestId('cancel-import').click();
  await expect(page.getByTestId('split-val')).toContainText('Not downloaded');
  await expectClean(page, 0);

  await page.getByTestId('mirror-input').fill(`${DATA}/flaky/williamliujl/CMExam/main/data/`);
  await page.getByTestId('mirror-input').press('Enter');
  await page.getByTestId('split-val').getByTestId('download').click();
  await expect(page.getByTestId('import-error')).toContainText('503');
  await page.getByTestId('retry-import').click();
  await expect(page.getByTestId('split-val')).toHaveAttribute('data-stored', 'yes');
  await expectClean(page, VAL.rows);
});

test('question text that looks like HTML is shown as text', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page.goto(link(`${DATA}/fixtures/xss.csv`));
  await expectStatus(page, 'ready', 2);
  const items = page.getByTestId('question-item');
  await expect(items.first()).toContainText('<img src=x onerror=alert(1)>');
  await items.first().click();
  await expect(page.getByTestId('detail-question')).toHaveText(
    '<img src=x onerror=alert(1)> 合成题',
  );
  await items.nth(1).click();
  await expect(page.getByTestId('detail-question')).toHaveText('<script>alert(2)</script>合成题二');
  await expect(page.getByTestId('question-browser').locator('img, script')).toHaveCount(0);
  expect(dialogs).toBe(0);
});

test('local files import through the file picker and by drag and drop (JSON, JSONL)', async ({
  page,
}) => {
  await page.goto('/');
  const csv =
    'Question,Options,Answer,Explanation,Difficulty level\n' +
    '"合成题一","A 甲\nB 乙",A,"解释",1.0\n"合成题二","A 甲\nB 乙\nC 丙",BC,"",2\n';
  await page.getByTestId('file-input').setInputFiles({
    name: 'my questions.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await expect(page.getByTestId('custom-my-questions')).toContainText('2');
  // Extra columns are annotations, with their own filter in the browser.
  await page.getByTestId('custom-my-questions').getByTestId('browse').click();
  const filter = page.locator('[data-testid="filter-annotation"][data-column="Difficulty level"]');
  await expect(filter.locator('option')).toHaveText(['Any', '1 · Level 1 (1)', '2 · Level 2 (1)']);
  await filter.selectOption('2');
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-count', '1');
  await page.getByTestId('question-item').first().click();
  await expect(page.getByTestId('detail-question')).toHaveText('合成题二');

  const json = JSON.stringify([
    {
      Question: '合成JSON题',
      Options: [
        { key: 'A', value: '甲' },
        { key: 'B', value: '乙' },
      ],
      Answer: 'B',
      Explanation: '',
    },
  ]);
  const jsonl = ['合成一', '合成二', '合成三']
    .map((q) =>
      JSON.stringify({ Question: q, Options: 'A 甲\nB 乙', Answer: 'A', Explanation: 'e' }),
    )
    .join('\n');
  await page.getByTestId('dropzone').evaluate(
    (zone, files) => {
      const dt = new DataTransfer();
      for (const [name, text] of files) dt.items.add(new File([text], name));
      zone.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
    },
    [
      ['hf.json', json],
      ['lines.jsonl', jsonl],
    ],
  );
  await expect(page.getByTestId('custom-hf')).toBeVisible();
  await expect(page.getByTestId('custom-lines')).toBeVisible();
  await expectClean(page, 6);
  const splits = (await readDb(page)).splits.map((s) => [s.id, s.rows, s.sourceUrl]);
  expect(splits.sort()).toEqual([
    ['custom/hf', 1, null],
    ['custom/lines', 3, null],
    ['custom/my-questions', 2, null],
  ]);
});

test('the language toggle switches the interface to Chinese', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'CMExam splits' })).toBeVisible();
  await page.getByTestId('language-toggle').click();
  await expect(page.getByRole('heading', { name: 'CMExam 数据划分' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'CMExam 数据划分' })).toBeVisible();
});

test('invalid link parameters are listed, nothing is imported', async ({ page }) => {
  await page.goto('/?dataset=cmexam&split=dev&colour=red');
  await expectStatus(page, 'error');
  const problems = page.getByTestId('link-problems');
  await expect(problems).toContainText('Unknown parameter "colour"');
  await expect(problems).toContainText('Unknown CMExam split "dev"');
  await expectClean(page, 0);
});
