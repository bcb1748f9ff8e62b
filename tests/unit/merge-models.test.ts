import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readGgufModel, readTensorValues, metadataValue } from '../../src/lib/merge/gguf-model';
import { memorySink } from '../../src/lib/merge/gguf-writer';
import { mergeModels, RECIPE_METADATA_KEY } from '../../src/lib/merge/merge';
import { blobSource } from '../../src/lib/merge/source';
import { mergeMismatches } from '../../src/lib/merge/compat';
import type { MergeRecipe } from '../../src/lib/merge/recipe';
import { parseMergeArgs } from '../../scripts/merge-cli';
import { deriveModel } from '../../scripts/tiny-model/derive';
import { buildTinyModel, DEFAULT_TINY_MODEL_OPTIONS } from '../../scripts/tiny-model/model';

const dir = mkdtempSync(join(tmpdir(), 'merge-'));
const basePath = join(dir, 'base.gguf');
writeFileSync(basePath, buildTinyModel({ ...DEFAULT_TINY_MODEL_OPTIONS }).bytes);

const load = async (path: string) =>
  readGgufModel(blobSource(new Blob([readFileSync(path) as Uint8Array<ArrayBuffer>]), path));
const loadBytes = async (bytes: Uint8Array) =>
  readGgufModel(blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]), 'merged.gguf'));

function recipe(over: Partial<MergeRecipe>): MergeRecipe {
  return {
    method: 'task-arithmetic',
    base: 'base',
    models: [],
    lambda: 1,
    t: 0.5,
    seed: 0,
    outType: 'f32',
    ...over,
  };
}

