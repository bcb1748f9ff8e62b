// The Merge section of the Model step: parents from a URL (range requests) and local files, the
// merge in its worker written to OPFS, listed with its recipe and parents' hashes, loaded in
// wllama, kept across a reload, deleted; a cancelled merge keeps nothing; "Merge and evaluate"
// runs the merge and its parents on the same questions and compares them (McNemar).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { readGgufModel } from '../../src/lib/merge/gguf-model';
import { memorySink } from '../../src/lib/merge/gguf-writer';
import { mergeModels } from '../../src/lib/merge/merge';
import { blobSource } from '../../src/lib/merge/source';
import { deriveModel } from '../../scripts/tiny-model/derive';
import { buildTinyModel, DEFAULT_TINY_MODEL_OPTIONS } from '../../scripts/tiny-model/model';
import { answersOf, DATA, expectStatus, MIRROR } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'merge-app-'));
const basePath = join(dir, 'base.gguf');
const aPath = join(dir, 'a.gguf');
const bPath = join(dir, 'b.gguf');
// The data server serves the same default tiny model at this address, with range requests.
const BASE_URL = `${DATA}/ranged/models/tiny.gguf`;

test.beforeAll(async () => {
  writeFileSync(basePath, buildTinyModel({ ...DEFAULT_TINY_MODEL_OPTIONS }).bytes);
  await deriveModel({ from: basePath, out: aPath, deltaScale: 0.05, seed: 1 });
  await deriveModel({
    from: basePath,
    out: bPath,
    deltaScale: 0.05,
    deltaTensors: ['ffn'],
    seed: 2,
  });
});

const fromFile = (path: string, name = path) =>
  readGgufModel(blobSource(new Blob([readFileSync(path) as Uint8Array<ArrayBuffer>]), name));

/** The content hash as docs/merging.md defines it, with node's own SHA-256. */
async function contentHash(bytes: Uint8Array): Promise<string> {
  const m = await readGgufModel(blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]), 'x'));
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest();
  const parts = [sha(bytes.subarray(0, m.dataOffset))];
  for (const t of m.tensors) parts.push(sha(bytes.subarray(t.offset, t.offset + t.byteSize)));
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

/** What is stored: merged model records and the files in OPFS's folder, with their SHA-256. */
async function stored(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const records = await new Promise<{ id: string; fileName: string; bytes: number }[]>(
      (resolve, reject) => {
        const req = db.transaction('mergedModels').objectStore('mergedModels').getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      },
    );
    db.close();
    const root = await navigator.storage.getDirectory();
    const folder = await root.getDirectoryHandle('merged-models', { create: true });
    const files: Record<string, string> = {};
    for await (const [name, handle] of folder as unknown as AsyncIterable<
      [string, FileSystemFileHandle]
    >) {
      const bytes = await (await handle.getFile()).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      files[name] = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    return { records, files };
  });
}

async function pickFiles(page: Page, paths: string[]): Promise<void> {
  await page.getByTestId('gguf-file').setInputFiles(paths);
  for (const p of paths)
    await expect(
      page.getByTestId('model-local').filter({ hasText: p.split('/').pop()! }),
    ).toBeVisible();
}

async function choose(
  page: Page,
  base: string,
  models: { key: string; weight: string; density: string }[],
): Promise<void> {
  await page.getByTestId('merge-base').selectOption(base);
  for (const m of models) {
    const row = page.getByTestId('merge-candidate').and(page.locator(`[data-key="${m.key}"]`));
    await row.getByTestId('merge-pick').check();
    await row.getByTestId('merge-weight').fill(m.weight);
    await row.getByTestId('merge-density').fill(m.density);
  }
}

async function probs(page: Page): Promise<number[]> {
  await page.getByTestId('try-score').click();
  const rows = page.getByTestId('try-probs').locator('tr');
  await expect(rows).toHaveCount(5);
  const out: number[] = [];
  for (const row of await rows.all()) out.push(Number(await row.getAttribute('data-prob')));
  return out;
}

