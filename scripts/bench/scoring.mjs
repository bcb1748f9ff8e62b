// Scoring part of `npm run bench`: how long the app's scoring core takes on a whole CMExam split
// (val.csv, 6,811 rows) with a synthetic, deterministic prediction and explanation per row, in
// the browser (a module worker, as in the app) under both protocols, jieba's start-up apart;
// then the same predictions through the Node CLI (`npm run score`), its wall time, and whether
// it prints the browser's numbers. Prints figures; asserts nothing.
// Run alone with `node scripts/bench/scoring.mjs`; `npm run bench` runs it after the others.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fmt, launchChromium, median, root, run, scoreCli as cli, since, step } from './common.mjs';
import { startServer } from './server.mjs';

const cacheDir = resolve(root, '.cache/bench');
const pageDist = resolve(cacheDir, 'page-dist');
// Generated here only (git-ignored): dataset-derived text never goes into the repository.
const predictionsPath = resolve(cacheDir, 'scoring-predictions.jsonl');

const REPEATS = 3;
const CLI_REPEATS = 3;
const SEED = 1;
const TARGET_CHAR_MS = 1000;

const list = (ms) => ms.map((x) => fmt(x)).join(', ');

/**
 * Runs the scoring benchmark and prints its summary. `buildPage: false` when the caller has
 * already built scripts/bench/vite.bench.config.ts.
 */
export async function runScoringBench({ buildPage = true } = {}) {
  const shared = process.env.CMEXAM_SHARED ?? resolve(root, '../shared/cmexam');
  const csvPath = resolve(shared, 'val.csv');
  if (!existsSync(csvPath))
    throw new Error(`${csvPath} not found: set CMEXAM_SHARED to its folder`);

  let t;
  if (buildPage) {
    t = step('scoring: build the bench pages');
    run('npx', ['vite', 'build', '-c', 'scripts/bench/vite.bench.config.ts']);
    console.log(`built ${pageDist} in ${since(t)}`);
  }

  const { server, port } = await startServer({
    '/bench-page/': pageDist,
    '/data/': dirname(csvPath),
  });
  const browser = await launchChromium();
  let b;
  try {
    t = step(`scoring: scoreRecords in a worker (val.csv, ${REPEATS} runs per protocol)`);
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}/bench-page/scoring.html`);
    await page.waitForFunction(() => typeof window.scoringBench?.run === 'function');
    b = await page.evaluate((options) => window.scoringBench.run(options), {
      csvUrl: `http://localhost:${port}/data/val.csv`,
      repeats: REPEATS,
      seed: SEED,
    });
    console.log(
      `${fmt(b.rows)} rows; fetch ${fmt(b.fetchMs)} ms, parse ${fmt(b.parseMs)} ms, ` +
        `records built ${fmt(b.buildMs)} ms (not timed below)`,
    );
    for (const p of [b.char, b.jieba]) {
      const m = p.metrics;
      console.log(
        `${p.protocol}: ${list(p.ms)} ms → median ${fmt(median(p.ms))} ms; accuracy ` +
          `${fmt(m.accuracy * 100, 1)}%, BLEU-1 ${fmt(m.bleu1, 2)}, BLEU-4 ${fmt(m.bleu4, 2)}, ` +
          `ROUGE-L ${fmt(m.rougeL, 2)}; same result every run: ${p.stable ? 'yes' : 'NO'}`,
      );
    }
    console.log(
      `jieba start-up (loadJieba: wasm fetch and instantiate): ${fmt(b.jieba.initMs)} ms`,
    );
    console.log(`took ${since(t)}`);
    await page.close();
  } finally {
    await browser.close();
    server.close();
  }

  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(predictionsPath, b.jsonl);
  const args = ['--dataset', csvPath, '--predictions', predictionsPath];
  const cliRuns = {};
  for (const protocol of ['cmexam-char', 'cmexam-jieba']) {
    t = step(`scoring: the CLI, ${protocol} (npx tsx scripts/score-cli.ts, ${CLI_REPEATS} runs)`);
    const runs = [];
    for (let i = 0; i < CLI_REPEATS; i++) runs.push(await cli([...args, '--protocol', protocol]));
    cliRuns[protocol] = runs;
    const browserMetrics = protocol === 'cmexam-char' ? b.char.metrics : b.jieba.metrics;
    const same = runs.every(
      (r) => JSON.stringify(r.out.metrics) === JSON.stringify(browserMetrics),
    );
    console.log(
      `wall ${list(runs.map((r) => r.wallMs))} ms (process start, tsx, parse, scoring, JSON out); ` +
        `scoring alone ${list(runs.map((r) => r.scoredMs))} ms` +
        (protocol === 'cmexam-jieba'
          ? `; jieba start-up ${list(runs.map((r) => r.jiebaMs))} ms`
          : ''),
    );
    console.log(`same metrics as the browser: ${same ? 'yes' : 'NO'}`);
    if (!same) {
      const differ = Object.keys(browserMetrics)
        .filter((k) => runs.some((r) => r.out.metrics[k] !== browserMetrics[k]))
        .map((k) => `${k} ${browserMetrics[k]} vs ${runs.map((r) => r.out.metrics[k]).join('/')}`);
      console.log(`  differing (browser vs CLI runs): ${differ.join('; ')}`);
    }
  }

  const charMs = median(b.char.ms);
  const met = charMs < TARGET_CHAR_MS;
  const cliChar = cliRuns['cmexam-char'];
  const cliJieba = cliRuns['cmexam-jieba'];
  const agree = ['cmexam-char', 'cmexam-jieba'].every((protocol) =>
    cliRuns[protocol].every(
      (r) =>
        JSON.stringify(r.out.metrics) ===
        JSON.stringify(protocol === 'cmexam-char' ? b.char.metrics : b.jieba.metrics),
    ),
  );
  console.log(
    [
      '',
      `== scoring (val.csv, ${fmt(b.rows)} rows, synthetic predictions and explanations, seed ${SEED})`,
      `browser worker, scoreRecords cmexam-char: median ${fmt(charMs)} ms (${list(b.char.ms)})`,
      `browser worker, scoreRecords cmexam-jieba: median ${fmt(median(b.jieba.ms))} ms ` +
        `(${list(b.jieba.ms)}); jieba start-up ${fmt(b.jieba.initMs)} ms, once per worker`,
      `target: cmexam-char under ${fmt(TARGET_CHAR_MS)} ms in the browser: ${met ? 'met' : 'NOT met'}`,
      `CLI (npx tsx scripts/score-cli.ts) wall time: cmexam-char median ` +
        `${fmt(median(cliChar.map((r) => r.wallMs)))} ms (scoring ${fmt(median(cliChar.map((r) => r.scoredMs)))} ms), ` +
        `cmexam-jieba median ${fmt(median(cliJieba.map((r) => r.wallMs)))} ms ` +
        `(scoring ${fmt(median(cliJieba.map((r) => r.scoredMs)))} ms)`,
      `CLI metrics identical to the browser's, both protocols: ${agree ? 'yes' : 'NO'}`,
    ].join('\n'),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await runScoringBench();
}
