// `npm run bench`: how fast the production app imports a large CMExam-shaped CSV (68,119 rows)
// into IndexedDB, whether the main thread stays responsive meanwhile, and how that compares
// with bare Dexie bulkPut of the same rows. Prints figures; it asserts nothing.
import { spawnSync } from 'node:child_process';
import { launchChromium } from './bench/common.mjs';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { makeBenchCsv } from './bench/make-csv.mjs';
import { startServer } from './bench/server.mjs';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);

const ROWS = 68119;
const CHUNK = 1000; // CHUNK_ROWS in src/lib/dataset/ingest.ts: rows per stored record
const TARGET_ROWS_PER_S = 30000;
const TARGET_TASK_MS = 50;
const INGEST_TIMEOUT_MS = 10 * 60_000;
const shared = process.env.CMEXAM_SHARED ?? resolve(root, '../shared/cmexam');
const cacheDir = resolve(root, '.cache/bench');
const csvName = `cmexam-${ROWS}.csv`;
const csvPath = resolve(cacheDir, csvName);
const pageDist = resolve(cacheDir, 'page-dist');

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes) => `${fmt(bytes / 1e6, 1)} MB`;
const since = (t) => `${fmt((performance.now() - t) / 1000, 1)} s`;
const rate = (rows, ms) => `${fmt(rows / (ms / 1000))} rows/s`;

function step(name) {
  console.log(`\n== ${name}`);
  return performance.now();
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  }
}

/** In the app page before its scripts: long tasks, and when the status hook changes. */
function installObservers() {
  const b = { longTasks: [], loadingAt: null, readyAt: null, errorAt: null, progress: [] };
  window.__bench = b;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    const hook = document.querySelector('[data-testid="dataset-status"]');
    const status = hook?.getAttribute('data-status');
    const now = performance.now();
    // Stored-row progress over time shows where the time goes (start-up, writing, publishing).
    const rows = Number(hook?.getAttribute('data-progress-rows') ?? 0);
    if (status === 'loading' && rows !== (b.progress.at(-1)?.rows ?? 0)) {
      b.progress.push({ at: now, rows });
    }
    if (status === 'loading' && b.loadingAt === null) b.loadingAt = now;
    else if (status === 'ready' && b.loadingAt !== null && b.readyAt === null) b.readyAt = now;
    else if (status === 'error' && b.errorAt === null) b.errorAt = now;
  };
  // The hook is created by the app, possibly already "loading": watch insertions too.
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-status', 'data-progress-rows'],
  });
}

let t = step('build the app (npx vite build)');
run('npx', ['vite', 'build']);
console.log(`built dist/ in ${since(t)}`);

t = step('build the bare-Dexie bench page');
run('npx', ['vite', 'build', '-c', 'scripts/bench/vite.bench.config.ts']);
console.log(`built ${pageDist} in ${since(t)}`);

t = step(`build a ${fmt(ROWS)}-row CSV`);
const source = resolve(shared, 'val.csv');
if (!existsSync(source)) throw new Error(`${source} not found: set CMEXAM_SHARED to its folder`);
const made = makeBenchCsv(source, csvPath, ROWS);
console.log(
  `${csvPath}: ${fmt(made.rows)} rows (${fmt(made.sourceRows)}-row val.csv repeated), ` +
    `${mb(made.bytes)}, in ${since(t)}`,
);

const { server, port } = await startServer({
  '/': resolve(root, 'dist'),
  '/bench-page/': pageDist,
  '/data/': cacheDir,
});
const appOrigin = `http://127.0.0.1:${port}`;
// A different origin for the data, as GitHub's raw host is: the app's service worker leaves
// cross-origin requests alone, so the download does not go through it.
const csvUrl = `http://localhost:${port}/data/${csvName}`;