test('a TIES merge of a URL base and two local fine-tunes: written to OPFS as Node writes it, listed with its recipe, loaded, kept, deleted', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto('/#model');
  await page.getByTestId('gguf-url').fill(BASE_URL);
  await page.getByTestId('gguf-add').click();
  await pickFiles(page, [aPath, bPath]);
  await choose(page, BASE_URL, [
    { key: 'file:a.gguf', weight: '0.6', density: '0.5' },
    { key: 'file:b.gguf', weight: '0.4', density: '0.5' },
  ]);
  await page.getByTestId('merge-method').selectOption('ties');
  await page.getByTestId('merge-out-type').selectOption('q8_0');
  await page.getByTestId('merge-label').fill('ties-ab');

  // Memory: the largest tensor (token_embd, n_vocab × 64) as float32 in the base, both
  // fine-tunes and the result, plus its encoded bytes (at most 4 per value): 5 × 4 × count;
  // and each parent's largest tensor as stored, read ahead while the one before is merged.
  const base = await fromFile(basePath, BASE_URL);
  const embedding = base.tensors.find((t) => t.name === 'token_embd.weight')!;
  const largest = Math.max(...base.tensors.map((t) => t.count));
  expect(largest).toBe(embedding.count);
  const largestStored = [basePath, aPath, bPath].map(async (p) => {
    const m = await fromFile(p, p);
    return Math.max(...m.tensors.map((t) => t.byteSize));
  });
  const readAhead = (await Promise.all(largestStored)).reduce((x, y) => x + y, 0);
  await expect(page.getByTestId('merge-memory')).toHaveAttribute(
    'data-bytes',
    String(5 * 4 * largest + readAhead),
  );

  // The same merge in Node, on the same bytes and the same recipe (the recipe is in the file).
  const expected = memorySink();
  const summary = await mergeModels({
    base,
    models: [await fromFile(aPath, 'a.gguf'), await fromFile(bPath, 'b.gguf')],
    recipe: {
      method: 'ties',
      base: BASE_URL,
      models: [
        { source: 'a.gguf', weight: 0.6, density: 0.5 },
        { source: 'b.gguf', weight: 0.4, density: 0.5 },
      ],
      lambda: 1,
      t: 0.5,
      seed: 0,
      outType: 'q8_0',
    },
    sink: expected,
  });
  const bytes = expected.bytes();
  const estimate = Number(await page.getByTestId('merge-output-size').getAttribute('data-bytes'));
  expect(Math.abs(estimate - bytes.byteLength)).toBeLessThan(256); // only the recipe's text differs

  await page.getByTestId('merge-start').click();
  const id = (await contentHash(bytes)).slice(0, 16);
  const row = page.getByTestId('model-merged');
  await expect(row).toHaveCount(1, { timeout: 60_000 });
  await expect(row).toHaveAttribute('data-id', id);
  await expect(row).toHaveAttribute('data-bytes', String(bytes.byteLength));
  await expect(page.getByTestId('merge-done')).toHaveAttribute('data-id', id);
  const files = (await stored(page)).files;
  expect(Object.values(files)).toEqual([createHash('sha256').update(bytes).digest('hex')]);

  // The recipe and the parents with their hashes.
  await row.getByTestId('merged-recipe').locator('summary').click();
  const parents = row.getByTestId('merged-parent');
  await expect(parents).toHaveCount(3);
  const hashes = [
    await contentHash(readFileSync(basePath)),
    await contentHash(readFileSync(aPath)),
    await contentHash(readFileSync(bPath)),
  ];
  expect(hashes).toEqual([summary.hashes.base, ...summary.hashes.models]);
  for (const [i, role] of ['base', 'model', 'model'].entries()) {
    await expect(parents.nth(i)).toHaveAttribute('data-role', role);
    await expect(parents.nth(i)).toHaveAttribute('data-hash', hashes[i]);
  }
  await expect(parents.nth(1)).toContainText('a.gguf');
  await expect(parents.nth(1)).toContainText('0.6');

  // Loaded in wllama at once.
  await row.getByTestId('load-merged').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-model', 'ties-ab');
  const first = await probs(page);
  expect(first.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);

  // Kept across a reload (the local files are gone; the merge is not), and loads the same.
  await page.reload();
  await expect(page.getByTestId('model-merged')).toHaveAttribute('data-id', id);
  await page.getByTestId('load-merged').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  expect(await probs(page)).toEqual(first);

  // Downloaded as it is stored.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('download-merged').click(),
  ]);
  expect(download.suggestedFilename()).toBe('ties-ab.gguf');
  expect(
    createHash('sha256')
      .update(readFileSync((await download.path())!))
      .digest('hex'),
  ).toBe(createHash('sha256').update(bytes).digest('hex'));

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('delete-merged').click();
  await expect(page.getByTestId('model-merged')).toHaveCount(0);
  expect(await stored(page)).toEqual({ records: [], files: {} });
});

