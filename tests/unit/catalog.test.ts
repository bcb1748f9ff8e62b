import { describe, expect, it } from 'vitest';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import {
  buildWebLlmCatalog,
  ggufModelId,
  normaliseMlcModelUrl,
  normaliseModelLibUrl,
  parseGgufUrl,
  vramBudgetMB,
} from '../../src/lib/engines/catalog';
import { appConfigFor, parseWebLlmProgress } from '../../src/lib/engines/webllm';

const models = prebuiltAppConfig.model_list;
const noF16 = buildWebLlmCatalog(models, { shaderF16: false, vramBudgetMB: null });
const f16 = buildWebLlmCatalog(models, { shaderF16: true, vramBudgetMB: null });
const ids = (items: typeof noF16) => items.map((i) => i.entry.id);

describe('web-llm catalog, on the real prebuiltAppConfig', () => {
  it('without shader-f16, picks q4f32 for every model that has it; the rest are marked', () => {
    for (const { entry, fits, reason } of noF16) {
      if (entry.quant === 'q4f32_1') {
        expect(entry.requiresF16).toBe(false);
        expect(fits).toBe(true);
      } else {
        // Only listed when web-llm has no q4f32 build of that model (e.g. gemma3-1b-it).
        const q4f32 = entry.id.replace('q4f16_1', 'q4f32_1');
        expect(models.some((m) => m.model_id === q4f32)).toBe(false);
        expect(entry.requiresF16).toBe(true);
        expect(fits).toBe(false);
        expect(reason).toBe('needs shader-f16 (16-bit floats in shaders), which this GPU lacks');
      }
    }
    expect(noF16.filter((i) => i.fits).every((i) => i.entry.quant === 'q4f32_1')).toBe(true);
    expect(noF16.filter((i) => i.entry.quant === 'q4f32_1').length).toBeGreaterThan(15);
  });

  it('with shader-f16, picks q4f16 where it exists', () => {
    for (const { entry, fits } of f16) {
      const q4f16 = entry.id.replace('q4f32_1', 'q4f16_1');
      if (models.some((m) => m.model_id === q4f16)) expect(entry.quant).toBe('q4f16_1');
      expect(fits).toBe(true);
    }
    expect(f16.every((i) => i.entry.requiresF16 === (i.entry.quant === 'q4f16_1'))).toBe(true);
  });

  it('offers the small models a CMExam run needs', () => {
    for (const id of [
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
      'Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
      'Qwen2.5-3B-Instruct-q4f32_1-MLC',
      'Qwen3-0.6B-q4f32_1-MLC',
      'Qwen3-1.7B-q4f32_1-MLC',
      'Qwen3-4B-q4f32_1-MLC',
      'Llama-3.2-1B-Instruct-q4f32_1-MLC',
      'Llama-3.2-3B-Instruct-q4f32_1-MLC',
      'Phi-3.5-mini-instruct-q4f32_1-MLC',
      'gemma-2-2b-it-q4f32_1-MLC',
      'SmolLM2-360M-Instruct-q4f32_1-MLC',
      'SmolLM2-1.7B-Instruct-q4f32_1-MLC',
    ]) {
      expect(ids(noF16)).toContain(id);
      expect(ids(f16)).toContain(id.replace('q4f32_1', 'q4f16_1'));
    }
    const qwen = noF16.find((i) => i.entry.id === 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC')!.entry;
    expect(qwen).toMatchObject({
      backend: 'webllm',
      family: 'Qwen2.5',
      label: 'Qwen2.5 0.5B Instruct',
      params: '0.5B',
      quant: 'q4f32_1',
      lowResource: true,
      contextWindow: 4096,
      requiresF16: false,
      shortContext: false,
    });
    expect(qwen.vramMB).toBeGreaterThan(500);
  });

  it('lists 1k-context variants separately, marked', () => {
    const phi = noF16.find((i) => i.entry.id === 'Phi-3.5-mini-instruct-q4f32_1-MLC-1k')!.entry;
    expect(phi).toMatchObject({ shortContext: true, contextWindow: 1024, params: '3.8B' });
    expect(phi.label).toBe('Phi-3.5 mini instruct (1k context)');
    expect(ids(f16)).toContain('gemma-2-2b-it-q4f16_1-MLC-1k');
  });

  it('leaves out embedding, vision, coder, math, base and large models, and q0 builds', () => {
    for (const id of ids(noF16).concat(ids(f16))) {
      expect(id).not.toMatch(/embed|vision|Coder|Math|Base|Reasoning|-[789]B-|q0f|jpn/);
      expect(id).toMatch(/-q4f(16|32)_1-MLC(-1k)?$/);
    }
    expect(new Set(ids(noF16)).size).toBe(noF16.length);
  });

  it('sorts by memory need', () => {
    const vram = noF16.map((i) => i.entry.vramMB ?? Infinity);
    expect(vram).toEqual([...vram].sort((a, b) => a - b));
    expect(noF16[0].entry.id).toMatch(/SmolLM2-360M/);
  });

  it('explains a model that does not fit the memory budget', () => {
    const items = buildWebLlmCatalog(models, { shaderF16: false, vramBudgetMB: 2000 });
    const big = items.find((i) => i.entry.id === 'Qwen3-4B-q4f32_1-MLC')!;
    expect(big.fits).toBe(false);
    // 4,327.71 MB rounded up; 2,000 rounded down.
    expect(big.reason).toBe(
      "needs about 4,400 MB of GPU memory; this device's budget is about 2,000 MB",
    );
    expect(items.find((i) => i.entry.id === 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC')!.fits).toBe(true);
  });

  it('explains a model whose buffers exceed what web-llm can request', () => {
    // Adapter limit 256 MiB: web-llm falls back to 128 MiB bindings; Gemma 4 needs 192 MiB.
    const items = buildWebLlmCatalog(models, {
      shaderF16: true,
      vramBudgetMB: null,
      maxStorageBufferBindingSize: 2 ** 28,
    });
    const gemma = items.find((i) => i.entry.family === 'Gemma 4');
    if (gemma) {
      expect(gemma.fits).toBe(false);
      expect(gemma.reason).toBe('needs GPU buffers of 192 MB; this GPU allows 128 MB');
    }
    const roomy = buildWebLlmCatalog(models, {
      shaderF16: true,
      vramBudgetMB: null,
      maxStorageBufferBindingSize: 2 ** 30,
    });
    expect(roomy.every((i) => i.fits)).toBe(true);
  });
});

describe('vramBudgetMB', () => {
  it('caps SwiftShader-like adapters (1 GiB buffers) at about 2 GB', () => {
    expect(
      vramBudgetMB({
        maxBufferSize: 2 ** 30,
        maxStorageBufferBindingSize: 2 ** 30,
        deviceMemoryGB: 16,
      }),
    ).toBe(2048);
  });
  it('takes half of the reported device memory', () => {
    expect(
      vramBudgetMB({
        maxBufferSize: 2 ** 32,
        maxStorageBufferBindingSize: 2 ** 30,
        deviceMemoryGB: 4,
      }),
    ).toBe(2048);
    expect(
      vramBudgetMB({
        maxBufferSize: 2 ** 32,
        maxStorageBufferBindingSize: 2 ** 30,
        deviceMemoryGB: 0.5,
      }),
    ).toBe(256);
  });
  it('does not limit a large adapter with unknown memory', () => {
    expect(
      vramBudgetMB({
        maxBufferSize: 2 ** 32,
        maxStorageBufferBindingSize: 2 ** 31,
        deviceMemoryGB: null,
      }),
    ).toBeNull();
  });
});

describe('GGUF addresses', () => {
  it('expands split files to every shard', () => {
    const r = parseGgufUrl(
      'https://huggingface.co/o/r/resolve/main/qwen2.5-7b-q4_k_m-00001-of-00003.gguf',
    );
    expect(r.urls).toEqual([
      'https://huggingface.co/o/r/resolve/main/qwen2.5-7b-q4_k_m-00001-of-00003.gguf',
      'https://huggingface.co/o/r/resolve/main/qwen2.5-7b-q4_k_m-00002-of-00003.gguf',
      'https://huggingface.co/o/r/resolve/main/qwen2.5-7b-q4_k_m-00003-of-00003.gguf',
    ]);
    expect(r.note).toBeNull();
  });
  it('starts from the first shard when given another one, and says so', () => {
    const r = parseGgufUrl('https://example.org/m/model-00002-of-00002.gguf?download=true');
    expect(r.urls).toEqual([
      'https://example.org/m/model-00001-of-00002.gguf?download=true',
      'https://example.org/m/model-00002-of-00002.gguf?download=true',
    ]);
    expect(r.note).toMatch(/one part of a split model/);
  });
  it('keeps a Hugging Face resolve URL and rewrites a blob (page) URL, saying so', () => {
    const resolve =
      'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf';
    expect(parseGgufUrl(resolve)).toEqual({ urls: [resolve], note: null });
    const blob = parseGgufUrl(resolve.replace('/resolve/', '/blob/'));
    expect(blob.urls).toEqual([resolve]);
    expect(blob.note).toMatch(/Hugging Face page.*\/resolve\//);
  });
  it('refuses what is not a .gguf file over http(s)', () => {
    expect(() => parseGgufUrl('https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF')).toThrow(
      /does not end in \.gguf/,
    );
    expect(() => parseGgufUrl('https://example.org/model.bin')).toThrow(/not a GGUF model file/);
    expect(() => parseGgufUrl('ftp://example.org/model.gguf')).toThrow(/Only http\(s\)/);
    expect(() => parseGgufUrl('model.gguf')).toThrow(/not a web address/);
    try {
      parseGgufUrl('https://example.org/x.txt');
    } catch (err) {
      expect((err as Error).name).toBe('InvalidModelUrlError');
    }
  });
  it('gives a stable id from a URL, a file name, or any shard', () => {
    expect(ggufModelId('https://h.co/o/r/resolve/main/m-q4.gguf?download=true')).toBe(
      'gguf:m-q4.gguf',
    );
    expect(ggufModelId('m-q4.gguf')).toBe('gguf:m-q4.gguf');
    expect(ggufModelId('https://x.org/a/m-00002-of-00003.gguf')).toBe('gguf:m-00001-of-00003.gguf');
    expect(ggufModelId('https://x.org/a/%E6%A8%A1%E5%9E%8B.gguf')).toBe('gguf:模型.gguf');
  });
});

describe('custom MLC model records', () => {
  it('needs an absolute model URL and gives it a trailing slash', () => {
    expect(normaliseMlcModelUrl('https://huggingface.co/me/Model-q4f32_1-MLC')).toBe(
      'https://huggingface.co/me/Model-q4f32_1-MLC/',
    );
    expect(normaliseMlcModelUrl('https://huggingface.co/me/M/tree/main')).toBe(
      'https://huggingface.co/me/M/resolve/main/',
    );
    expect(() => normaliseMlcModelUrl('/models/m')).toThrow(/full address/);
    expect(normaliseModelLibUrl('https://huggingface.co/me/libs/blob/main/m.wasm')).toBe(
      'https://huggingface.co/me/libs/resolve/main/m.wasm',
    );
  });
  it('adds the record to the prebuilt list, and marks q4f16 models as needing shader-f16', () => {
    const config = appConfigFor({
      backend: 'webllm',
      id: 'my-q4f16_1-MLC',
      modelUrl: 'http://127.0.0.1:9/models/m',
      modelLibUrl: 'http://127.0.0.1:9/libs/m.wasm',
    });
    const record = config.model_list.find((r) => r.model_id === 'my-q4f16_1-MLC');
    expect(record).toEqual({
      model: 'http://127.0.0.1:9/models/m/',
      model_id: 'my-q4f16_1-MLC',
      model_lib: 'http://127.0.0.1:9/libs/m.wasm',
      required_features: ['shader-f16'],
    });
    expect(config.model_list.length).toBe(models.length + 1);
    const qwen = config.model_list.find((r) => r.model_id === 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    expect(qwen?.required_features).toEqual(['shader-f16']);
    expect(() => appConfigFor({ backend: 'webllm', id: 'x', modelUrl: 'https://h.co/m' })).toThrow(
      /needs both/,
    );
  });
});

describe('web-llm load progress', () => {
  const at = (text: string, progress: number) =>
    parseWebLlmProgress({ text, progress, timeElapsed: 1 });
  it('reads the phase and byte counts from the text', () => {
    expect(
      at(
        'Fetching param cache[3/24]: 120MB fetched. 25% completed, 4 secs elapsed. It can take a while',
        0.25,
      ),
    ).toMatchObject({
      phase: 'download',
      fraction: 0.25,
      loadedBytes: 120 * 2 ** 20,
      totalBytes: 480 * 2 ** 20,
    });
    expect(
      at('Loading model from cache[1/24]: 20MB loaded. 4% completed, 1 secs elapsed.', 0.04),
    ).toMatchObject({
      phase: 'cache',
      loadedBytes: 20 * 2 ** 20,
    });
    expect(
      at('Loading GPU shader modules[40/180]: 22% completed, 3 secs elapsed.', 40 / 180),
    ).toMatchObject({
      phase: 'compile',
      loadedBytes: null,
      totalBytes: null,
    });
    // Also reported before a load from the cache, so it is not a download (seen with 0.2.79).
    expect(at('Start to fetch params', 0)).toMatchObject({
      phase: 'init',
      fraction: 0,
      totalBytes: null,
    });
    expect(at('Finish loading on WebGPU - nvidia', 1)).toMatchObject({
      phase: 'init',
      fraction: 1,
    });
  });
});
