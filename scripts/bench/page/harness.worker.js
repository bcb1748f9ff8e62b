// Baseline for the run harness: the app's WllamaEngine called in a bare loop inside a worker, on
// the same questions, prompts, model, seed and thread count as the app's run, with everything
// else (selection, prompt building, records, storage, progress) done outside the timed loop.
// Then, untimed by that loop, the harness's own costs measured apart: prompt building and the
// runner's per-answer IndexedDB transaction (a copy of it, on the app's AppDatabase class).
import Dexie from 'dexie';
import { AppDatabase } from '../../../src/lib/db/database.ts';
import { parseDataset } from '../../../src/lib/dataset/parse.ts';
import { questionId } from '../../../src/lib/dataset/ids.ts';
import { WllamaEngine } from '../../../src/lib/engines/wllama.ts';
import { buildPrompt } from '../../../src/lib/eval/prompts.ts';

const DB_NAME = 'bench-harness';

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ ok: true, result: await run(data) });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err?.stack ?? err) });
  }
};

async function* once(bytes) {
  yield bytes;
}

/** The run's questions: with multi=skip and subset first N, the first N single-answer rows. */
async function questionsOf(csvUrl, splitId, n) {
  const response = await fetch(csvUrl);
  if (!response.ok) throw new Error(`${csvUrl}: HTTP ${response.status}`);
  const body = new Uint8Array(await response.arrayBuffer());
  const rows = [];
  await parseDataset(once(body), { name: csvUrl }, (batch) => {
    rows.push(...batch);
  });
  return rows
    .filter((r) => !r.multi)
    .slice(0, n)
    .map((r) => ({
      id: questionId(splitId, r.row),
      row: r.row,
      question: r.question,
      options: r.options,
      answer: r.answer,
      explanation: r.explanation,
      annotations: r.annotations,
      multi: r.multi,
    }));
}

async function run({ csvUrl, modelUrl, splitId, n, threads, seed }) {
  const questions = await questionsOf(csvUrl, splitId, n);
  if (questions.length !== n) throw new Error(`only ${questions.length} single-answer questions`);

  // Prompt building, timed per question (the app builds each prompt inside its loop).
  const promptMs = [];
  const prompts = [];
  for (const q of questions) {
    const t = performance.now();
    prompts.push(await buildPrompt(q, { style: 'zero-shot', method: 'choice', shots: [] }));
    promptMs.push(performance.now() - t);
  }

  // Loaded from its URL, as the app loads the demo model (wllama's own download and cache).
  const engine = new WllamaEngine();
  const description = await engine.load(
    {
      backend: 'wllama',
      id: 'demo:tiny-random',
      label: 'Demo: tiny random model (CPU)',
      device: 'cpu',
      threads,
      contextSize: 2048,
      url: modelUrl,
    },
    () => {},
    new AbortController().signal,
  );

  // The bare loop: requests are built beforehand, so only the engine call is inside it.
  const requests = questions.map((q, i) => ({
    prompt: { messages: prompts[i].messages },
    letters: q.options.map((o) => o.key),
    seed,
  }));
  const results = [];
  const wallMs = [];
  for (const req of requests) {
    const t = performance.now();
    results.push(await engine.scoreLetters(req));
    wallMs.push(performance.now() - t);
  }

  // Where the harness's time goes, apart from the bare loop: the runner's per-answer storage,
  // first in a copy of its loop (right after each engine call, as in the app), then alone.
  const store = await openStore();
  const storeInLoopMs = [];
  for (let i = 0; i < requests.length; i++) {
    const r = await engine.scoreLetters(requests[i]);
    storeInLoopMs.push(await store.write(questions[i], prompts[i], requests[i], r));
  }
  await engine.unload();
  const storeAloneMs = [];
  for (let i = 0; i < requests.length; i++) {
    storeAloneMs.push(await store.write(questions[i], prompts[i], requests[i], results[i]));
  }
  await store.close();

  return {
    description,
    wallMs,
    engineMs: results.map((r) => r.timings.totalMs),
    promptTokens: results.map((r) => r.promptTokens),
    // For checking that the app's run scored the same prompts and got the same answers.
    predictions: results.map((r, i) => predict(requests[i].letters, r.probs)),
    messages: prompts.map((p) => p.messages),
    questionIds: questions.map((q) => q.id),
    promptMs,
    storeInLoopMs,
    storeAloneMs,
  };
}

/** The runner's rule: the most probable letter, ties to the earlier one. */
function predict(letters, probs) {
  return letters.reduce((best, l) => (probs[l] > probs[best] ? l : best), letters[0]);
}

/**
 * One answer's write as the runner makes it when answers come slower than its 250 ms window
 * (one answers.put; faster ones go a few to a transaction), on a fresh database with the app's
 * schema, for records shaped as the runner writes them. `write` returns the elapsed ms.
 */
async function openStore() {
  await Dexie.delete(DB_NAME);
  const db = new AppDatabase(DB_NAME);
  await db.open();
  const runId = 'bench-run';
  const now = () => new Date().toISOString();
  return {
    async write(q, prompt, req, r) {
      const prediction = predict(req.letters, r.probs);
      const record = {
        runId,
        questionId: q.id,
        row: q.row,
        promptHash: prompt.templateHash,
        calls: [
          {
            kind: 'answer',
            messages: prompt.messages,
            templateHash: prompt.templateHash,
            raw: prediction,
            promptTokens: r.promptTokens,
            completionTokens: 1,
            timings: r.timings,
          },
        ],
        raw: prediction,
        prediction,
        status: 'parsed',
        extractionRule: 'choice',
        gold: q.answer,
        correct: prediction === q.answer,
        optionProbs: r.probs,
        explanation: '',
        promptTokens: r.promptTokens,
        completionTokens: 1,
        latencyMs: r.timings.totalMs,
        attempts: 1,
        error: null,
        createdAt: now(),
      };
      const t = performance.now();
      await db.answers.put(record);
      return performance.now() - t;
    },
    async close() {
      db.close();
      await Dexie.delete(DB_NAME);
    },
  };
}