test('a large merge shows tensors, bytes and time left, and a cancelled one keeps nothing; incompatible models are named', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const bigBase = join(dir, 'big-base.gguf');
  const bigFt = join(dir, 'big-ft.gguf');
  writeFileSync(
    bigBase,
    buildTinyModel({ ...DEFAULT_TINY_MODEL_OPTIONS, dim: 512, ffn: 2048, layers: 6 }).bytes,
  );
  await deriveModel({ from: bigBase, out: bigFt, deltaScale: 0.05, seed: 1 });
  await page.goto('/#model');
  await pickFiles(page, [bigBase, bigFt, aPath]);

  // A fine-tune of another base: every mismatch named, no merge offered.
  await choose(page, 'file:big-base.gguf', [{ key: 'file:a.gguf', weight: '1', density: '1' }]);
  await expect(page.getByTestId('merge-mismatches')).toContainText('a.gguf');
  await expect(page.getByTestId('merge-mismatches')).toContainText(
    'a.gguf: token_embd.weight is [64, 618], the base has [512, 618]',
  );
  await expect(page.getByTestId('merge-mismatches').locator('li')).toHaveCount(1 + 5 + 1);
  await expect(page.getByTestId('merge-start')).toBeDisabled();
  await page
    .getByTestId('merge-candidate')
    .and(page.locator('[data-key="file:a.gguf"]'))
    .getByTestId('merge-pick')
    .uncheck();

  await choose(page, 'file:big-base.gguf', [
    { key: 'file:big-ft.gguf', weight: '1', density: '0.3' },
  ]);
  await page.getByTestId('merge-method').selectOption('dare-ties');
  await page.getByTestId('merge-out-type').selectOption('f32');
  await expect(page.getByTestId('merge-mismatches')).toHaveCount(0);
  await page.getByTestId('merge-start').click();
  const progress = page.getByTestId('merge-progress');
  await expect(progress).toContainText('left', { timeout: 60_000 });
  const total = Number(await progress.getAttribute('data-tensors-total'));
  expect(total).toBe((await fromFile(bigBase)).tensors.length);
  expect(Number(await progress.getAttribute('data-bytes-written'))).toBeGreaterThan(0);
  expect(Number(await progress.getAttribute('data-tensors-done'))).toBeLessThan(total);
  await page.getByTestId('merge-cancel').click();
  await expect(page.getByTestId('merge-error')).toHaveAttribute('data-status', 'cancelled');
  await expect(progress).toHaveCount(0);
  await expect(page.getByTestId('model-merged')).toHaveCount(0);
  expect(await stored(page)).toEqual({ records: [], files: {} });
});

/** McNemar's exact two-sided p from the discordant counts, by the binomial sum. */
function mcnemar(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  let tail = 0;
  let choose = 1; // C(n, 0)
  for (let i = 0; i <= Math.min(b, c); i++) {
    tail += choose;
    choose = (choose * (n - i)) / (i + 1);
  }
  return Math.min(1, (2 * tail) / 2 ** n);
}

