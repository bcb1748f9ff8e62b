// Engine part of `npm run bench`: speed of the app's WllamaEngine (CPU, WebAssembly) on two
// generated random-weight models, driven through the app's EngineHost in a module worker, and
// what Comlink adds per call. Prints figures; asserts nothing.
// Run alone with `node scripts/bench/engine.mjs`; `npm run bench` runs it after the ingest part.
import { resolve } from 'node:path';
import { fmt, launchChromium, median, root, run, since, step } from './common.mjs';
import { startServer } from './server.mjs';

const cacheDir = resolve(root, '.cache/bench');
const pageDist = resolve(cacheDir, 'page-dist');

const MODELS = [
  // The CLI's defaults are DEFAULT_TINY_MODEL_OPTIONS (the app's demo model, 64-dim, 2 layers).
  { name: 'tiny 64x2 f32', file: 'engine-tiny-64x2.gguf', args: [] },
  {
    name: '512x8 f16',
    file: 'engine-512x8-f16.gguf',
    args: ['--dim', '512', '--layers', '8', '--heads', '8', '--ffn', '1024', '--ftype', 'f16'],
  },
];
const THREADS = [1, 2];
const LOADS = 3;
const GENERATE_RUNS = 3;
const SCORE_RUNS = 5;
const COMLINK_CALLS = 30;
const PINGS = 1000;
const PING_BATCHES = 10;
// Every load starts a new wllama worker whose 8.8 MB wasm V8 compiles, then re-optimises hot
// functions on background threads for a few seconds. On a 2-core machine that work steals a
// core from inference, so each load and each set of timed calls starts after a quiet pause.
const SETTLE_MS = 3000;
// The re-optimisation starts only once inference runs; it slows the first requests (by 3× at 2
// threads, where it competes with both inference threads), so timed requests follow warm-up
// rounds until two in a row take the same time within WARM_TOLERANCE.
const WARM_TOLERANCE = 0.15;
const MAX_WARM_ROUNDS = 8;

// A synthetic question of our own (not from CMExam), in the shape of the app's prompts.
// The tiny models' vocabulary holds 200 common characters; the rest fall back to 3 byte tokens,
// so the text is short to stay near 100 tokens with the chat template.
const PROMPT = {
  messages: [
    { role: 'system', content: '只回答选项字母。' },
    {
      role: 'user',
      content: '下列哪一项是胃溃疡的主要症状？\nA 上腹痛\nB 发热\nC 头痛\nD 呕吐\nE 心悸\n答案：',
    },
  ],
};
const LETTERS = ['A', 'B', 'C', 'D', 'E'];
const GENERATE = { prompt: PROMPT, maxTokens: 64, temperature: 0 };
const SCORE = { prompt: PROMPT, letters: LETTERS };

const settle = () => new Promise((done) => setTimeout(done, SETTLE_MS));

function variance(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
}

/** Warm-up rounds (one generate and one scoreLetters each) until steady; returns their ms. */
async function warmUp(page) {
  const rounds = [];
  while (rounds.length < MAX_WARM_ROUNDS) {
    const t = performance.now();
    await page.evaluate(
      async ([g, s]) => {
        await window.engineBench.generate(g, 1);
        await window.engineBench.score(s, 1);
      },
      [GENERATE, SCORE],
    );
    rounds.push(performance.now() - t);
    const [before, last] = rounds.slice(-2);
    if (rounds.length >= 2 && Math.abs(last - before) <= WARM_TOLERANCE * before) break;
  }
  return rounds;
}

/**
 * Runs the engine benchmark and prints its summary. `buildPage: false` when the caller has
 * already built scripts/bench/vite.bench.config.ts (npm run bench builds it for the ingest part).
 * Only the bench page is built here, never the app's dist/, which e2e tests may be serving.
 */
