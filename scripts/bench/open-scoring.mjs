// Open-ended scoring part of `npm run bench`: 10,000 synthetic open items of about 200
// characters, scored under qilin-open (BLEU-1/2/4 on jieba words, character ROUGE, Distinct,
// breakdowns) in a browser worker, jieba's start-up apart; then the same items through the Node
// CLI (`npm run score`), its time, and whether it prints the browser's numbers. Prints figures;
// asserts nothing. Run alone with `node scripts/bench/open-scoring.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fmt, launchChromium, median, root, run, scoreCli as cli, since, step } from './common.mjs';
import { startServer } from './server.mjs';

const cacheDir = resolve(root, '.cache/bench');
const pageDist = resolve(cacheDir, 'page-dist');
const ITEMS = 10_000;
const REPEATS = 3;
const SEED = 7;
const TARGET_MS = 3000;

export async function runOpenScoringBench({ buildPage = true } = {}) {
  let t;
  if (buildPage) {
    t = step('open scoring: build the bench pages');
    run('npx', ['vite', 'build', '-c', 'scripts/bench/vite.bench.config.ts']);
    console.log(`built ${pageDist} in ${since(t)}`);
  }
  const { server, port } = await startServer({ '/bench-page/': pageDist });
  const browser = await launchChromium();
  let b;
  try {
    t = step(
      `open scoring: scoreOpen qilin-open in a worker (${fmt(ITEMS)} items, ${REPEATS} runs)`,
    );
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}/bench-page/open-scoring.html`);
    await page.waitForFunction(() => typeof window.openScoringBench?.run === 'function');
    b = await page.evaluate((o) => window.openScoringBench.run(o), {
      items: ITEMS,
      repeats: REPEATS,
      seed: SEED,
    });
    console.log(
      `${fmt(b.items)} items, ${fmt(b.chars)} characters (references and outputs); ` +
        `runs ${b.ms.map((x) => fmt(x)).join(', ')} ms; same result every run: ${b.stable ? 'yes' : 'NO'}`,
    );
    console.log(`took ${since(t)}`);
  } finally {
    await browser.close();
    server.close();
  }
  mkdirSync(cacheDir, { recursive: true });
  const dataset = resolve(cacheDir, 'open-bench.jsonl');
  const predictions = resolve(cacheDir, 'open-bench-outputs.jsonl');
  writeFileSync(dataset, b.dataset);
  writeFileSync(predictions, b.predictions);
  t = step('open scoring: the CLI, qilin-open (npx tsx scripts/score-cli.ts)');
  const c = await cli(['--dataset', dataset, '--predictions', predictions]);
  const same = JSON.stringify(c.out.metrics) === JSON.stringify(b.metrics);
  const m = b.metrics;
  console.log(
    [
      '',
      `== open-ended scoring (${fmt(ITEMS)} synthetic items of ~200 characters, qilin-open)`,
      `browser worker, scoreOpen: median ${fmt(median(b.ms))} ms (${b.ms.map((x) => fmt(x)).join(', ')}); ` +
        `jieba start-up ${fmt(b.jiebaInitMs)} ms, once per worker`,
      `target: under ${fmt(TARGET_MS)} ms in the browser, jieba start-up apart: ${median(b.ms) < TARGET_MS ? 'met' : 'NOT met'}`,
      `CLI wall ${fmt(c.wallMs)} ms (scoring ${fmt(c.scoredMs)} ms, jieba ${fmt(c.jiebaMs)} ms)`,
      `metrics: BLEU-1 ${fmt(m.bleu1, 2)}, BLEU-4 ${fmt(m.bleu4, 2)}, ROUGE-1 ${fmt(m.rouge1, 2)}, ` +
        `ROUGE-L ${fmt(m.rougeL, 2)}, Distinct-2 ${fmt(m.distinct2, 2)}`,
      `CLI metrics identical to the browser's: ${same ? 'yes' : 'NO'}`,
    ].join('\n'),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await runOpenScoringBench();
}
