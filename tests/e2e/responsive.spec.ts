import { expect, test } from '@playwright/test';

// Runs alone, after every other test (see playwright.config.ts): a timing on 2 shared cores is
// only meaningful when no other browser is busy at the same time.

async function expectLoaded(page: import('@playwright/test').Page): Promise<void> {
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
}

test('the page stays responsive while a model loads: no script of ours runs over 50 ms', async ({
  page,
}) => {
  // Long-animation-frame entries say which script ran and for how long. Frames spent only on
  // style and layout (slow in a software-rendered headless browser) are not our code's doing.
  await page.addInitScript(() => {
    const w = window as unknown as { __scripts: { start: number; ms: number; what: string }[] };
    w.__scripts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as PerformanceEntry[] &
        { scripts?: { startTime: number; duration: number; invoker: string }[] }[]) {
        for (const s of (
          e as unknown as { scripts: { startTime: number; duration: number; invoker: string }[] }
        ).scripts) {
          w.__scripts.push({ start: s.startTime, ms: s.duration, what: s.invoker });
        }
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  });
  await page.goto('/#model');
  await expect(page.getByTestId('device-verdicts').locator('li').first()).toBeVisible();
  await expect(page.getByTestId('mlc-model').first()).toBeVisible();
  await expect(page.getByTestId('model-cache').locator('p, table')).toBeVisible();
  await page.waitForTimeout(1000);
  const start = await page.evaluate(() => performance.now());
  await page.getByTestId('load-demo').click();
  // Meanwhile the page answers input at once.
  await page.getByTestId('language-toggle').click();
  await expect(page.getByTestId('language-toggle')).toHaveText('English');
  await expectLoaded(page);
  const end = await page.evaluate(() => performance.now());
  const scripts = await page.evaluate(
    () =>
      (window as unknown as { __scripts: { start: number; ms: number; what: string }[] }).__scripts,
  );
  const during = scripts.filter((s) => s.start >= start && s.start <= end);
  expect(during.filter((s) => s.ms > 50)).toEqual([]);
});
