// Run-harness part of `npm run bench`: what the app's run loop adds per question on top of the
// engine's own work (selection, prompt building, records, IndexedDB, progress to the page and
// its re-rendering), with the demo tiny model, so that the engine's share is as small as it gets.
// Full: the built app driven by a run link, timed by its own stored answers (the steady-state
// period between questions). Bare: the app's WllamaEngine called in a loop inside a worker on
// the same prompts. Prints figures; asserts nothing.
//
// V8 compiles wllama's wasm with TurboFan up front here (--no-liftoff). By default it starts on
// its baseline compiler and tiers up in the background: on 2 busy cores that takes the first
// hundred-odd questions, the engine's speed falls from about 130 to about 25 ms a question
// meanwhile, and that drift, not the harness, decided which of two runs was faster. Both kinds
// of run get the same flag. Run alone with `node scripts/bench/harness.mjs` (builds the app into
// .cache/bench/app-dist, never dist/); `npm run bench` runs it on the dist/ it has just built.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fmt, launchChromium, median, root, run, since, step } from './common.mjs';
import { startServer } from './server.mjs';

const cacheDir = resolve(root, '.cache/bench');
const pageDist = resolve(cacheDir, 'page-dist');

const N = 110;
// Questions 1–10 are warm-up (the page and the workers' JavaScript are still settling):
// per-question figures are over questions 11–110.
const SKIP = 10;
const REPEATS = 5;
const CHROMIUM_FLAGS = ['--js-flags=--no-liftoff'];
const SPLIT = 'bench';
const SPLIT_ID = `custom/${SPLIT}`;
const SEED = 0;
const TARGET_OVERHEAD_MS = 2;
const TARGET_RATIO = 0.9;
const RUN_TIMEOUT_MS = 3 * 60_000;
// Between runs, so that one run's background work (V8 compiling, IndexedDB flushes, a closing
// context) does not land on the next one's timed questions.
const SETTLE_MS = 2000;

const IMPORT_SETTLE_MS = 5000;

const settle = () => new Promise((done) => setTimeout(done, SETTLE_MS));
const sum = (values) => values.reduce((a, b) => a + b, 0);
const mean = (values) => sum(values) / values.length;

/** In the app page before its scripts: when the run-status hook's data-done and status change. */
function observeRun() {
  const h = { samples: [], runningAt: null, doneAt: null, errorAt: null, lastDone: null };
  window.__harness = h;
  let hook = null;
  const check = () => {
    // Cached: the observer fires on every DOM change of the page, and must stay cheap.
    if (!hook?.isConnected) hook = document.querySelector('[data-testid="run-status"]');
    if (!hook) return;
    const now = performance.now();
    const status = hook.getAttribute('data-status');
    const done = Number(hook.getAttribute('data-done'));
    if (status === 'running' && h.runningAt === null) h.runningAt = now;
    if (done !== h.lastDone) {
      h.samples.push({ at: now, done });
      h.lastDone = done;
    }
    if (status === 'done' && h.doneAt === null) h.doneAt = now;
    if (status === 'error' && h.errorAt === null) h.errorAt = now;
  };
  // The hook is created by the app once the Run step mounts: watch insertions too.
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-status', 'data-done'],
  });
}

/** In the app page after the run: the run record and its answers, read from IndexedDB. */
async function readRun() {
  const request = (r) =>
    new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  const db = await request(indexedDB.open('cmexam-eval'));
  const tx = db.transaction(['runs', 'runQuestions', 'answers'], 'readonly');
  const runs = await request(tx.objectStore('runs').getAll());
  if (runs.length !== 1) throw new Error(`expected one run, found ${runs.length}`);
  const run = runs[0];
  const stored = await request(tx.objectStore('answers').index('runId').getAll(run.id));
  const { questionIds } = await request(tx.objectStore('runQuestions').get(run.id));
  db.close();
  // In the run's question order (the index returns them by question id).
  const byId = new Map(stored.map((a) => [a.questionId, a]));
  const answers = questionIds.map((id) => {
    const a = byId.get(id);
    return {
      questionId: id,
      latencyMs: a?.latencyMs ?? NaN,
      engineMs: a?.calls[0]?.timings?.totalMs ?? NaN,
      prediction: a?.prediction ?? null,
      status: a?.status ?? 'missing',
      messages: a?.calls[0]?.messages ?? null,
      startedAt: a ? Date.parse(a.createdAt) : NaN,
    };
  });
  return {
    activeMs: run.activeMs,
    done: run.totals.done,
    device: run.device,
    skipped: run.skipped,
    questionIds,
    answers,
  };
}