test('Merge and evaluate: the merge, its base and each fine-tune answer the same questions, a reload goes on, and the table pairs each parent with the merge', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expectStatus(page, 'ready');
  await page.goto('/#model');
  await pickFiles(page, [basePath, aPath, bPath]);
  await choose(page, 'file:base.gguf', [
    { key: 'file:a.gguf', weight: '1', density: '1' },
    { key: 'file:b.gguf', weight: '1', density: '1' },
  ]);
  await page.getByTestId('merge-method').selectOption('task-arithmetic');
  await page.getByTestId('merge-eval-split').selectOption('cmexam/val');
  await page.getByTestId('merge-eval-count').fill('20');
  await page.getByTestId('merge-evaluate').click();
  const status = page.getByTestId('merge-eval-status');
  // Reload while the second member (the base) is being evaluated.
  await expect(status).toHaveAttribute('data-at', '1', { timeout: 120_000 });
  const evaluationId = await status.getAttribute('data-id');
  await page.reload();
  await pickFiles(page, [basePath, aPath, bPath]);
  await page.getByTestId('evaluate-merged').click();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(status).toHaveAttribute('data-id', evaluationId!);

  await page.getByTestId('step-results').click();
  await page.getByTestId('results-tab-model-merges').click();
  const rows = page.getByTestId('merge-report-row');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(0)).toHaveAttribute('data-done', '20');
  const answers = [];
  for (let i = 0; i < 4; i++) {
    const runId = (await rows.nth(i).getAttribute('data-run-id'))!;
    const list = await answersOf(page, runId);
    expect(list).toHaveLength(20); // each question asked once, also across the reload
    answers.push(new Map(list.map((a) => [a.questionId, a.correct])));
  }
  expect([...answers[1].keys()].sort()).toEqual([...answers[0].keys()].sort());
  for (let i = 0; i < 4; i++) {
    const row = rows.nth(i);
    await expect(row).toHaveAttribute('data-role', ['merge', 'base', 'model', 'model'][i]);
    const correct = [...answers[i].values()].filter(Boolean).length;
    expect(Number(await row.getAttribute('data-accuracy'))).toBeCloseTo(correct / 20, 12);
    if (i === 0) {
      await expect(row).toHaveAttribute('data-p', '');
      continue;
    }
    let onlyMerge = 0;
    let onlyOther = 0;
    for (const [q, mergeRight] of answers[0]) {
      const otherRight = answers[i].get(q)!;
      if (mergeRight && !otherRight) onlyMerge++;
      if (otherRight && !mergeRight) onlyOther++;
    }
    await expect(row).toHaveAttribute('data-only-merge', String(onlyMerge));
    await expect(row).toHaveAttribute('data-only-other', String(onlyOther));
    expect(Number(await row.getAttribute('data-p'))).toBeCloseTo(mcnemar(onlyMerge, onlyOther), 12);
  }
});

interface StoredSearch {
  status: string;
  points: { key: string; stage: string; runId: string; score: number; mergedId: string | null }[];
  result: { base: number; layers: { layer: number; single: number[]; merged: number }[] } | null;
  finalMergedId: string | null;
}

async function storedSearch(page: Page, id: string): Promise<StoredSearch> {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const record = await new Promise<StoredSearch>((resolve, reject) => {
      const req = db.transaction('mergeSearches').objectStore('mergeSearches').get(id);
      req.onsuccess = () => resolve(req.result as StoredSearch);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return record;
  }, id);
}