const browser = await launchChromium();
let ingest;
let bare;
try {
  // A fresh context is a first visit: empty storage, and the app's service worker installs
  // during the import, as for a new user. Playwright contexts are off-the-record, so Chromium
  // keeps their IndexedDB in memory; an on-disk profile writes somewhat slower.
  const context = await browser.newContext();

  t = step('full ingest through the app');
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.addInitScript(installObservers);
  const appUrl = `${appOrigin}/?dataset=${encodeURIComponent(csvUrl)}&split=bench`;
  console.log(`open ${appUrl}`);
  await page.goto(appUrl);
  // Poll slowly: the wait itself must not add main-thread work to what is measured.
  const settled = () => window.__bench.readyAt !== null || window.__bench.errorAt !== null;
  await page.waitForFunction(settled, null, { timeout: INGEST_TIMEOUT_MS, polling: 1000 });
  const b = await page.evaluate(() => window.__bench);
  const hook = page.getByTestId('dataset-status');
  const storedRows = Number(await hook.getAttribute('data-rows'));
  if (b.readyAt === null) {
    const text = await page.locator('main').innerText();
    throw new Error(`the import failed (data-status="error"):\n${text.slice(0, 1000)}`);
  }
  const ms = b.readyAt - b.loadingAt;
  // The task that mounts the app is the one that sets "loading": page start-up, not ingest
  // work, so it is reported on its own. Every task that starts later, until ready, counts.
  const boot = b.longTasks.find((l) => l.start <= b.loadingAt && l.start + l.ms >= b.loadingAt);
  const during = b.longTasks.filter((l) => l.start > b.loadingAt && l.start < b.readyAt);
  const longest = Math.max(0, ...during.map((l) => l.ms));
  ingest = { ms, rows: storedRows, longest, longTasks: during.length, bootMs: boot?.ms ?? 0 };
  console.log(
    `data-rows: ${fmt(storedRows)}${storedRows === ROWS ? '' : ` (expected ${fmt(ROWS)})`}`,
  );
  console.log(`bytes: ${fmt(made.bytes)} (${mb(made.bytes)})`);
  console.log(`ingest (status loading → ready): ${fmt(ms)} ms`);
  console.log(`throughput: ${rate(storedRows, ms)}`);
  const when = during.map((l) => `+${fmt(l.start - b.loadingAt)} ms: ${fmt(l.ms)} ms`);
  console.log(
    during.length === 0
      ? `main-thread long tasks during ingest: none over ${TARGET_TASK_MS} ms`
      : `main-thread long tasks during ingest: ${during.length} (${when.join('; ')})`,
  );
  console.log(
    boot
      ? `start-up task that set "loading" (app mount, not counted above): ${fmt(boot.ms)} ms`
      : `start-up task that set "loading": under ${TARGET_TASK_MS} ms`,
  );
  // Where the time goes, from the progress hook (the worker reports at most every 100 ms).
  const first = b.progress[0];
  const done = b.progress.find((p) => p.rows >= storedRows);
  if (first && done) {
    const writing = done.at - first.at;
    console.log(
      `phases: first ${fmt(first.rows)} rows stored at +${fmt(first.at - b.loadingAt)} ms; ` +
        `all stored at +${fmt(done.at - b.loadingAt)} ms ` +
        `(${rate(done.rows - first.rows, writing)} in between); ` +
        `verify + publish + UI: ${fmt(b.readyAt - done.at)} ms`,
    );
  }
  console.log(
    `target: ≥ ${fmt(TARGET_ROWS_PER_S)} rows/s, no main-thread task over ${TARGET_TASK_MS} ms`,
  );
  // Free the app's worker before the baseline runs.
  await page.close();

  t = step('bare Dexie bulkPut (bench page)');
  const benchPage = await context.newPage();
  benchPage.on('pageerror', (e) => console.log(`bench page error: ${e.message}`));
  await benchPage.goto(`${appOrigin}/bench-page/`);
  await benchPage.waitForFunction(() => typeof window.runBench === 'function');
  bare = await benchPage.evaluate((opts) => window.runBench(opts), { url: csvUrl });
  console.log(`fetch (not timed below): ${fmt(bare.fetchMs)} ms`);
  console.log(
    `parseDataset alone, from memory: ${fmt(bare.parseMs)} ms, ${rate(bare.rows, bare.parseMs)}`,
  );
  console.log(
    `bare Dexie put of the same pre-parsed rows as ${fmt(CHUNK)}-row chunk records: ` +
      `${fmt(bare.bareMs)} ms, ${rate(bare.rows, bare.bareMs)}`,
  );
  console.log(
    `loading the whole split back (the question browser's first query): ${fmt(bare.loadMs)} ms`,
  );
  console.log(
    `for reference, one record per question (2,000-row bulkPuts): ${fmt(bare.perRowMs)} ms, ` +
      rate(bare.rows, bare.perRowMs),
  );
  const ratio = ingest.ms / bare.bareMs;
  console.log(`ratio full ingest / bare put: ${fmt(ratio, 2)} (bare/full ${fmt(1 / ratio, 2)})`);
  await benchPage.close();
  await context.close();
} finally {
  await browser.close();
  server.close();
}

const ratio = ingest.ms / bare.bareMs;
const longestText =
  ingest.longTasks === 0 ? `none over ${TARGET_TASK_MS} ms` : `${fmt(ingest.longest)} ms`;
const bootText = ingest.bootMs ? `; app start-up task before it: ${fmt(ingest.bootMs)} ms` : '';
console.log(
  [
    '',
    '== summary',
    `ingest ${fmt(ingest.rows)} rows (${mb(made.bytes)}): ${fmt(ingest.ms)} ms, ` +
      `${rate(ingest.rows, ingest.ms)} (target ≥ ${fmt(TARGET_ROWS_PER_S)})`,
    `longest main-thread task during ingest: ${longestText} (target ≤ ${TARGET_TASK_MS})` +
      bootText,
    `bare Dexie put of the pre-parsed rows (${fmt(CHUNK)}-row records): ${fmt(bare.bareMs)} ms, ` +
      rate(bare.rows, bare.bareMs),
    `ratio ingest/bare: ${fmt(ratio, 2)} (bare/full ${fmt(1 / ratio, 2)})`,
  ].join('\n'),
);

// Engine part (wllama speed, Comlink overhead): scripts/bench/engine.mjs, which also runs alone.
// The bench pages it needs were built above with the bare-Dexie page.
const { runEngineBench } = await import('./bench/engine.mjs');
await runEngineBench({ buildPage: false });

// Run-harness part (per-question overhead of the app's run loop against bare engine calls):
// scripts/bench/harness.mjs, which also runs alone. It serves the dist/ and pages built above.
const { runHarnessBench } = await import('./bench/harness.mjs');
await runHarnessBench({ appDist: resolve(root, 'dist'), buildPage: false });

// Scoring part (scoreRecords on all of val.csv in a worker, both protocols, and the Node CLI on
// the same predictions): scripts/bench/scoring.mjs, which also runs alone.
const { runScoringBench } = await import('./bench/scoring.mjs');
await runScoringBench({ buildPage: false });

// Open-ended scoring part (scoreOpen on 10,000 synthetic items in a worker, and the Node CLI on
// the same items): scripts/bench/open-scoring.mjs, which also runs alone.
const { runOpenScoringBench } = await import('./bench/open-scoring.mjs');
await runOpenScoringBench({ buildPage: false });

// Merge part (500 MB F16 parents: the CLI, every method; a browser worker, ties and task
// arithmetic; beside memory-copy bandwidth): scripts/bench/merge.mjs, which also runs alone.
const { runMergeBench } = await import('./bench/merge.mjs');
await runMergeBench({ buildPage: false });