async function fullRun(browser, appOrigin, csvUrl) {
  // A fresh context each time: empty storage, so the same link makes a new run (a run's id is
  // the hash of its spec: in the same storage it would find the finished one). The service
  // worker is blocked: its one-off install on a first visit is not per-question work.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`app page error: ${e.message}`));
    await page.addInitScript(observeRun);
    const params = new URLSearchParams({
      dataset: csvUrl,
      split: SPLIT,
      n: String(N),
      model: 'demo:tiny-random',
      engine: 'wllama',
      method: 'choice',
      prompt: 'zero-shot',
      autostart: '1',
    });
    // CPU time of the page's main thread (Chromium's ThreadTime, in seconds) over the timed
    // questions: on a 2-core machine it competes with the engine's threads.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')
        .value * 1000;
    // The split is imported first, on its own, and left to settle: writing 6,811 questions
    // sets off seconds of IndexedDB compaction in the browser process, a one-off that would
    // otherwise land on the timed questions of a run that starts right after it.
    await page.goto(`${appOrigin}/?${new URLSearchParams({ dataset: csvUrl, split: SPLIT })}`);
    await page.waitForSelector('[data-testid="dataset-status"][data-status="ready"]', {
      state: 'attached',
      timeout: RUN_TIMEOUT_MS,
    });
    await new Promise((done) => setTimeout(done, IMPORT_SETTLE_MS));
    await page.goto(`${appOrigin}/?${params}`);
    // Poll slowly: the wait itself must not add main-thread work to what is measured.
    const warm = (skip) => (window.__harness.lastDone ?? 0) >= skip || window.__harness.errorAt;
    await page.waitForFunction(warm, SKIP, { timeout: RUN_TIMEOUT_MS, polling: 250 });
    const busyFrom = await busy();
    const busyFromDone = await page.evaluate(() => window.__harness.lastDone);
    const settled = () => window.__harness.doneAt !== null || window.__harness.errorAt !== null;
    await page.waitForFunction(settled, null, { timeout: RUN_TIMEOUT_MS, polling: 1000 });
    const mainThreadMs = (await busy()) - busyFrom;
    const h = await page.evaluate(() => window.__harness);
    if (h.doneAt === null) {
      const text = await page.locator('main').innerText();
      throw new Error(`the run failed (data-status="error"):\n${text.slice(0, 1000)}`);
    }
    const stored = await page.evaluate(readRun);
    // data-done follows the run record, written at most twice a second: it skips values, so
    // start from the first one at or past SKIP.
    const from = h.samples.find((s) => s.done >= SKIP);
    const to = h.samples.find((s) => s.done === N);
    if (!from || !to) throw new Error(`data-done never reached ${N}`);
    const timed = stored.answers.slice(SKIP);
    // Each answer's createdAt is when its question started (ms resolution, over seconds): the
    // period from question SKIP+1 to question N is the run's steady-state time per question,
    // every harness cost included, without the page's lag of up to 750 ms in showing progress
    // (which, at both ends of the window, was ±5 ms a question of noise).
    const first = stored.answers[SKIP].startedAt;
    const last = stored.answers[N - 1].startedAt;
    return {
      perQuestionMs: (last - first) / (N - 1 - SKIP),
      pageMs: (to.at - from.at) / (to.done - from.done),
      fromDone: from.done,
      samples: h.samples.length,
      totalMs: h.doneAt - h.runningAt,
      activeMs: stored.activeMs,
      done: stored.done,
      threads: Number(/(\d+) thread/.exec(stored.device ?? '')?.[1] ?? NaN),
      device: stored.device,
      skipped: stored.skipped,
      mainThreadMs: mainThreadMs / (N - busyFromDone),
      latencyMs: mean(timed.map((a) => a.latencyMs)),
      engineMs: mean(timed.map((a) => a.engineMs)),
      errors: stored.answers.filter((a) => a.status !== 'parsed').length,
      answers: stored.answers,
      questionIds: stored.questionIds,
    };
  } finally {
    await context.close();
  }
}

async function bareRun(browser, origin, csvUrl, threads) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`harness page error: ${e.message}`));
    await page.goto(`${origin}/bench-page/harness.html`);
    await page.waitForFunction(() => typeof window.harnessBench === 'object');
    const r = await page.evaluate((opts) => window.harnessBench.run(opts), {
      csvUrl,
      modelUrl: `${origin}/models/tiny-random-llama.gguf`,
      splitId: SPLIT_ID,
      n: N,
      threads,
      seed: SEED,
    });
    return {
      ...r,
      perQuestionMs: mean(r.wallMs.slice(SKIP)),
      engineMsMean: mean(r.engineMs.slice(SKIP)),
    };
  } finally {
    await context.close();
  }
}

