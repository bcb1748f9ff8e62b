// `npm run bench:gpu`: how fast the app's web-llm engine runs a real model library on WebGPU,
// next to its wllama engine (CPU) on a GGUF of the same shape, both driven through the app
// itself as a user drives it (Model step, Try panel, a `choice` run on CMExam val questions).
// The model is the shared Qwen2-0.5B q4f32_1 library (../shared/webllm) with random weights from
// `npm run model:mlc`; the app is built with web-llm 0.2.79, the release that loads it. The
// weights are random, so every figure is speed only. Prints figures; asserts nothing.
//
//   npm run bench:gpu -- [--questions 100] [--adapter gpu|lavapipe|swiftshader] [--threads N]
//                        [--no-wllama] [--wllama-questions N] [--out figures.json]
//                        [--prebuilt <dir>] [--tools <dir>]
//
// --prebuilt and --tools are what the device pack (gpu-pack.mjs, gpu-device.py) passes on a
// machine without npm: the app already built (`<dir>/gpu-app`, `<dir>/gpu-app-compat`) and the
// model generators bundled into single files (`<dir>/mlc-model.mjs`, `<dir>/tiny-model.mjs`).
//
// --adapter gpu (default) tries Chromium flag sets for a hardware WebGPU adapter (Vulkan) and
// uses the first that gives one, printing what each gave (and, with --out, writing chrome://gpu
// as each set left it to gpu-chrome.txt beside the figures); lavapipe is Mesa's software Vulkan
// through Dawn's OpenGL ES adapter (the CI recipe: a CPU-only check of this script);
// swiftshader is Chromium's own software adapter. Environment: CHROMIUM_PATH, CMEXAM_SHARED,
// WEBLLM_SHARED, and VK_ICD_FILENAMES / VK_DRIVER_FILES when the GPU's Vulkan driver is not found.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fmt, launchChromium, median, root, run, since, step } from './common.mjs';
import { startServer } from './server.mjs';

const LIBRARY_FILE = 'Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm';
const shared = process.env.CMEXAM_SHARED ?? resolve(root, '../shared/cmexam');
const webllmShared = process.env.WEBLLM_SHARED ?? resolve(shared, '../webllm');
const cacheDir = resolve(root, '.cache/bench');
const mlcDir = resolve(root, '.cache/mlc-qwen2-random');
const GGUF = 'qwen2-shape-f16.gguf';
// Qwen2-0.5B's shape (hidden 896, 24 layers, 14 heads of 64, 2 KV heads, FFN 4864, vocabulary
// 151,936) as a llama GGUF in F16: the tiny-model generator's architecture, the same matrices.
const GGUF_ARGS = [
  '--dim', '896', '--layers', '24', '--heads', '14', '--kv-heads', '2', '--ffn', '4864',
  '--vocab', '151936', '--ctx', '4096', '--ftype', 'f16',
]; // prettier-ignore
const TRY_TOKENS = 32;
const LAVAPIPE_DIR = '/usr/share/vulkan/icd.d';

/**
 * Flag sets tried, in order, for a hardware adapter. Not yet tried on an NVIDIA machine: they are
 * what Linux users report working (gpuweb/gpuweb#5022: since Chrome 131, Vulkan alone may not be
 * enough without VulkanFromANGLE and DefaultANGLEVulkan); `--disable-vulkan-surface` because a
 * headless server has no display to present to.
 */
const VULKAN_FEATURES = '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan';
const GPU_FLAG_SETS = [
  [VULKAN_FEATURES, '--use-vulkan=native', '--use-angle=vulkan', '--disable-vulkan-surface'],
  [VULKAN_FEATURES],
  ['--enable-features=Vulkan', '--use-vulkan=native', '--use-angle=vulkan', '--disable-vulkan-surface'],
  ['--enable-features=Vulkan', '--use-angle=vulkan'],
  ['--enable-features=Vulkan'],
  [],
]; // prettier-ignore
const COMMON_FLAGS = ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist'];
/** A flag set whose page gives no adapter in this long has hung (seen here: native Vulkan). */
const PROBE_S = 60;

