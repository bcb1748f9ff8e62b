import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readLibraryMetadata } from '../../scripts/mlc-model/metadata';
import { chatConfigOf } from '../../scripts/mlc-model/config';
import {
  packNibbles,
  planShards,
  tensorBytes,
  unpackNibbles,
} from '../../scripts/mlc-model/weights';
import { tokenizerPath, writeMlcModel } from '../../scripts/mlc-model/model';
import { parseArgs } from '../../scripts/mlc-model/cli';

const LIBRARY = resolve(
  process.env.WEBLLM_SHARED ?? resolve(import.meta.dirname, '../../../shared/webllm'),
  'Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm',
);

/** A stand-in library: the wasm magic, some bytes, then an MLC metadata string. */
function fakeLibrary(meta: object): Uint8Array {
  const head = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x42, 0x42]);
  const json = new TextEncoder().encode(JSON.stringify(meta));
  return new Uint8Array([...head, ...json, 0, 0x42]);
}

const tinyQwen = (over: Record<string, unknown> = {}, params?: object[]) => ({
  model_type: 'qwen2',
  quantization: 'q4f32_1',
  context_window_size: 512,
  sliding_window_size: -1,
  attention_sink_size: -1,
  prefill_chunk_size: 128,
  tensor_parallel_shards: 1,
  kv_cache: { num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 8 },
  params: params ?? [
    { name: 'model.embed_tokens.q_weight', shape: [32, 2], dtype: 'uint32', preprocs: [] },
    { name: 'model.embed_tokens.q_scale', shape: [32, 1], dtype: 'float32', preprocs: [] },
    {
      name: 'model.layers.0.mlp.gate_up_proj.q_weight',
      shape: [64, 2],
      dtype: 'uint32',
      preprocs: [],
    },
    { name: 'model.layers.0.input_layernorm.weight', shape: [16], dtype: 'float32', preprocs: [] },
    { name: 'model.layers.0.self_attn.c_attn.bias', shape: [32], dtype: 'float32', preprocs: [] },
  ],
  ...over,
});

describe('the real model library', () => {
  it.runIf(existsSync(LIBRARY))('holds 267 parameters of 309,011,968 bytes in all', () => {
    const meta = readLibraryMetadata(new Uint8Array(readFileSync(LIBRARY)));
    expect(meta.modelType).toBe('qwen2');
    expect(meta.quantization).toBe('q4f32_1');
    // 2 embedding tensors + 24 layers × 11 + the final norm.
    expect(meta.params).toHaveLength(2 + 24 * 11 + 1);
    expect(meta.params[0]).toEqual({
      name: 'model.embed_tokens.q_weight',
      shape: [151936, 112],
      dtype: 'uint32',
    });
    // By hand, 4 bytes an element: embedding 151936×112 + 151936×28 = 68,067,328 + 17,016,832;
    // a layer: c_attn 1152×112 + 1152×28 + 1152, o_proj 896×112 + 896×28, gate_up 9728×112 +
    // 9728×28, down 896×608 + 896×152, two norms of 896 = 9,330,176 bytes; × 24; final norm 3,584.
    const total = meta.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1) * 4, 0);
    expect(total).toBe(68_067_328 + 17_016_832 + 24 * 9_330_176 + 3_584);
    expect(total).toBe(309_011_968);

    const config = chatConfigOf(meta) as {
      vocab_size: number;
      model_config: Record<string, number>;
      conv_template: { stop_token_ids: number[]; stop_str: string[] };
      tokenizer_files: string[];
    };
    expect(config.vocab_size).toBe(151936);
    expect(config.model_config).toMatchObject({
      hidden_size: 896,
      intermediate_size: 4864,
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      head_dim: 64,
    });
    expect(config.conv_template.stop_token_ids).toEqual([151643, 151645]);
    expect(config.tokenizer_files).toEqual(['tokenizer.json']);
  });
});

