import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, writeTinyModel } from '../../scripts/tiny-model/cli.ts';
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  GgmlType,
  readGgufHeader,
  type GgufHeader,
} from '../../scripts/tiny-model/gguf.ts';
import {
  buildVocab,
  DEFAULT_TINY_MODEL_OPTIONS,
  TokenType,
  validateOptions,
  type TinyModelOptions,
} from '../../scripts/tiny-model/model.ts';

const dir = mkdtempSync(join(tmpdir(), 'tiny-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defaults: TinyModelOptions = { ...DEFAULT_TINY_MODEL_OPTIONS };

function generate(name: string, overrides: Partial<TinyModelOptions> = {}) {
  const path = join(dir, name);
  const summary = writeTinyModel(path, { ...defaults, ...overrides });
  const bytes = new Uint8Array(readFileSync(path));
  return { path, summary, bytes, header: readGgufHeader(bytes) };
}

/** Reads one F32 value of a tensor straight from the file. */
function f32At(bytes: Uint8Array, header: GgufHeader, tensor: string, index: number): number {
  const info = header.tensors.find((t) => t.name === tensor);
  if (info === undefined) throw new Error(`no tensor ${tensor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getFloat32(header.dataOffset + info.offset + index * 4, true);
}

describe('tiny GGUF model', () => {
  const a = generate('a.gguf');
  const b = generate('b.gguf');
  const other = generate('other.gguf', { seed: 7 });
  const vocab = buildVocab();
  const nVocab = vocab.tokens.length;

  it('is byte-identical for the same seed and differs for another seed', () => {
    expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
    expect(Buffer.compare(a.bytes, other.bytes)).not.toBe(0);
    // Only weights depend on the seed, so the header is identical and the sizes match.
    expect(other.bytes.length).toBe(a.bytes.length);
    expect(a.summary.sha256).toBe(createHash('sha256').update(a.bytes).digest('hex'));
    expect(a.summary.bytes).toBe(a.bytes.length);
    expect(a.summary.n_vocab).toBe(nVocab);
  });

  it('has a valid GGUF v3 header, aligned tensor data and the expected tensors', () => {
    const { bytes, header } = a;
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('GGUF');
    expect(header.version).toBe(3);
    expect(header.alignment).toBe(32);
    expect(header.metadata.get('general.alignment')).toBe(32);
    expect(header.dataOffset % 32).toBe(0);
    expect(header.tensorCount).toBe(3 + 9 * defaults.layers);
    expect(header.tensors).toHaveLength(header.tensorCount);
    for (const t of header.tensors) expect(t.offset % 32).toBe(0);

    const dims = new Map(header.tensors.map((t) => [t.name, t.dims]));
    const { dim, ffn } = defaults;
    expect(dims.get('token_embd.weight')).toEqual([dim, nVocab]);
    expect(dims.get('output.weight')).toEqual([dim, nVocab]);
    expect(dims.get('output_norm.weight')).toEqual([dim]);
    for (let l = 0; l < defaults.layers; l++) {
      expect(dims.get(`blk.${l}.attn_norm.weight`)).toEqual([dim]);
      expect(dims.get(`blk.${l}.attn_q.weight`)).toEqual([dim, dim]);
      expect(dims.get(`blk.${l}.attn_k.weight`)).toEqual([dim, dim]);
      expect(dims.get(`blk.${l}.attn_v.weight`)).toEqual([dim, dim]);
      expect(dims.get(`blk.${l}.attn_output.weight`)).toEqual([dim, dim]);
      expect(dims.get(`blk.${l}.ffn_norm.weight`)).toEqual([dim]);
      expect(dims.get(`blk.${l}.ffn_gate.weight`)).toEqual([dim, ffn]);
      expect(dims.get(`blk.${l}.ffn_up.weight`)).toEqual([dim, ffn]);
      expect(dims.get(`blk.${l}.ffn_down.weight`)).toEqual([ffn, dim]);
    }
    // The file ends right after the last (padded) tensor.
    const last = header.tensors[header.tensors.length - 1];
    const lastSize = last.dims.reduce((x, y) => x * y, 1) * 4;
    const end = header.dataOffset + last.offset + lastSize;
    expect(bytes.length).toBe(end + ((32 - (end % 32)) % 32));
  });

  it('stores the llama hyper-parameters and the SPM vocabulary', () => {
    const m = a.header.metadata;
    expect(m.get('general.architecture')).toBe('llama');
    expect(m.get('llama.context_length')).toBe(2048);
    expect(m.get('llama.embedding_length')).toBe(defaults.dim);
    expect(m.get('llama.block_count')).toBe(defaults.layers);
    expect(m.get('llama.feed_forward_length')).toBe(defaults.ffn);
    expect(m.get('llama.attention.head_count')).toBe(defaults.heads);
    expect(m.get('llama.attention.head_count_kv')).toBe(defaults.heads);
    expect(m.get('llama.rope.dimension_count')).toBe(defaults.dim / defaults.heads);
    expect(m.get('tokenizer.ggml.model')).toBe('llama');
    expect(m.get('tokenizer.ggml.add_bos_token')).toBe(true);
    expect(m.get('tokenizer.chat_template')).toContain('<|im_start|>assistant\n');

    const tokens = m.get('tokenizer.ggml.tokens');
    const types = m.get('tokenizer.ggml.token_type');
    const scores = m.get('tokenizer.ggml.scores');
    if (!Array.isArray(tokens) || !Array.isArray(types) || !Array.isArray(scores)) {
      throw new Error('vocabulary arrays missing');
    }
    expect(tokens.length).toBeGreaterThan(500);
    expect(tokens).toHaveLength(nVocab);
    expect(types).toHaveLength(nVocab);
    expect(scores).toHaveLength(nVocab);
    expect(new Set(tokens).size).toBe(nVocab);
    expect(tokens.slice(0, 3)).toEqual(['<unk>', '<s>', '</s>']);
    for (let b = 0; b < 256; b++) {
      const id = tokens.indexOf(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
      expect(id).toBeGreaterThan(2);
      expect(types[id]).toBe(TokenType.BYTE);
    }
    const imEnd = tokens.indexOf('<|im_end|>');
    expect(types[imEnd]).toBe(TokenType.CONTROL);
    expect(types[tokens.indexOf('<|im_start|>')]).toBe(TokenType.CONTROL);
    expect(m.get('tokenizer.ggml.eos_token_id')).toBe(imEnd);
    expect(m.get('tokenizer.ggml.bos_token_id')).toBe(1);
    expect(m.get('tokenizer.ggml.unknown_token_id')).toBe(0);
    for (const piece of ['A', 'B', 'C', 'D', 'E', '\u2581', '\u2581A', '答', '案', '病', '疗']) {
      expect(types[tokens.indexOf(piece)]).toBe(TokenType.NORMAL);
    }
  });

  it('keeps the bias channel constant and pushes special and byte tokens down', () => {
    const { bytes, header } = a;
    const { dim } = defaults;
    for (let t = 0; t < nVocab; t++) {
      expect(f32At(bytes, header, 'token_embd.weight', t * dim)).toBe(1);
    }
    for (let l = 0; l < defaults.layers; l++) {
      for (let i = 0; i < dim; i++) {
        expect(f32At(bytes, header, `blk.${l}.attn_output.weight`, i)).toBe(0);
      }
      for (let i = 0; i < defaults.ffn; i++) {
        expect(f32At(bytes, header, `blk.${l}.ffn_down.weight`, i)).toBe(0);
      }
    }
    for (let t = 0; t < nVocab; t++) {
      const bias = f32At(bytes, header, 'output.weight', t * dim);
      if (vocab.suppressed[t]) expect(bias).toBeLessThan(-50);
      else if (t === vocab.eos) expect(bias).toBeGreaterThan(0);
      else expect(bias).toBe(0);
    }
    expect(vocab.suppressed[vocab.eos]).toBe(false);
    expect(vocab.suppressed[vocab.tokens.indexOf('<0x41>')]).toBe(true);
  });

  it('writes F16 weight matrices but keeps norms in F32', () => {
    const h = generate('f16.gguf', { ftype: 'f16' });
    expect(h.header.metadata.get('general.file_type')).toBe(1);
    for (const t of h.header.tensors) {
      expect(t.type).toBe(t.dims.length === 1 ? GgmlType.F32 : GgmlType.F16);
    }
    expect(h.bytes.length).toBeLessThan(a.bytes.length);
    expect(h.summary.ftype).toBe('f16');
  });

  it('converts float32 to float16 with round-half-to-even', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(0)).toBe(0);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(1);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie rounds to even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // Normal halves carry 11 significant bits: relative error at most 2^-11.
    for (const v of [0.1, -0.37, 3.14159, 1e-3, -1234.5]) {
      const back = float16BitsToFloat32(float32ToFloat16Bits(v));
      expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    }
  });

  it("takes a real model's shape: grouped-query attention and a padded vocabulary", () => {
    // Qwen2-0.5B's attention (14 heads of 64, 2 key/value heads) on a narrow model, and a
    // vocabulary padded to 1000 rows.
    const g = generate('gqa.gguf', {
      dim: 896,
      heads: 14,
      kvHeads: 2,
      ffn: 64,
      layers: 1,
      vocabSize: 1000,
    });
    const m = g.header.metadata;
    expect(m.get('llama.attention.head_count')).toBe(14);
    expect(m.get('llama.attention.head_count_kv')).toBe(2);
    expect(m.get('llama.vocab_size')).toBe(1000);
    const dims = (name: string) => g.header.tensors.find((t) => t.name === name)?.dims;
    // K and V project 896 inputs onto 2 heads × 64 = 128 outputs; Q onto 14 × 64 = 896.
    expect(dims('blk.0.attn_q.weight')).toEqual([896, 896]);
    expect(dims('blk.0.attn_k.weight')).toEqual([896, 128]);
    expect(dims('blk.0.attn_v.weight')).toEqual([896, 128]);
    expect(dims('token_embd.weight')).toEqual([896, 1000]);
    expect(dims('output.weight')).toEqual([896, 1000]);
    const tokens = m.get('tokenizer.ggml.tokens') as string[];
    const types = m.get('tokenizer.ggml.token_type') as number[];
    expect(tokens).toHaveLength(1000);
    // The generated vocabulary first, then unused padding.
    expect(tokens.slice(0, nVocab)).toEqual(buildVocab().tokens);
    expect(tokens[nVocab]).toBe('<unused0>');
    expect(tokens[999]).toBe(`<unused${999 - nVocab}>`);
    expect(new Set(types.slice(nVocab))).toEqual(new Set([TokenType.UNUSED]));
    expect(g.summary).toMatchObject({ kv_heads: 2, n_vocab: 1000 });
  });

  it('parses CLI arguments and rejects inconsistent shapes', () => {
    const parsed = parseArgs(['x.gguf', '--seed', '9', '--dim', '32', '--ftype', 'f16']);
    expect(parsed.out).toBe('x.gguf');
    expect(parsed.options).toMatchObject({ seed: 9, dim: 32, ffn: 64, ftype: 'f16', layers: 2 });
    expect(() => parseArgs(['x.gguf', '--ftype', 'q4'])).toThrow();
    expect(() => parseArgs([])).toThrow();
    expect(() => validateOptions({ ...defaults, dim: 60, heads: 8 })).toThrow();
    expect(parseArgs(['x.gguf', '--kv-heads', '2', '--vocab', '151936']).options).toMatchObject({
      kvHeads: 2,
      vocabSize: 151936,
    });
    expect(() => validateOptions({ ...defaults, heads: 4, kvHeads: 3 })).toThrow(/divides heads/);
    expect(() => buildVocab(10)).toThrow(/at least/);
  });

  it('runs as a CLI and prints a one-line JSON summary', () => {
    const out = join(dir, 'cli.gguf');
    const cli = resolve(import.meta.dirname, '../../scripts/tiny-model/cli.ts');
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', cli, out, '--seed', '42'], {
      encoding: 'utf8',
    });
    const summary = JSON.parse(stdout.trim()) as { sha256: string; bytes: number; path: string };
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(summary.sha256).toBe(a.summary.sha256);
    expect(summary.path).toBe(out);
  });
});