/** The app as the bench serves it: web-llm 0.2.79, and the compatibility adapter if asked. */
export function buildGpuApp(outDir, compat) {
  const build = compat ? 'VITE_WEBGPU_COMPAT=1 ' : '';
  run('sh', [
    '-c',
    `CMEXAM_WEBLLM_RUNTIME=web-llm-0279 ${build}npx vite build --logLevel warn --outDir '${outDir}'`,
  ]);
}

function parseArgs(argv) {
  const o = {
    questions: 100,
    wllamaQuestions: null,
    adapter: 'gpu',
    threads: null,
    wllama: true,
    out: null,
    prebuilt: null,
    tools: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--questions') o.questions = Number(value());
    else if (a === '--adapter') o.adapter = value();
    else if (a === '--threads') o.threads = Number(value());
    else if (a === '--no-wllama') o.wllama = false;
    else if (a === '--wllama-questions') o.wllamaQuestions = Number(value());
    else if (a === '--out') o.out = resolve(value());
    else if (a === '--prebuilt') o.prebuilt = resolve(value());
    else if (a === '--tools') o.tools = resolve(value());
    else throw new Error(`unknown argument ${a}`);
  }
  o.wllamaQuestions ??= o.questions;
  for (const [flag, n] of [
    ['--questions', o.questions],
    ['--wllama-questions', o.wllamaQuestions],
  ]) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`);
  }
  if (!['gpu', 'lavapipe', 'swiftshader'].includes(o.adapter)) {
    throw new Error('--adapter must be gpu, lavapipe or swiftshader');
  }
  return o;
}

function lavapipeIcd() {
  const file = existsSync(LAVAPIPE_DIR)
    ? readdirSync(LAVAPIPE_DIR).find((f) => /^lvp_icd\..*\.json$/.test(f))
    : undefined;
  if (!file) throw new Error('lavapipe not found: apt-get install mesa-vulkan-drivers');
  return `${LAVAPIPE_DIR}/${file}`;
}

/**
 * The adapter a page gets with these flags (the app's own request, and the compatibility one),
 * and, if asked, chrome://gpu's text as that browser shows it (why it gave no hardware adapter).
 */
async function probeAdapter(flags, env, origin, readGpuPage = false) {
  const browser = await launchChromium([...COMMON_FLAGS, ...flags], env);
  let timer;
  const hung = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${PROBE_S} s`)), PROBE_S * 1000);
  });
  try {
    return await Promise.race([probePage(browser, origin, readGpuPage), hung]);
  } finally {
    clearTimeout(timer);
    // A hung GPU process can hang the close too: give up on it after a while (Playwright ends
    // the browser when this process exits).
    await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10_000))]);
  }
}

async function probePage(browser, origin, readGpuPage) {
  const page = await browser.newPage();
  await page.goto(`${origin}/probe/`);
  const adapters = await page.evaluate(async () => {
    const describe = async (options) => {
      const a = await navigator.gpu?.requestAdapter(options);
      if (!a) return null;
      return {
        vendor: a.info.vendor,
        architecture: a.info.architecture,
        description: a.info.description,
        fallback: a.info.isFallbackAdapter ?? false,
        f16: a.features.has('shader-f16'),
      };
    };
    return {
      plain: await describe({ powerPreference: 'high-performance' }),
      compatibility: await describe({ featureLevel: 'compatibility' }),
    };
  });
  return { ...adapters, gpuPage: readGpuPage ? await chromeGpuPage(page) : null };
}

/** chrome://gpu's text (its content sits in a shadow root), or why it could not be read. */
async function chromeGpuPage(page) {
  try {
    await page.goto('chrome://gpu');
    // The page fills itself in after load: wait for its first section, then take the text.
    const ready = await page.waitForFunction(
      () => {
        const text = document
          .querySelector('info-view')
          ?.shadowRoot?.querySelector('#content')?.innerText;
        return text?.includes('Graphics Feature Status') ? text : false;
      },
      null,
      { timeout: 10_000 },
    );
    return await ready.jsonValue();
  } catch (error) {
    return `(chrome://gpu could not be read: ${String(error?.message ?? error).split('\n')[0]})`;
  }
}

/** chrome://gpu's one-line verdicts on Vulkan and WebGPU, e.g. "Vulkan: Enabled". */
function gpuVerdicts(gpuPage) {
  return gpuPage
    .split('\n')
    .filter((line) => /^(Vulkan|WebGPU): /.test(line.trim()))
    .map((line) => line.trim())
    .join(' · ');
}