describe('weights in q4f32_1', () => {
  it('a q_weight word holds eight nibbles, the lowest first', () => {
    expect(packNibbles([1, 2, 3, 4, 5, 6, 7, 8])).toBe(0x87654321);
    expect(unpackNibbles(0x87654321)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(unpackNibbles(0xe0000007)).toEqual([7, 0, 0, 0, 0, 0, 0, 14]);
  });

  it('random q_weight nibbles stay within 0–14 around 7; scales, norms and biases are fixed', () => {
    const words = new Uint32Array(
      tensorBytes({ name: 'x.q_weight', shape: [64, 16], dtype: 'uint32' }, 3).buffer,
    );
    const nibbles = [...words].flatMap(unpackNibbles);
    expect(nibbles).toHaveLength(64 * 16 * 8);
    expect(Math.max(...nibbles)).toBe(14);
    expect(Math.min(...nibbles)).toBe(0);
    const mean = nibbles.reduce((a, b) => a + b, 0) / nibbles.length;
    expect(Math.abs(mean - 7)).toBeLessThan(0.2);
    const f = (name: string) => [
      ...new Float32Array(tensorBytes({ name, shape: [4], dtype: 'float32' }, 3).buffer),
    ];
    expect(f('x.q_scale')).toEqual(new Array(4).fill(Math.fround(0.0046)));
    expect(f('model.norm.weight')).toEqual([1, 1, 1, 1]);
    expect(f('x.bias')).toEqual([0, 0, 0, 0]);
    // The same seed and name give the same bytes; another seed does not.
    const a = tensorBytes({ name: 'x.q_weight', shape: [8], dtype: 'uint32' }, 1);
    expect(tensorBytes({ name: 'x.q_weight', shape: [8], dtype: 'uint32' }, 1)).toEqual(a);
    expect(tensorBytes({ name: 'x.q_weight', shape: [8], dtype: 'uint32' }, 2)).not.toEqual(a);
  });

  it('shards are filled in order up to the target; a larger tensor gets its own', () => {
    const p = (name: string, n: number) => ({ name, shape: [n], dtype: 'float32' as const });
    // 4 bytes an element, target 100 bytes: 40 + 40 fit; 40 more starts shard 1; 200 stands alone.
    const shards = planShards([p('a', 10), p('b', 10), p('c', 10), p('d', 50), p('e', 1)], 100);
    expect(shards.map((s) => [s.dataPath, s.nbytes])).toEqual([
      ['params_shard_0.bin', 80],
      ['params_shard_1.bin', 40],
      ['params_shard_2.bin', 200],
      ['params_shard_3.bin', 4],
    ]);
    expect(shards[0].records.map((r) => [r.name, r.byteOffset, r.nbytes])).toEqual([
      ['a', 0, 40],
      ['b', 40, 40],
    ]);
    expect(shards[0].records[0]).toMatchObject({ format: 'raw', dtype: 'float32', shape: [10] });
  });
});

describe('model:mlc', () => {
  it('writes the files web-llm reads under resolve/main/, the same for the same seed', () => {
    const out = mkdtempSync(join(tmpdir(), 'mlc-'));
    const lib = fakeLibrary(tinyQwen());
    const { summary } = writeMlcModel(lib, out, 5);
    const dir = join(out, 'resolve', 'main');
    expect(summary.dir).toBe(dir);
    // 32×2 + 32×1 + 64×2 + 16 + 32 elements, 4 bytes each.
    expect(summary.bytes).toBe((64 + 32 + 128 + 16 + 32) * 4);
    const index = JSON.parse(readFileSync(join(dir, 'ndarray-cache.json'), 'utf8')) as {
      metadata: { ParamSize: number };
      records: { dataPath: string; nbytes: number; records: { byteOffset: number }[] }[];
    };
    expect(readFileSync(join(dir, 'tensor-cache.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'ndarray-cache.json'), 'utf8'),
    );
    expect(index.metadata.ParamSize).toBe(5);
    for (const shard of index.records) {
      expect(statSync(join(dir, shard.dataPath)).size).toBe(shard.nbytes);
    }
    const config = JSON.parse(readFileSync(join(dir, 'mlc-chat-config.json'), 'utf8')) as {
      model_type: string;
      vocab_size: number;
      model_config: { hidden_size: number; intermediate_size: number };
    };
    expect(config).toMatchObject({ model_type: 'qwen2', vocab_size: 32 });
    expect(config.model_config).toMatchObject({ hidden_size: 16, intermediate_size: 32 });
    expect(readFileSync(join(dir, 'tokenizer.json')).equals(readFileSync(tokenizerPath()))).toBe(
      true,
    );
    const again = writeMlcModel(lib, mkdtempSync(join(tmpdir(), 'mlc-')), 5).summary;
    expect(again.indexSha256).toBe(summary.indexSha256);
    const a = readFileSync(join(dir, 'params_shard_0.bin'));
    const b = readFileSync(join(again.dir, 'params_shard_0.bin'));
    expect(b.equals(a)).toBe(true);
  });

  it('the tokenizer is a real Qwen one: 你好 is token 108386, the stop tokens are where Qwen2 has them', () => {
    const t = JSON.parse(readFileSync(tokenizerPath(), 'utf8')) as {
      model: { vocab: Record<string, number> };
      added_tokens: { id: number; content: string }[];
    };
    // Byte-level BPE spells 你好's UTF-8 bytes e4 bd a0 e5 a5 bd with GPT-2's byte-to-unicode map.
    expect(t.model.vocab['ä½łå¥½']).toBe(108386);
    const ids = Object.fromEntries(t.added_tokens.map((a) => [a.content, a.id]));
    expect(ids['<|endoftext|>']).toBe(151643);
    expect(ids['<|im_end|>']).toBe(151645);
    expect(Math.max(...t.added_tokens.map((a) => a.id))).toBeLessThan(151936);
  });

  it('refuses a library it does not understand, naming what', () => {
    expect(() => readLibraryMetadata(new Uint8Array([1, 2, 3, 4]))).toThrow(/not a WebAssembly/);
    expect(() => readLibraryMetadata(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toThrow(
      /No MLC metadata/,
    );
    expect(() => readLibraryMetadata(fakeLibrary(tinyQwen({ quantization: 'q4f16_1' })))).toThrow(
      'Quantization "q4f16_1" is not supported (only q4f32_1).',
    );
    const f16 = tinyQwen({}, [
      { name: 'model.norm.weight', shape: [16], dtype: 'float16', preprocs: [] },
    ]);
    expect(() => readLibraryMetadata(fakeLibrary(f16))).toThrow(
      'Parameter "model.norm.weight" has dtype "float16"',
    );
    const llama = readLibraryMetadata(fakeLibrary(tinyQwen({ model_type: 'llama' })));
    expect(() => chatConfigOf(llama)).toThrow('Metadata field "model_type" is "llama"');
    const noKv = tinyQwen({ kv_cache: { num_hidden_layers: 1 } });
    expect(() => readLibraryMetadata(fakeLibrary(noKv))).toThrow('"kv_cache.num_attention_heads"');
  });

  it('reads its arguments', () => {
    expect(parseArgs(['--lib', 'a.wasm', '--out', 'o', '--seed', '7'])).toEqual({
      lib: 'a.wasm',
      out: 'o',
      seed: 7,
    });
    expect(() => parseArgs(['--lib', 'a.wasm'])).toThrow(/--lib and --out are required/);
    expect(() => parseArgs(['--lib', 'a', '--out', 'o', '--seed', 'x'])).toThrow(/whole number/);
    expect(() => parseArgs(['--model', 'x'])).toThrow(/Unknown argument "--model"/);
  });
});