export async function runEngineBench({ buildPage = true } = {}) {
  let t = step('engine: generate the models');
  for (const m of MODELS) {
    m.path = resolve(cacheDir, m.file);
    // Deterministic and quick to write, so always regenerated: a stale file cannot linger.
    const summary = JSON.parse(run('npx', ['tsx', 'scripts/tiny-model/cli.ts', m.path, ...m.args]));
    m.bytes = summary.bytes;
    console.log(
      `${m.name}: ${m.path}, ${fmt(summary.bytes / 1e6, 1)} MB, dim ${summary.dim}, ` +
        `${summary.layers} layers, ${summary.heads} heads, ffn ${summary.ffn}, ${summary.ftype}, ` +
        `vocab ${summary.n_vocab}`,
    );
  }
  console.log(`generated in ${since(t)}`);

  if (buildPage) {
    t = step('engine: build the bench pages');
    run('npx', ['vite', 'build', '-c', 'scripts/bench/vite.bench.config.ts']);
    console.log(`built ${pageDist} in ${since(t)}`);
  }

  const { server, port } = await startServer({ '/bench-page/': pageDist, '/models/': cacheDir });
  const origin = `http://127.0.0.1:${port}`;
  const modelUrl = (m) => `${origin}/models/${m.file}`;
  const browser = await launchChromium();
  const rows = [];
  let comlink;
  let firstLoadMs;
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`engine page error: ${e.message}`));
    await page.goto(`${origin}/bench-page/engine.html`);
    await page.waitForFunction(() => typeof window.engineBench === 'object');
    const env = await page.evaluate(() => window.engineBench.env());
    console.log(
      `\npage: crossOriginIsolated ${env.isolated}, hardwareConcurrency ${env.cores}, ` +
        env.userAgent,
    );
    if (!env.isolated) throw new Error('the bench page is not cross-origin isolated');

    // The first wllama start in a page also fetches its 8.8 MB wasm: reported on its own so
    // that it does not skew the per-configuration load times.
    t = step('engine: first load in a fresh page (tiny, 1 thread, includes the wasm fetch)');
    const spec = (m, threads) => ({
      backend: 'wllama',
      id: `bench:${m.file}`,
      label: m.name,
      device: 'cpu',
      threads,
      contextSize: 2048,
    });
    await settle();
    const first = await page.evaluate(
      ([url, s]) => window.engineBench.loadBlob(url, s),
      [modelUrl(MODELS[0]), spec(MODELS[0], 1)],
    );
    firstLoadMs = first.fetchMs + first.loadMs;
    console.log(`fetch ${fmt(first.fetchMs)} ms + load ${fmt(first.loadMs)} ms`);

    for (const m of MODELS) {
      for (const threads of THREADS) {
        t = step(`engine: ${m.name}, ${threads} thread(s)`);
        const s = spec(m, threads);
        // Load time: fetch into a Blob, then load it as a local file (`files: [blob]`), so
        // wllama's OPFS cache plays no part; median of LOADS.
        const loads = [];
        for (let i = 0; i < LOADS; i++) {
          await settle();
          loads.push(
            await page.evaluate(
              ([url, sp]) => window.engineBench.loadBlob(url, sp),
              [modelUrl(m), s],
            ),
          );
        }
        const d = loads.at(-1).description;
        const loadMs = median(loads.map((l) => l.fetchMs + l.loadMs));
        console.log(
          `engine: ${d.device}; threads ${d.threads}; context ${d.contextSize}; ` +
            `${fmt(loads[0].bytes / 1e6, 1)} MB`,
        );
        console.log(
          `load from a Blob (fetch + load), ms: ` +
            loads.map((l) => `${fmt(l.fetchMs)} + ${fmt(l.loadMs)}`).join(', ') +
            ` → median ${fmt(loadMs)}`,
        );

        const warm = await warmUp(page);
        const steady = warm.length < MAX_WARM_ROUNDS ? '' : ' (not steady)';
        console.log(
          `warm-up rounds (generate + scoreLetters), ms: ${warm.map((x) => fmt(x)).join(', ')}` +
            steady,
        );
        const gen = await page.evaluate(
          ([req, n]) => window.engineBench.generate(req, n),
          [GENERATE, GENERATE_RUNS],
        );
        const g = gen[0];
        console.log(
          `generate: ${g.promptTokens} prompt tokens, ` +
            `${gen.map((r) => `${r.completionTokens} (${r.finishReason})`).join(', ')} tokens ` +
            `out; ` +
            `wall ms ${gen.map((r) => fmt(r.wallMs)).join(', ')}; ` +
            `same text every run: ${gen.every((r) => r.text === g.text)}`,
        );
        console.log(
          `TTFT (prompt_ms) ${gen.map((r) => fmt(r.timeToFirstTokenMs, 1)).join(', ')}; ` +
            `prefill tok/s ${gen.map((r) => fmt(r.prefillTokensPerSecond)).join(', ')}; ` +
            `decode tok/s ${gen.map((r) => fmt(r.decodeTokensPerSecond)).join(', ')}`,
        );

        const score = await page.evaluate(
          ([req, n]) => window.engineBench.score(req, n),
          [SCORE, SCORE_RUNS],
        );
        const probs = Object.entries(score[0].probs)
          .map(([k, v]) => `${k} ${fmt(v, 3)}`)
          .join(' ');
        console.log(
          `scoreLetters A–E: wall ms ${score.map((r) => fmt(r.wallMs, 1)).join(', ')} ` +
            `(in the engine: ${score.map((r) => fmt(r.engineMs, 1)).join(', ')}); ${probs}`,
        );

        // For comparison, the app's URL path: wllama downloads into its OPFS cache (cleared
        // first), then a second load reads the cached copy.
        let urlText;
        try {
          await settle();
          const cold = await page.evaluate(
            ([sp]) => window.engineBench.loadUrl(sp, true),
            [{ ...s, url: modelUrl(m) }],
          );
          await settle();
          const cached = await page.evaluate(
            ([sp]) => window.engineBench.loadUrl(sp, false),
            [{ ...s, url: modelUrl(m) }],
          );
          urlText = `${fmt(cold.ms)} ms cold (cache cleared), ${fmt(cached.ms)} ms from cache`;
        } catch (err) {
          urlText = `failed: ${err.message.split('\n')[0]}`;
        }
        console.log(`for comparison, load from URL through wllama's cache: ${urlText}`);
        await page.evaluate(() => window.engineBench.unload());

        rows.push({
          model: m.name,
          threads: d.threads,
          loadMs,
          ttftMs: median(gen.map((r) => r.timeToFirstTokenMs)),
          prefill: median(gen.map((r) => r.prefillTokensPerSecond)),
          decode: median(gen.map((r) => r.decodeTokensPerSecond)),
          scoreMs: median(score.map((r) => r.wallMs)),
          // Runs of one configuration differing more than 2× mark the row as unsteady.
          unsteady: [
            gen.map((r) => r.timeToFirstTokenMs),
            gen.map((r) => r.decodeTokensPerSecond),
            score.map((r) => r.wallMs),
          ].some((v) => Math.max(...v) > 2 * Math.min(...v)),
          promptTokens: g.promptTokens,
        });
      }
    }

    // Comlink overhead on the tiny model, 1 thread (the app's default on a 2-core machine).
    t = step(
      `engine: Comlink overhead (tiny, 1 thread, ${COMLINK_CALLS} pairs of scoreLetters calls, ` +
        `direct in the worker then via Comlink)`,
    );
    const tiny = MODELS[0];
    await settle();
    await page.evaluate(
      ([url, sp]) => window.engineBench.loadBlob(url, sp),
      [modelUrl(tiny), spec(tiny, 1)],
    );
    const warm = await warmUp(page);
    console.log(
      `warm-up rounds (generate + scoreLetters), ms: ${warm.map((x) => fmt(x)).join(', ')}`,
    );
    const pairs = await page.evaluate(
      ([req, n]) => window.engineBench.comlinkPairs(req, n),
      [SCORE, COMLINK_CALLS],
    );
    const pings = await page.evaluate(
      ([n, batches]) => window.engineBench.ping(n, batches),
      [PINGS / PING_BATCHES, PING_BATCHES],
    );
    await page.evaluate(() => window.engineBench.unload());
    const sum = (list) => list.reduce((a, b) => a + b, 0);
    comlink = {
      directMs: sum(pairs.direct) / COMLINK_CALLS,
      viaMs: sum(pairs.via) / COMLINK_CALLS,
      // Calls vary by far more than Comlink costs, so the difference of the means comes with
      // its standard error, to show whether it is more than noise.
      standardErrorMs: Math.sqrt((variance(pairs.direct) + variance(pairs.via)) / COMLINK_CALLS),
      // Precise: the same call timed on both sides, page wall time minus the engine's own total
      // (Comlink both ways, the host wrapper and the structured clone of request and result).
      sameCallMs: median(pairs.via.map((v, i) => v - pairs.inEngine[i])),
      // The median batch: a slow spell of the machine spoils one batch, not the figure.
      pingUs: (median(pings) * 1000) / (PINGS / PING_BATCHES),
    };
    const list = (values) => values.map((x) => fmt(x, 1)).join(' ');
    console.log(`direct, in the worker, ms: ${list(pairs.direct)}`);
    console.log(`via Comlink from the page, ms: ${list(pairs.via)}`);
    console.log(
      `totals: direct ${fmt(sum(pairs.direct))} ms, via Comlink ${fmt(sum(pairs.via))} ms; ` +
        `per call, page wall time minus the engine's own timing of the same call: ` +
        `median ${fmt(comlink.sameCallMs, 2)} ms`,
    );
    console.log(
      `ping, ms per ${fmt(PINGS / PING_BATCHES)} round trips: ${list(pings)} ` +
        `(median batch → ${fmt(comlink.pingUs, 1)} µs each)`,
    );
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }

  const cols = [
    ['model', 16, (r) => r.model],
    ['threads', 9, (r) => String(r.threads)],
    ['load ms', 9, (r) => fmt(r.loadMs)],
    ['TTFT ms', 9, (r) => fmt(r.ttftMs, 1)],
    ['prefill tok/s', 15, (r) => fmt(r.prefill)],
    ['decode tok/s', 14, (r) => fmt(r.decode)],
    ['score ms', 0, (r) => fmt(r.scoreMs, 1) + (r.unsteady ? '  *' : '')],
  ];
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(cols[i][1]))
      .join('')
      .trimEnd();
  console.log(
    [
      '',
      '== engine (wllama, CPU)',
      line(cols.map((c) => c[0])),
      ...rows.map((r) => line(cols.map((c) => c[2](r)))),
      `prompt: ${rows[0].promptTokens} tokens (chat template included), generate maxTokens 64 ` +
        `at temperature 0; medians of ${GENERATE_RUNS} (generate) and ${SCORE_RUNS} ` +
        `(scoreLetters A–E, wall time through Comlink) after warm-up rounds`,
      `load = fetch into a Blob + load as a local file, wllama cache not used, median of ` +
        `${LOADS}; the first load in the page took ${fmt(firstLoadMs)} ms (every load starts a ` +
        `new wllama worker: most of the tiny model's load time is that start-up, not its size)`,
      ...(rows.some((r) => r.unsteady)
        ? [
            '* runs of this row differ more than 2× (see the per-run figures above): the CPU ' +
              'time available to the page varied meanwhile',
          ]
        : []),
      `Comlink: ping round trip ${fmt(comlink.pingUs, 1)} µs; scoreLetters (tiny, 1 thread, ` +
        `${COMLINK_CALLS} alternated calls each) direct ${fmt(comlink.directMs, 2)} ms vs via ` +
        `Comlink ${fmt(comlink.viaMs, 2)} ms (difference ` +
        `${fmt(comlink.viaMs - comlink.directMs, 2)} ± ${fmt(comlink.standardErrorMs, 2)} ms, ` +
        `ratio ${fmt(comlink.directMs / comlink.viaMs, 2)}); overhead on the same call ` +
        `(page wall time − engine's own time): ${fmt(comlink.sameCallMs, 2)} ms/call`,
      'GPU: none on this machine; web-llm figures for a real model need a GPU machine with ' +
        'model weights, not available here.',
    ].join('\n'),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await runEngineBench();
}
