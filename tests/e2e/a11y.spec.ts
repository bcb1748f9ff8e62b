import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { DATA, expectRunDone, expectStatus, link, VAL } from './helpers';

// Every main view, scanned by axe-core under WCAG 2.0/2.1/2.2 A and AA.
test.describe.configure({ timeout: 300_000 });

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function scan(page: Page, view: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${view}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

test('no serious or critical axe violations on any main view', async ({ page, browser }) => {
  const found: string[] = [];
  // A finished run on CMExam's val split, with the presenter first.
  await page.goto(link('n=6&method=choice&prompt=zero-shot&seed=29&view=present'));
  await expect(page.getByTestId('presenter')).toHaveAttribute('data-done', '6', {
    timeout: 120_000,
  });
  found.push(...(await scan(page, 'presenter')));
  await page.keyboard.press('Escape');
  const runId = await expectRunDone(page, 6);
  found.push(...(await scan(page, 'run')));
  await page
    .locator(`[data-testid="run-row"][data-run-id="${runId}"]`)
    .getByTestId('run-share')
    .click();
  await expect(page.getByTestId('share-qr')).toBeVisible();
  found.push(...(await scan(page, 'run share')));

  await page.getByTestId('step-dataset').click();
  await expectStatus(page, 'ready', VAL.rows);
  await expect(page.getByTestId('question-browser')).toBeVisible();
  found.push(...(await scan(page, 'dataset + question browser')));

  await page.getByTestId('step-model').click();
  await expect(page.getByTestId('device-card')).toBeVisible();
  await expect(page.getByTestId('isolation')).toHaveAttribute('data-isolated', /yes|no/);
  found.push(...(await scan(page, 'model')));

  await page.getByTestId('step-results').click();
  await page.getByTestId('results-run').selectOption(runId);
  await expect(page.getByTestId('report')).toBeVisible();
  found.push(...(await scan(page, 'results report')));
  await page.getByTestId('results-tab-inspector').click();
  await page.getByTestId('inspector-row').first().getByRole('button').click();
  await expect(page.getByTestId('inspector-detail')).toBeVisible();
  found.push(...(await scan(page, 'results questions')));
  await page.getByTestId('results-tab-leaderboard').click();
  await expect(page.getByTestId('leaderboard')).toBeVisible();
  found.push(...(await scan(page, 'results leaderboard')));
  await page.getByTestId('results-tab-compare').click();
  await expect(page.getByTestId('compare-a')).toBeVisible();
  found.push(...(await scan(page, 'results compare')));

  // An exam: the sitting, its result, and a class of one handed-in sitting.
  const examLink = `/?mode=exam&dataset=${encodeURIComponent(`${DATA}/fixtures/exam.csv`)}&split=exam-fixture`;
  await page.goto(examLink);
  await expect(page.getByTestId('exam-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  found.push(...(await scan(page, 'exam start')));
  await page.getByTestId('exam-name').fill('甲');
  await page.getByTestId('exam-start').click();
  await page.keyboard.press('a');
  found.push(...(await scan(page, 'exam sitting')));
  await page.getByTestId('exam-finish').click();
  await page.getByTestId('exam-finish-confirm').click();
  await expect(page.getByTestId('exam-status')).toHaveAttribute('data-status', 'finished');
  found.push(...(await scan(page, 'exam result')));
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-sitting').click(),
  ]);
  const sitting = await readFile((await file.path())!);
  await page.getByTestId('exam-back').click();
  await page
    .getByTestId('class-import')
    .setInputFiles([{ name: 'a.json', mimeType: 'application/json', buffer: sitting }]);
  await expect(page.getByTestId('class-result')).toBeVisible();
  found.push(...(await scan(page, 'exam page + class results')));

  // The same in Chinese, on a fresh profile whose browser prefers it.
  const zh = await browser.newContext({ locale: 'zh-CN' });
  const zhPage = await zh.newPage();
  await zhPage.goto('/');
  await expect(zhPage.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(zhPage.getByTestId('step-dataset')).toContainText('数据集');
  await expect(zhPage.getByTestId('language-toggle')).toHaveText('English');
  found.push(...(await scan(zhPage, 'dataset (zh)')));
  await zh.close();

  expect(found).toEqual([]);
});