const isSoftware = (a) =>
  !a || a.fallback || a.architecture === 'swiftshader' || /llvmpipe|lavapipe/i.test(a.description);
const adapterName = (a) =>
  a
    ? [a.vendor, a.architecture, a.description].filter(Boolean).join(' · ') ||
      'an adapter that gives no vendor or architecture'
    : 'none';

/**
 * Chromium flags, environment and build variant for the chosen adapter. For `gpu`, chrome://gpu
 * as each flag set left it goes to `gpuReport` (when given): on a machine where no set gives a
 * hardware adapter, that file says why, without another call.
 */
async function chooseAdapter(kind, origin, gpuReport) {
  if (kind === 'lavapipe') {
    const icd = lavapipeIcd();
    const env = { ...process.env, VK_ICD_FILENAMES: icd, VK_DRIVER_FILES: icd };
    const flags = ['--use-webgpu-adapter=opengles'];
    const got = await probeAdapter(flags, env, origin);
    console.log(`  lavapipe (compatibility adapter): ${adapterName(got.compatibility)}`);
    return { flags, env, compat: true, adapter: got.compatibility };
  }
  if (kind === 'swiftshader') {
    const got = await probeAdapter([], process.env, origin);
    console.log(`  SwiftShader: ${adapterName(got.plain)}`);
    return { flags: [], env: process.env, compat: false, adapter: got.plain };
  }
  const report = [];
  const keepReport = () => {
    if (!gpuReport) return;
    writeFileSync(gpuReport, report.join('\n\n'));
    console.log(`  chrome://gpu for each flag set written to ${gpuReport}`);
  };
  for (const flags of GPU_FLAG_SETS) {
    const name = `flags [${flags.join(' ')}]`;
    let got;
    try {
      got = await probeAdapter(flags, process.env, origin, true);
    } catch (error) {
      // A flag set can crash the GPU process or the page (seen here with native Vulkan on a
      // machine with only lavapipe): that set fails, the next is still worth trying.
      const why = String(error?.message ?? error).split('\n')[0];
      console.log(`  ${name}: failed (${why})`);
      report.push(`=== ${name}: failed (${why})`);
      continue;
    }
    const verdicts = gpuVerdicts(got.gpuPage);
    console.log(`  ${name}: ${adapterName(got.plain)}${verdicts ? ` (${verdicts})` : ''}`);
    report.push(`=== ${name}: ${adapterName(got.plain)}\n${got.gpuPage}`);
    if (!isSoftware(got.plain)) {
      keepReport();
      return { flags, env: process.env, compat: false, adapter: got.plain };
    }
  }
  keepReport();
  throw new Error(
    'No hardware WebGPU adapter with any flag set above. Check `nvidia-smi`, that a Vulkan ' +
      'loader is installed (libvulkan1), and set VK_ICD_FILENAMES/VK_DRIVER_FILES to the ' +
      "driver's ICD file (e.g. /usr/share/vulkan/icd.d/nvidia_icd.json).",
  );
}

