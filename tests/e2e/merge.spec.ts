// Merged and quantized GGUF files from src/lib/merge, loaded by the real wllama (llama.cpp):
// the files are valid models, and llama.cpp's own Q4_K kernels agree with our dequantizer.
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

const dir = mkdtempSync(join(tmpdir(), 'merge-e2e-'));
const basePath = join(dir, 'base.gguf');
// Rows of 256 so that the Q4_K copy really is Q4_K (narrower rows fall back to Q4_0).
writeFileSync(
  basePath,
  buildTinyModel({ ...DEFAULT_TINY_MODEL_OPTIONS, dim: 256, ffn: 256 }).bytes,
);

const fromFile = (path: string) =>
  readGgufModel(blobSource(new Blob([readFileSync(path) as Uint8Array<ArrayBuffer>]), path));

async function loadLocal(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page
    .getByTestId('gguf-file')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  await page.getByTestId('model-local').filter({ hasText: name }).getByTestId('load-local').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-model', name, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
}

async function probs(page: Page): Promise<number[]> {
  await page.getByTestId('try-score').click();
  const rows = page.getByTestId('try-probs').locator('tr');
  await expect(rows).toHaveCount(5);
  const out: number[] = [];
  for (const row of await rows.all()) out.push(Number(await row.getAttribute('data-prob')));
  return out;
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

test('a TIES merge and a Q4_K copy load in wllama; llama.cpp on Q4_K agrees with our dequantized F32', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const aPath = join(dir, 'a.gguf');
  const bPath = join(dir, 'b.gguf');
  const qPath = join(dir, 'base-q4k.gguf');
  await deriveModel({ from: basePath, out: aPath, deltaScale: 0.05, seed: 1 });
  await deriveModel({
    from: basePath,
    out: bPath,
    deltaScale: 0.05,
    deltaTensors: ['attn', 'ffn_up'],
    seed: 2,
  });
  await deriveModel({ from: basePath, out: qPath, seed: 0, type: 'q4_k' });

  const base = await fromFile(basePath);
  const merged = memorySink();
  await mergeModels({
    base,
    models: [await fromFile(aPath), await fromFile(bPath)],
    recipe: {
      method: 'ties',
      base: 'base.gguf',
      models: [
        { source: 'a.gguf', weight: 0.6, density: 0.5 },
        { source: 'b.gguf', weight: 0.4, density: 0.5 },
      ],
      lambda: 1,
      t: 0.5,
      seed: 0,
      outType: 'q8_0',
    },
    sink: merged,
  });
  // The Q4_K copy decoded by our reader and written as F32 (a one-model linear merge is the identity).
  const q4k = await fromFile(qPath);
  const decoded = memorySink();
  await mergeModels({
    base: q4k,
    models: [q4k],
    recipe: {
      method: 'linear',
      base: 'q',
      models: [{ source: 'q', weight: 1, density: 1 }],
      lambda: 1,
      t: 0.5,
      seed: 0,
      outType: 'f32',
    },
    sink: decoded,
  });

  await page.goto('/#model');
  await expect(page.getByTestId('device-card')).toBeVisible();
  await loadLocal(page, 'merged-ties.gguf', merged.bytes());
  const mergedProbs = await probs(page);
  expect(mergedProbs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);

  await loadLocal(page, 'base.gguf', readFileSync(basePath));
  const original = await probs(page);
  await loadLocal(page, 'base-q4k.gguf', readFileSync(qPath));
  const quantized = await probs(page);
  await loadLocal(page, 'base-q4k-decoded.gguf', decoded.bytes());
  const ours = await probs(page);
  // llama.cpp multiplies Q4_K weights against 8-bit activations, so it is close to, not equal to,
  // the same weights in F32; quantization itself moves the answer further.
  // Measured: 1.4e-4 between llama.cpp on Q4_K and our F32 decoding, 0.05 to the unquantized model.
  expect(maxDiff(quantized, ours)).toBeLessThan(0.005);
  expect(maxDiff(quantized, ours)).toBeLessThan(maxDiff(quantized, original));
  expect(maxDiff(mergedProbs, original)).toBeGreaterThan(0);
});