describe('merging GGUF models', () => {
  it('a fine-tune differs from its base only in the chosen tensors, and task arithmetic with weight 1 gives it back', async () => {
    const ftPath = join(dir, 'ft.gguf');
    const summary = await deriveModel({
      from: basePath,
      out: ftPath,
      deltaScale: 0.05,
      deltaTensors: ['attn_q'],
      seed: 1,
    });
    expect(summary.changed).toBe(2); // blk.0 and blk.1 attn_q
    const base = await load(basePath);
    const ft = await load(ftPath);
    const q = ft.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!;
    const k = ft.tensors.find((t) => t.name === 'blk.0.attn_k.weight')!;
    const baseQ = await readTensorValues(
      base,
      base.tensors.find((t) => t.name === q.name)!,
    );
    const ftQ = await readTensorValues(ft, q);
    const maxDelta = Math.max(...ftQ.map((v, i) => Math.abs(v - baseQ[i])));
    expect(maxDelta).toBeGreaterThan(0.04);
    expect(maxDelta).toBeLessThanOrEqual(0.05 + 1e-6);
    expect(Array.from(await readTensorValues(ft, k))).toEqual(
      Array.from(
        await readTensorValues(
          base,
          base.tensors.find((t) => t.name === k.name)!,
        ),
      ),
    );

    const sink = memorySink();
    await mergeModels({
      base,
      models: [ft],
      recipe: recipe({ models: [{ source: 'ft', weight: 1, density: 1 }] }),
      sink,
    });
    const merged = await loadBytes(sink.bytes());
    // base + 1·(ft − base) = ft, up to float32 rounding of the subtraction and addition
    const mq = await readTensorValues(
      merged,
      merged.tensors.find((t) => t.name === q.name)!,
    );
    mq.forEach((v, i) => expect(v).toBeCloseTo(ftQ[i], 6));
    expect(JSON.parse(String(metadataValue(merged, RECIPE_METADATA_KEY))).method).toBe(
      'task-arithmetic',
    );
    expect(metadataValue(merged, 'tokenizer.ggml.tokens')).toEqual(
      metadataValue(base, 'tokenizer.ggml.tokens'),
    );
  });

  it('hashes each parent and the output as header + tensors, and a merged file read back as a parent has the hash recorded for it', async () => {
    const ftPath = join(dir, 'ft-hash.gguf');
    await deriveModel({ from: basePath, out: ftPath, deltaScale: 0.05, seed: 3 });
    // The oracle: node's own SHA-256 over the parts, laid out by the GGUF reader.
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest();
    const expected = async (bytes: Uint8Array) => {
      const m = await loadBytes(bytes);
      const parts = [sha(bytes.subarray(0, m.dataOffset))];
      for (const t of m.tensors) parts.push(sha(bytes.subarray(t.offset, t.offset + t.byteSize)));
      return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
    };
    const sink = memorySink();
    const summary = await mergeModels({
      base: await load(basePath),
      models: [await load(ftPath)],
      recipe: recipe({
        method: 'task-arithmetic',
        models: [{ source: 'ft', weight: 0.5, density: 1 }],
        outType: 'q8_0',
      }),
      sink,
    });
    expect(summary.hashes.base).toBe(await expected(readFileSync(basePath)));
    expect(summary.hashes.models).toEqual([await expected(readFileSync(ftPath))]);
    expect(summary.hashes.output).toBe(await expected(sink.bytes()));
    const again = await mergeModels({
      base: await loadBytes(sink.bytes()),
      models: [await load(basePath)],
      recipe: recipe({ method: 'linear', models: [{ source: 'b', weight: 1, density: 1 }] }),
      sink: memorySink(),
    });
    expect(again.hashes.base).toBe(summary.hashes.output);
    expect(summary.hashes.base).not.toBe(summary.hashes.models[0]);
  });

  it('one layer alone: λ 1 at layer 1 and 0 elsewhere and outside the layers changes only layer 1', async () => {
    const ftPath = join(dir, 'ft-alone.gguf');
    await deriveModel({ from: basePath, out: ftPath, deltaScale: 0.05, seed: 4 });
    const base = await load(basePath);
    const ft = await load(ftPath);
    const sink = memorySink();
    await mergeModels({
      base,
      models: [ft],
      recipe: recipe({
        models: [{ source: 'ft', weight: 1, density: 1 }],
        lambda: [0, 1],
        outside: { lambda: 0 },
      }),
      sink,
    });
    const merged = await loadBytes(sink.bytes());
    const values = async (m: typeof base, name: string) =>
      Array.from(
        await readTensorValues(
          m,
          m.tensors.find((t) => t.name === name)!,
        ),
      );
    // Outside the layers and in layer 0: the base's values exactly (F32 out, λ 0).
    for (const name of ['token_embd.weight', 'output_norm.weight', 'blk.0.attn_q.weight'])
      expect(await values(merged, name)).toEqual(await values(base, name));
    // Layer 1: base + 1·(ft − base) = the fine-tune, to float32 rounding.
    const got = await values(merged, 'blk.1.attn_q.weight');
    const want = await values(ft, 'blk.1.attn_q.weight');
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    // (The fine-tune really differs there, so the layer did change.)
    expect(want).not.toEqual(await values(base, 'blk.1.attn_q.weight'));
  });

  it('reads per-layer weights as a gradient: layer 0 takes the first value, the last layer the last', async () => {
    const ftPath = join(dir, 'ft2.gguf');
    await deriveModel({ from: basePath, out: ftPath, deltaScale: 0.05, seed: 2 });
    const base = await load(basePath);
    const ft = await load(ftPath);
    const sink = memorySink();
    // 2 layers: layer 0 at t 0 → weight 0 (the base), layer 1 at t 1 → weight 1 (the fine-tune)
    await mergeModels({
      base,
      models: [ft],
      recipe: recipe({ models: [{ source: 'ft', weight: [0, 1], density: 1 }] }),
      sink,
    });
    const merged = await loadBytes(sink.bytes());
    const values = async (m: typeof base, name: string) =>
      readTensorValues(
        m,
        m.tensors.find((t) => t.name === name)!,
      );
    const l0 = await values(merged, 'blk.0.ffn_up.weight');
    const b0 = await values(base, 'blk.0.ffn_up.weight');
    l0.forEach((v, i) => expect(v).toBeCloseTo(b0[i], 6));
    const l1 = await values(merged, 'blk.1.ffn_up.weight');
    const f1 = await values(ft, 'blk.1.ffn_up.weight');
    l1.forEach((v, i) => expect(v).toBeCloseTo(f1[i], 6));
  });

  it('names every mismatch and writes nothing for incompatible models', async () => {
    const otherPath = join(dir, 'other.gguf');
    writeFileSync(
      otherPath,
      buildTinyModel({ ...DEFAULT_TINY_MODEL_OPTIONS, dim: 32, ffn: 64 }).bytes,
    );
    const sink = memorySink();
    await expect(
      mergeModels({
        base: await load(basePath),
        models: [await load(otherPath)],
        recipe: recipe({ models: [{ source: 'other', weight: 1, density: 1 }] }),
        sink,
      }),
    ).rejects.toThrow(/token_embd\.weight is \[32, 618\], the base has \[64, 618\]/);
    expect(sink.bytes().length).toBe(0);
    // Every one of its 21 tensors differs in shape: the first 5 are named, the other 16 counted.
    const problems = mergeMismatches(await load(basePath), [await load(otherPath)]);
    expect(problems.filter((p) => / is \[/.test(p))).toHaveLength(5);
    expect(problems.at(-1)).toMatch(/16 more tensors differ in shape from the base$/);
  });

  it('a write failing mid-merge, or a read failing ahead, rejects with its reason and aborts the sink', async () => {
    const base = await load(basePath);
    const taskRecipe = recipe({ models: [{ source: 'base', weight: 1, density: 1 }] });
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      // The header and three tensors are written, then the disk is full.
      let writes = 0;
      let aborted = 0;
      const failing = {
        write: async () => {
          if (++writes > 4) throw new Error('disk full');
        },
        close: async () => undefined,
        abort: async () => void aborted++,
      };
      await expect(
        mergeModels({ base, models: [base], recipe: taskRecipe, sink: failing }),
      ).rejects.toThrow('disk full');
      expect(aborted).toBe(1);

      // A model whose bytes cannot be read past its 5th tensor (read while the 4th is merged).
      const bytes = readFileSync(basePath);
      const cut = base.tensors[4].offset;
      const broken = await readGgufModel({
        name: 'cut.gguf',
        size: async () => bytes.length,
        read: async (start, end) => {
          if (end > cut && start >= base.dataOffset) throw new Error('the file went away');
          return new Uint8Array(bytes.subarray(start, end));
        },
      });
      const sink = memorySink();
      await expect(
        mergeModels({ base, models: [broken], recipe: taskRecipe, sink }),
      ).rejects.toThrow('the file went away');
      expect(sink.bytes().length).toBe(0);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('the CLI parses one value for all models, one per model, and layer lists', () => {
    const args = parseMergeArgs([
      '--base',
      'b.gguf',
      '--model',
      'x.gguf',
      '--model',
      'y.gguf',
      '--method',
      'ties',
      '--density',
      '0.5',
      '--weight',
      '0.6',
      '--weight',
      '0.2,0.8',
      '--out',
      'm.gguf',
    ]);
    expect(args.recipe.models).toEqual([
      { source: 'x.gguf', weight: 0.6, density: 0.5 },
      { source: 'y.gguf', weight: [0.2, 0.8], density: 0.5 },
    ]);
    expect(args.recipe.outType).toBe('q8_0');
    expect(() =>
      parseMergeArgs([
        '--base',
        'b',
        '--model',
        'x',
        '--method',
        'ties',
        '--density',
        '2',
        '--out',
        'm',
      ]),
    ).toThrow(/density of model 1 must be a number in \[0, 1\]/);
  });

  it('the CLI exits 1 with the reason for incompatible models and leaves no file', () => {
    const out = join(dir, 'never.gguf');
    const r = spawnSync(
      'npx',
      [
        'tsx',
        'scripts/merge-cli.ts',
        '--base',
        basePath,
        '--model',
        join(dir, 'other.gguf'),
        '--method',
        'linear',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot be merged/);
    expect(() => readFileSync(out)).toThrow();
    expect(() => readFileSync(`${out}.partial`)).toThrow();
  });
});