/**
 * Runs the harness benchmark and prints its summary. `appDist`: the built app to serve (null:
 * build it into .cache/bench/app-dist). `buildPage: false` when the caller has already built
 * scripts/bench/vite.bench.config.ts.
 */
export async function runHarnessBench({ appDist = null, buildPage = true } = {}) {
  const shared = process.env.CMEXAM_SHARED ?? resolve(root, '../shared/cmexam');
  const csvPath = resolve(shared, 'val.csv');
  if (!existsSync(csvPath))
    throw new Error(`${csvPath} not found: set CMEXAM_SHARED to its folder`);

  let t;
  let dist = appDist;
  if (!dist) {
    // Not dist/: the e2e tests or a preview server may be serving it.
    dist = resolve(cacheDir, 'app-dist');
    t = step('harness: build the app into .cache/bench/app-dist');
    run('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn']);
    console.log(`built ${dist} in ${since(t)}`);
  }
  if (buildPage) {
    t = step('harness: build the bench pages');
    run('npx', ['vite', 'build', '-c', 'scripts/bench/vite.bench.config.ts']);
    console.log(`built ${pageDist} in ${since(t)}`);
  }

  const { server, port } = await startServer({
    '/': dist,
    '/bench-page/': pageDist,
    '/data/': dirname(csvPath),
  });
  const origin = `http://127.0.0.1:${port}`;
  // Another origin for the data, as for a real dataset URL (the ingest part does the same).
  const csvUrl = `http://localhost:${port}/data/val.csv`;
  const browser = await launchChromium(CHROMIUM_FLAGS);
  const fulls = [];
  const bares = [];
  try {
    // Alternated, so that a slow spell of this noisy machine spoils one run of a kind, not
    // every run of one kind.
    // One pair first, untimed: the first runs in a fresh browser were 10–40% slower (its
    // processes, caches and compiled code are still being set up), in either kind of run.
    t = step('harness: warm-up (one full and one bare run, not counted)');
    const warm = await fullRun(browser, origin, csvUrl);
    await bareRun(
      browser,
      origin,
      csvUrl,
      Number.isFinite(warm.threads) ? warm.threads : undefined,
    );
    console.log(`took ${since(t)}`);
    for (let i = 1; i <= REPEATS; i++) {
      t = step(`harness: full run ${i} (the app, a run link, ${N} questions)`);
      await settle();
      const f = await fullRun(browser, origin, csvUrl);
      fulls.push(f);
      console.log(
        `${f.device}; done ${f.done}, ${f.skipped} multi-answer skipped, ${f.errors} not parsed; ` +
          `status running → done ${fmt(f.totalMs)} ms (run activeMs ${fmt(f.activeMs)})`,
      );
      console.log(
        `per question (${SKIP + 1}–${N}, from the answers' start times): ` +
          `${fmt(f.perQuestionMs, 2)} ms; as the page saw data-done change (${f.fromDone}–${N}, ` +
          `${f.samples} changes): ${fmt(f.pageMs, 2)} ms; mean answer latencyMs ` +
          `${fmt(f.latencyMs, 2)} ms, of which the engine call ${fmt(f.engineMs, 2)} ms; ` +
          `page main thread CPU ${fmt(f.mainThreadMs, 2)} ms`,
      );
      console.log(`took ${since(t)}`);

      t = step(`harness: bare run ${i} (WllamaEngine.scoreLetters in a loop in a worker)`);
      const threads = Number.isFinite(f.threads) ? f.threads : undefined;
      await settle();
      const b = await bareRun(browser, origin, csvUrl, threads);
      bares.push(b);
      console.log(
        `${b.description.device}; prompts ${Math.min(...b.promptTokens)}–` +
          `${Math.max(...b.promptTokens)} tokens`,
      );
      console.log(
        `per question (${SKIP + 1}–${N}): ${fmt(b.perQuestionMs, 2)} ms wall, of which the ` +
          `engine's own timing ${fmt(b.engineMsMean, 2)} ms`,
      );
      console.log(
        `one answer's write, as the runner makes it, ms: right after each engine call mean ` +
          `${fmt(mean(b.storeInLoopMs.slice(SKIP)), 2)}, median ` +
          `${fmt(median(b.storeInLoopMs.slice(SKIP)), 2)}; alone (engine unloaded) mean ` +
          `${fmt(mean(b.storeAloneMs.slice(SKIP)), 2)}, median ` +
          `${fmt(median(b.storeAloneMs.slice(SKIP)), 2)}`,
      );
      console.log(`took ${since(t)}`);
    }
  } finally {
    await browser.close();
    server.close();
  }

  // The bare loop must score what the app scored: same questions, same prompts, same answers.
  const ref = bares[0];
  const samePrompts = fulls.every(
    (f) =>
      f.questionIds.join() === ref.questionIds.join() &&
      f.answers.every((a, i) => JSON.stringify(a.messages) === JSON.stringify(ref.messages[i])),
  );
  const samePredictions = [...fulls, ...bares.slice(1)].every((r) =>
    (r.answers?.map((a) => a.prediction) ?? r.predictions).every(
      (p, i) => p === ref.predictions[i],
    ),
  );

  const fullMs = median(fulls.map((f) => f.perQuestionMs));
  const bareMs = median(bares.map((b) => b.perQuestionMs));
  const overhead = fullMs - bareMs;
  const pairs = fulls.map((f, i) => f.perQuestionMs - bares[i].perQuestionMs);
  const ratio = bareMs / fullMs;
  const met = overhead <= TARGET_OVERHEAD_MS && ratio > TARGET_RATIO;

  // Where the full run's time per question goes, from its own records (medians over runs):
  // the engine call, the rest of the answer (prompt building, the record), and what lies
  // outside the answer in the worker's loop (the IndexedDB transaction, progress, the loop).
  // Same-run figures do not move with the engine's speed from run to run, but miss what the
  // harness costs the engine by competing for the CPU.
  const med = (runs, f) => median(runs.map(f));
  const timed = (values) => mean(values.slice(SKIP));
  const list = (runs) => runs.map((r) => fmt(r.perQuestionMs, 2)).join(', ');
  const inRun = fulls.map((f) => f.perQuestionMs - f.engineMs);
  const engineFull = med(fulls, (f) => f.engineMs);
  const engineBare = med(bares, (b) => b.engineMsMean);
  const restOfAnswer = med(fulls, (f) => f.latencyMs - f.engineMs);
  const outside = med(fulls, (f) => f.perQuestionMs - f.latencyMs);
  const mainThread = med(fulls, (f) => f.mainThreadMs);
  const prompt = med(bares, (b) => timed(b.promptMs));
  const storeLoop = med(bares, (b) => timed(b.storeInLoopMs));
  const storeAlone = med(bares, (b) => timed(b.storeAloneMs));

  console.log(
    [
      '',
      `== run harness (demo tiny model, wllama CPU, ${fulls[0].threads} thread(s), ${N} ` +
        `questions, per question over ${SKIP + 1}–${N}, ${CHROMIUM_FLAGS.join(' ')})`,
      `full (the app from a run link, period between its answers): ${list(fulls)} ms → median ` +
        `${fmt(fullMs, 2)} ms/question`,
      `bare (scoreLetters in a loop in a worker): ${list(bares)} ms → median ` +
        `${fmt(bareMs, 2)} ms/question`,
      `overhead (full − bare): ${fmt(overhead, 2)} ms/question (target ≤ ${TARGET_OVERHEAD_MS})`,
      `ratio bare/full: ${fmt(ratio, 3)} (target > ${TARGET_RATIO})` +
        (met ? '; both targets met' : '; target NOT met'),
      `each alternated pair (full − bare; the machine's slow and fast spells hit both runs of a ` +
        `pair alike): ${pairs.map((x) => fmt(x, 2)).join(', ')} → median ${fmt(median(pairs), 2)} ms`,
      `same questions and prompts in both: ${samePrompts ? 'yes' : 'NO'}; ` +
        `same predicted letters in every run: ${samePredictions ? 'yes' : 'NO'}`,
      `within each full run (wall − the engine's own time of the same calls): ` +
        `${inRun.map((x) => fmt(x, 2)).join(', ')} → median ${fmt(median(inRun), 2)} ms/question`,
      `  of which: rest of the answer (prompt, record) ${fmt(restOfAnswer, 2)}; outside the ` +
        `answer (IndexedDB transaction, progress, loop) ${fmt(outside, 2)}`,
      `  engine call in the app ${fmt(engineFull, 2)} ms vs ${fmt(engineBare, 2)} ms bare; ` +
        `page main thread CPU ${fmt(mainThread, 2)} ms/question (competes with the engine)`,
      `measured apart in the bench worker: buildPrompt ${fmt(prompt, 3)} ms; one answer's ` +
        `write on its own (app's AppDatabase, no page reading it; the runner groups answers ` +
        `that come within 250 ms) ` +
        `${fmt(storeLoop, 2)} ms right after each engine call, ${fmt(storeAlone, 2)} ms alone`,
    ].join('\n'),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await runHarnessBench();
}