test('a Hi-Merging search: grid heat map, layers alone, refinement, final merge kept; a reload goes on without asking anything twice', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expectStatus(page, 'ready');
  await page.goto('/#model');
  const setUp = async () => {
    await pickFiles(page, [basePath, aPath, bPath]);
    await choose(page, 'file:base.gguf', [
      { key: 'file:a.gguf', weight: '1', density: '1' },
      { key: 'file:b.gguf', weight: '1', density: '1' },
    ]);
    await page.getByTestId('merge-eval-split').selectOption('cmexam/val');
    await page.getByTestId('merge-eval-count').fill('4');
    await page.getByTestId('hm-section').locator('summary').click();
    await page.getByTestId('hm-densities').fill('0.5, 1');
    await page.getByTestId('hm-weights').fill('0.5, 1');
    await page.getByTestId('hm-steps').fill('2');
  };
  await setUp();
  // 1 base + 2 × 2 grid + 2 layers × (2 fine-tunes + 1 merged) + 2 steps = 13.
  await expect(page.getByTestId('hm-budget')).toHaveAttribute('data-evaluations', '13');
  await page.getByTestId('hm-start').click();
  const status = page.getByTestId('hm-status');
  await expect(status).toHaveAttribute('data-points', '3', { timeout: 120_000 });
  const id = (await status.getAttribute('data-id'))!;
  await page.reload();
  await expect(status).toHaveAttribute('data-status', 'stopped');
  const before = await storedSearch(page, id);
  await setUp();
  await page.getByTestId('hm-start').click();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 240_000 });

  const search = await storedSearch(page, id);
  // Points scored before the reload kept their runs and scores.
  for (const p of before.points.filter((p) => p.score !== null))
    expect(search.points.find((q) => q.key === p.key)).toMatchObject({
      runId: p.runId,
      score: p.score,
    });
  // Every score is its run's accuracy on the 4 questions, each asked once.
  for (const p of search.points) {
    const answers = await answersOf(page, p.runId);
    expect(answers).toHaveLength(4);
    expect(p.score).toBe(answers.filter((a) => a.correct).length / 4);
  }
  expect(new Set(search.points.map((p) => p.runId)).size).toBe(search.points.length);
  expect(search.points.slice(0, 5).map((p) => p.key)).toEqual([
    'base',
    'grid:0.5:0.5',
    'grid:0.5:1',
    'grid:1:0.5',
    'grid:1:1',
  ]);
  // The heat map shows the grid's scores.
  const cells = page.getByTestId('hm-cell');
  await expect(cells).toHaveCount(4);
  for (const cell of await cells.all()) {
    const key = `grid:${await cell.getAttribute('data-density')}:${await cell.getAttribute('data-weight')}`;
    expect(Number(await cell.getAttribute('data-score'))).toBe(
      search.points.find((p) => p.key === key)!.score,
    );
  }
  await expect(page.locator('[data-testid="hm-cell"][data-best="yes"]')).toHaveCount(1);
  // Each layer's operation follows docs/merging.md's rule, recomputed here from the scores.
  const base = search.points.find((p) => p.key === 'base')!.score;
  const layers = page.getByTestId('hm-layer');
  await expect(layers).toHaveCount(2);
  for (let i = 0; i < 2; i++) {
    const single = [0, 1].map(
      (j) => search.points.find((p) => p.key === `single:${i}:${j}`)!.score,
    );
    const merged = search.points.find((p) => p.key === `merged:${i}`)!.score;
    const conflict = Math.max(base, ...single) - merged > 0;
    const hurting = single.filter((s) => s < base).length;
    const op = !conflict ? '' : hurting === 2 ? 'rescale' : hurting === 1 ? 'drop' : 'prune';
    await expect(layers.nth(i)).toHaveAttribute('data-op', op);
  }
  // Only the final merge is kept: listed among the models, its file the only one in OPFS.
  const final = page.getByTestId('hm-final');
  const finalId = (await final.getAttribute('data-id'))!;
  expect(finalId).toMatch(/^[0-9a-f]{16}$/);
  await expect(page.getByTestId('model-merged')).toHaveCount(1);
  await expect(page.getByTestId('model-merged')).toHaveAttribute('data-id', finalId);
  const files = await stored(page);
  expect(files.records.map((r) => r.id)).toEqual([finalId]);
  expect(Object.keys(files.files)).toHaveLength(1);
});