/** In the app page: each loading phase's start, and when the engine became ready. */
function observeEngine() {
  const b = { phases: [], readyAt: null };
  window.__gpuBench = b;
  new MutationObserver(() => {
    const status = document.querySelector('[data-testid="engine-status"]');
    const phase = document
      .querySelector('[data-testid="model-progress"]')
      ?.getAttribute('data-phase');
    if (phase && b.phases.at(-1)?.phase !== phase) b.phases.push({ phase, at: performance.now() });
    if (status?.getAttribute('data-status') === 'ready' && b.readyAt === null) {
      b.readyAt = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

/** Unloads the model and waits until the engine says so. */
async function unloadModel(page) {
  await page.getByTestId('unload').click();
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="engine-status"]')?.getAttribute('data-status') ===
      'idle',
  );
}

/** Clicks `load`, waits for the model; returns the load time and the time in each phase. */
async function timedLoad(page, load) {
  await page.evaluate(() => {
    window.__gpuBench.phases = [];
    window.__gpuBench.readyAt = null;
  });
  const started = await page.evaluate(() => performance.now());
  await load();
  await page.waitForFunction(
    () => {
      const s = document
        .querySelector('[data-testid="engine-status"]')
        ?.getAttribute('data-status');
      if (s === 'error')
        throw new Error(
          document.querySelector('[data-testid="engine-error"]')?.textContent ?? 'load failed',
        );
      return s === 'ready';
    },
    null,
    { timeout: 30 * 60_000, polling: 200 },
  );
  const b = await page.evaluate(() => window.__gpuBench);
  const end = b.readyAt ?? (await page.evaluate(() => performance.now()));
  const phaseMs = {};
  b.phases.forEach((p, i) => {
    const until = b.phases[i + 1]?.at ?? end;
    phaseMs[p.phase] = (phaseMs[p.phase] ?? 0) + (until - p.at);
  });
  return { ms: end - started, phaseMs };
}

/** Generates TRY_TOKENS tokens from the Try panel's own prompt; its prefill and decode figures. */
async function tryGenerate(page) {
  await page.getByTestId('try-max-tokens').fill(String(TRY_TOKENS));
  await page.getByTestId('try-generate').click();
  await page.getByTestId('try-output').waitFor({ timeout: 30 * 60_000 });
  const text = (await page.getByTestId('try-stats').textContent()) ?? '';
  const m =
    /^(\d+) \+ (\d+) tokens · \w+ · prefill ([\d.,n/a]+) tok\/s · decode ([\d.,n/a]+) tok\/s/.exec(
      text.trim(),
    );
  const num = (s) => (s && s !== 'n/a' ? Number(s.replace(/,/g, '')) : null);
  return m
    ? { promptTokens: Number(m[1]), tokens: Number(m[2]), prefill: num(m[3]), decode: num(m[4]) }
    : { promptTokens: null, tokens: null, prefill: null, decode: null, stats: text };
}

/** A `choice` run on the first `n` val questions with the loaded model; its stored answers. */
async function choiceRun(page, n) {
  await page.getByTestId('step-run').click();
  await page.getByTestId('run-split').selectOption('cmexam/val');
  await page.getByTestId('run-subset').selectOption('first');
  await page.getByTestId('run-n').fill(String(n));
  await page.getByTestId('run-method').selectOption('choice');
  await page.getByTestId('run-prompt').selectOption('zero-shot');
  const status = page.getByTestId('run-status');
  const before = await status.getAttribute('data-run-id');
  const started = Date.now();
  await page.getByTestId('run-start').click();
  // The status shows the previous run until the new one is created.
  await page.waitForFunction(
    (before) => {
      const hook = document.querySelector('[data-testid="run-status"]');
      if (!hook || hook.getAttribute('data-run-id') === before) return false;
      const s = hook.getAttribute('data-status');
      if (s === 'error') throw new Error('the run stopped with an error');
      return s === 'done';
    },
    before,
    { timeout: 24 * 60 * 60_000, polling: 500 },
  );
  const wallMs = Date.now() - started;
  const runId = await status.getAttribute('data-run-id');
  const answers = await page.evaluate(async (runId) => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('cmexam-eval');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const rows = await new Promise((ok, fail) => {
      const r = db
        .transaction('answers')
        .objectStore('answers')
        .index('runId')
        .getAll(IDBKeyRange.only(runId));
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    db.close();
    return rows.map((a) => ({
      createdAt: a.createdAt,
      latencyMs: a.latencyMs,
      promptTokens: a.calls[0]?.promptTokens ?? null,
      prefill: a.calls[0]?.timings?.prefillTokensPerSecond ?? null,
      status: a.status,
    }));
  }, runId);
  const times = answers.map((a) => Date.parse(a.createdAt)).sort((a, b) => a - b);
  // Steady state: from the first stored answer to the last (no start-up), when there are 3+.
  const steadyQpm =
    times.length >= 3 ? ((times.length - 1) / (times.at(-1) - times[0])) * 60_000 : null;
  return {
    questions: answers.length,
    errors: answers.filter((a) => a.status === 'error').length,
    wallMs,
    qpm: (answers.length / wallMs) * 60_000,
    steadyQpm,
    latencyMs: median(answers.map((a) => a.latencyMs)),
    promptTokens: median(answers.map((a) => a.promptTokens)),
    prefill: median(answers.map((a) => a.prefill)),
  };
}

function printEngine(name, f) {
  console.log(`\n${name}`);
  const PHASES = {
    init: 'setting up',
    download: 'download',
    cache: 'from the cache',
    compile: 'shaders',
  };
  const phases = (load) =>
    Object.entries(load.phaseMs)
      .map(([p, ms]) => `${PHASES[p] ?? p} ${fmt(ms / 1000, 1)} s`)
      .join(', ');
  console.log(`  first load ${fmt(f.firstLoad.ms / 1000, 1)} s (${phases(f.firstLoad)})`);
  if (f.reload) {
    console.log(
      `  reload from the cache ${fmt(f.reload.ms / 1000, 1)} s (${phases(f.reload)}); shader ` +
        `compilation ${fmt((f.reload.phaseMs.compile ?? 0) / 1000, 1)} s`,
    );
  }
  console.log(
    `  Try panel, ${f.try.promptTokens ?? '?'}-token prompt, ${f.try.tokens ?? '?'} tokens: ` +
      `prefill ${fmt(f.try.prefill, 1)} tok/s, decode ${fmt(f.try.decode, 1)} tok/s`,
  );
  const r = f.run;
  console.log(
    `  choice run, ${r.questions} CMExam val questions (${r.errors} errors), median prompt ` +
      `${fmt(r.promptTokens)} tokens: prefill ${fmt(r.prefill, 1)} tok/s, ${fmt(r.latencyMs / 1000, 2)} s ` +
      `a question, ${fmt(r.qpm, 2)} questions/min over the whole run` +
      (r.steadyQpm === null ? '' : ` (${fmt(r.steadyQpm, 2)} from the first answer on)`),
  );
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const library = resolve(webllmShared, LIBRARY_FILE);
  if (!existsSync(library)) throw new Error(`${library} not found: set WEBLLM_SHARED`);
  if (!existsSync(resolve(shared, 'val.csv'))) throw new Error(`val.csv not in ${shared}`);
  console.log('Random weights: these figures are speed only; the answers mean nothing.');

  // The model generators: through tsx in a checkout, bundled files in the device pack.
  const tool = (name, args) =>
    o.tools
      ? run(process.execPath, [resolve(o.tools, `${name}.mjs`), ...args])
      : run('npx', ['tsx', `scripts/${name}/cli.ts`, ...args]);
  let t = step('models');
  if (!existsSync(resolve(mlcDir, 'resolve/main/ndarray-cache.json'))) {
    tool('mlc-model', ['--lib', library, '--out', mlcDir]);
  }
  const gguf = resolve(cacheDir, GGUF);
  if (o.wllama && !existsSync(gguf)) {
    tool('tiny-model', [gguf, ...GGUF_ARGS]);
  }
  console.log(`  MLC model in ${mlcDir}, GGUF ${o.wllama ? gguf : '(skipped)'} (${since(t)})`);

  mkdirSync(resolve(cacheDir, 'probe'), { recursive: true });
  writeFileSync(resolve(cacheDir, 'probe/index.html'), '<!doctype html><title>probe</title>');
  const dataMounts = {
    '/probe/': resolve(cacheDir, 'probe'),
    '/data/williamliujl/CMExam/main/data/': shared,
    '/data/mlc/qwen2-random/resolve/main/': resolve(mlcDir, 'resolve/main'),
    '/data/mlc/lib/': webllmShared,
    '/data/models/': cacheDir,
  };
  const probeServer = await startServer(dataMounts);
  const probeOrigin = `http://127.0.0.1:${probeServer.port}`;
  t = step(`adapter (${o.adapter})`);
  const gpuReport = o.out ? resolve(dirname(o.out), 'gpu-chrome.txt') : null;
  const chosen = await chooseAdapter(o.adapter, probeOrigin, gpuReport);
  probeServer.server.close();
  console.log(`  using ${adapterName(chosen.adapter)} (${since(t)})`);

  const appName = chosen.compat ? 'gpu-app-compat' : 'gpu-app';
  let dist;
  if (o.prebuilt) {
    dist = resolve(o.prebuilt, appName);
    if (!existsSync(resolve(dist, 'index.html'))) throw new Error(`no prebuilt app in ${dist}`);
    console.log(`\n== the app with web-llm 0.2.79, prebuilt: ${dist}`);
  } else {
    t = step('build the app with web-llm 0.2.79');
    dist = resolve(cacheDir, appName);
    buildGpuApp(dist, chosen.compat);
    console.log(`  ${dist} (${since(t)})`);
  }

  const { server, port } = await startServer({ ...dataMounts, '/': dist });
  const origin = `http://127.0.0.1:${port}`;
  const browser = await launchChromium([...COMMON_FLAGS, ...chosen.flags], chosen.env);
  const figures = { adapter: chosen.adapter, flags: chosen.flags, questions: o.questions };
  try {
    const page = await browser.newPage();
    await page.addInitScript(observeEngine);
    t = step('CMExam val');
    const mirror = encodeURIComponent(`${origin}/data/williamliujl/CMExam/main/data/`);
    await page.goto(`${origin}/?dataset=cmexam&split=val&mirror=${mirror}`);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="dataset-status"]')?.getAttribute('data-status') ===
        'ready',
      null,
      { timeout: 5 * 60_000 },
    );
    console.log(`  imported (${since(t)})`);

    t = step('web-llm (WebGPU)');
    await page.getByTestId('step-model').click();
    await page.locator('summary', { hasText: 'Custom MLC model' }).click();
    await page.getByTestId('mlc-id').fill('qwen2-random');
    await page.getByTestId('mlc-url').fill(`${origin}/data/mlc/qwen2-random`);
    await page.getByTestId('mlc-lib').fill(`${origin}/data/mlc/lib/${LIBRARY_FILE}`);
    await page.getByTestId('mlc-add').click();
    const mlcLoad = () =>
      page
        .locator('[data-testid="mlc-custom"][data-id="qwen2-random"]')
        .getByTestId('load-custom-mlc')
        .click();
    const webllm = { firstLoad: await timedLoad(page, mlcLoad) };
    await unloadModel(page);
    webllm.reload = await timedLoad(page, mlcLoad);
    webllm.try = await tryGenerate(page);
    webllm.run = await choiceRun(page, o.questions);
    figures.webllm = webllm;
    printEngine(
      `web-llm 0.2.79, WebGPU on ${adapterName(chosen.adapter)}, Qwen2-0.5B q4f32_1 (${since(t)})`,
      webllm,
    );

    if (o.wllama) {
      t = step('wllama (CPU)');
      await page.getByTestId('step-model').click();
      await unloadModel(page);
      const threads = o.threads ?? (await page.evaluate(() => navigator.hardwareConcurrency));
      await page.getByTestId('threads').selectOption(String(threads));
      // Read in place as a local file: a browser context of Playwright's has too small a quota
      // to cache 1.3 GB in the origin's storage.
      await page.getByTestId('gguf-file').setInputFiles(gguf);
      const row = page.locator('[data-testid="model-local"]', { hasText: GGUF });
      const cpu = { firstLoad: await timedLoad(page, () => row.getByTestId('load-local').click()) };
      cpu.try = await tryGenerate(page);
      cpu.run = await choiceRun(page, o.wllamaQuestions);
      cpu.threads = threads;
      figures.wllama = cpu;
      printEngine(
        `wllama, CPU, ${threads} threads, same shape (llama, F16, 151,936-token vocabulary) (${since(t)})`,
        cpu,
      );
      const ratio = (a, b) => (a && b ? `${fmt(a / b, 2)}×` : 'n/a');
      console.log('\nweb-llm ÷ wllama');
      console.log(
        `  prefill ${ratio(webllm.run.prefill, cpu.run.prefill)}, decode ${ratio(webllm.try.decode, cpu.try.decode)}, ` +
          `questions/min ${ratio(webllm.run.qpm, cpu.run.qpm)}`,
      );
      console.log(
        '  (prompt lengths differ: the GGUF has its own small vocabulary, so the same question is ' +
          `${fmt(cpu.run.promptTokens)} tokens there and ${fmt(webllm.run.promptTokens)} in Qwen's)`,
      );
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log('\nRandom weights: speed only.');
  if (o.out) {
    writeFileSync(o.out, JSON.stringify(figures, null, 2));
    console.log(`Figures written to ${o.out}`);
  }
}

// Run only when executed directly: the device pack imports buildGpuApp.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
