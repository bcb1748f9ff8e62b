import { expect, test, type Page, type Request } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { expectRunDone, expectStatus, MIRROR, runStatus, VAL } from './helpers';

// The built dist/ on a plain static host under a sub-path, with no COOP/COEP headers
// (tests/support/static-host.mjs), as on GitHub Pages.
const HOST = 'http://127.0.0.1:4175';
const APP = `${HOST}/deep/path/`;
const runParams = (params: string) =>
  `?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}&model=demo:tiny-random&engine=wllama&${params}&autostart=1`;

test.describe.configure({ timeout: 240_000 });

/** Main-frame navigations of a page: the first load plus every (automatic) reload. */
function countNavigations(page: Page): { count: number } {
  const seen = { count: 0 };
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) seen.count++;
  });
  return seen;
}

async function hostRequests(page: Page): Promise<string[]> {
  return (await page.request.get(`${HOST}/__requests`)).json() as Promise<string[]>;
}

test('from a sub-path without headers: a link imports val.csv, runs the demo model and exports, all under that path', async ({
  page,
  context,
}) => {
  await page.request.post(`${HOST}/__requests`);
  const outside: string[] = [];
  const watch = (r: Request) => {
    const url = r.url();
    if (url.startsWith(APP) || url.startsWith('data:') || url.startsWith('blob:')) return;
    if (url === MIRROR + 'val.csv') return;
    outside.push(url);
  };
  context.on('request', watch);
  const navigations = countNavigations(page);

  await page.goto(APP + runParams('n=3&method=choice&prompt=zero-shot'));
  const runId = await expectRunDone(page, 3);
  // The first visit reloaded once, when the service worker took control, and no more.
  expect(navigations.count).toBe(2);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  // Every link the app writes stays under the path it is served from.
  expect(page.url().startsWith(APP)).toBe(true);

  await page.getByTestId('step-results').click();
  await page.getByTestId('results-run').selectOption(runId);
  await expect(page.getByTestId('report')).toBeVisible();
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const exported = JSON.parse(await readFile((await file.path())!, 'utf8')) as {
    run: { id: string };
    records: unknown[];
  };
  expect(exported.run.id).toBe(runId);
  expect(exported.records).toHaveLength(3);

  expect(outside).toEqual([]);
  const paths = await hostRequests(page);
  expect(paths.length).toBeGreaterThan(5);
  expect(paths.filter((p) => !p.startsWith('/deep/path/'))).toEqual([]);
  // The engine's wasm and the demo model came from under the path too.
  expect(paths.some((p) => /\/deep\/path\/assets\/wllama-.*\.wasm$/.test(p))).toBe(true);
  expect(paths).toContain('/deep/path/models/tiny-random-llama.gguf');
});

test('without headers the service worker makes the page cross-origin isolated: two wllama threads, no reload loop', async ({
  page,
}) => {
  const navigations = countNavigations(page);
  await page.goto(APP + '#model');
  await expect(page.getByTestId('isolation')).toHaveAttribute('data-isolated', 'yes');
  await expect(page.getByTestId('isolation')).toHaveAttribute('data-via', 'service-worker');
  expect(navigations.count).toBe(2);

  await page.getByTestId('threads').selectOption('2');
  await page.getByTestId('load-demo').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-threads', '2');

  // Later visits are isolated from the start: no more reloads.
  await page.reload();
  await expect(page.getByTestId('isolation')).toHaveAttribute('data-via', 'service-worker');
  await page.waitForTimeout(500);
  expect(navigations.count).toBe(3);
});

test('the same build behind isolation headers says so, and is not reloaded', async ({ page }) => {
  const navigations = countNavigations(page);
  await page.goto('/#model');
  await expect(page.getByTestId('isolation')).toHaveAttribute('data-isolated', 'yes');
  await expect(page.getByTestId('isolation')).toHaveAttribute('data-via', 'headers');
  expect(navigations.count).toBe(1);
});

test('a valid manifest is linked, with icons of the sizes it names', async ({ page }) => {
  await page.goto(APP);
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('./manifest.webmanifest');
  const manifestUrl = new URL(href!, APP).href;
  const manifest = (await (await page.request.get(manifestUrl)).json()) as {
    name: string;
    short_name: string;
    start_url: string;
    scope: string;
    display: string;
    theme_color: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  expect(manifest.name).toBe('CMExam in the browser');
  expect(manifest.short_name).toBe('CMExam');
  expect(manifest.display).toBe('standalone');
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  // Relative to where the app is served: the installed app opens at /deep/path/.
  expect(new URL(manifest.start_url, manifestUrl).href).toBe(APP);
  expect(new URL(manifest.scope, manifestUrl).href).toBe(APP);
  const sizes = manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`).sort();
  expect(sizes).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  for (const icon of manifest.icons) {
    const res = await page.request.get(new URL(icon.src, manifestUrl).href);
    expect(res.headers()['content-type']).toBe('image/png');
    const png = PNG.sync.read(await res.body());
    expect(`${png.width}x${png.height}`).toBe(icon.sizes);
  }
});

test('after one visit the app, the stored split and the cached demo model work with the network blocked', async ({
  page,
  context,
}) => {
  await page.goto(APP + runParams('n=2&method=choice&prompt=zero-shot'));
  await expectRunDone(page, 2);
  await context.setOffline(true);
  await page.goto(APP + '#dataset');
  // Chromium reports onLine true after a navigation the service worker answered offline.
  await context.setOffline(false);
  await context.setOffline(true);
  await expectStatus(page, 'ready', VAL.rows);
  await expect(page.getByTestId('split-val')).toHaveAttribute('data-stored', 'yes');
  await page.getByTestId('step-model').click();
  await page.getByTestId('load-demo').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  await context.setOffline(false);
});

test('a rebuilt version is offered, not forced, while a run is going, and applied when asked', async ({
  page,
}) => {
  await page.goto(APP + runParams('n=150&method=choice&prompt=zero-shot&seed=21'));
  await expect
    .poll(async () => Number(await runStatus(page).getAttribute('data-done')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(2);
  const navigations = countNavigations(page);
  await page.request.post(`${HOST}/__rebuild`);
  // The browser looks for a new worker on navigations and now and then; ask it now.
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration!.update();
  });
  await expect(page.getByTestId('update-available')).toBeVisible();
  await expect(page.getByTestId('update-reload')).toBeDisabled();
  await expect(page.getByTestId('update-held')).toBeVisible();
  // The run goes on in this page: nothing reloaded it.
  await expectRunDone(page, 150);
  expect(navigations.count).toBe(0);

  await expect(page.getByTestId('update-reload')).toBeEnabled();
  await page.getByTestId('update-reload').click();
  await expect.poll(() => navigations.count).toBe(1);
  await expect(page.getByTestId('update-available')).toHaveCount(0);
  const version = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return { waiting: !!registration?.waiting, active: registration?.active?.state };
  });
  expect(version).toEqual({ waiting: false, active: 'activated' });
});
