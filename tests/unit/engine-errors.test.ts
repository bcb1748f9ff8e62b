import { afterEach, describe, expect, it } from 'vitest';
import {
  describeEngineError,
  errorShape,
  ModelFetchError,
  type EngineErrorCode,
  type EngineErrorContext,
} from '../../src/lib/engines/errors';
import { parseGgufUrl } from '../../src/lib/engines/catalog';

const webllm: EngineErrorContext = {
  backend: 'webllm',
  modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
};
const wllama: EngineErrorContext = { backend: 'wllama', modelId: 'gguf:m.gguf' };
const code = (err: unknown, ctx: EngineErrorContext = webllm): EngineErrorCode =>
  describeEngineError(err, ctx).code;
/** As errors arrive after crossing a worker: name and message only. */
const plain = (name: string, message = '') => ({ name, message });

// Messages as web-llm 0.2.86 and Chromium produce them (observed in Chromium 156, SwiftShader).
const CACHE_ADD_FAILED = "Failed to execute 'add' on 'Cache': Request failed";
const CACHE_ADD_ABORTED = "Failed to execute 'add' on 'Cache': Cache.add() was aborted";
const NOT_JSON = 'Unexpected token \'<\', "<!DOCTYPE "... is not valid JSON';
const NOT_WASM =
  'WebAssembly.instantiate(): expected magic word 00 61 73 6d, found 3c 21 44 4f @+0';

describe('describeEngineError', () => {
  it('no WebGPU: offers the CPU engine and the Linux Chrome flags', () => {
    const info = describeEngineError(
      plain(
        'WebGPUNotAvailableError',
        'WebGPU is not supported in your current environment, but it is necessary to run the WebLLM engine.',
      ),
      webllm,
    );
    expect(info.code).toBe('no-webgpu');
    expect(info.advice).toMatch(/CPU engine \(wllama\)/);
    expect(info.advice).toMatch(/--enable-unsafe-webgpu/);
    expect(code(plain('WebGPUNotFoundError', 'Cannot find WebGPU in the environment'))).toBe(
      'no-webgpu',
    );
  });

  it('no adapter, by message', () => {
    expect(
      code(
        new Error(
          "Unable to find a compatible GPU. This issue might be because your computer doesn't have a GPU",
        ),
      ),
    ).toBe('no-adapter');
    expect(code(new Error('No WebGPU adapter was found.'))).toBe('no-adapter');
    const limits = describeEngineError(
      new Error(
        'Cannot initialize runtime because of requested maxBufferSize exceeds limit. requested=256MB, limit=128MB. Consider upgrading your browser.',
      ),
      webllm,
    );
    expect(limits.code).toBe('no-adapter');
    expect(limits.message).toMatch(/limits are too small/);
  });

  it('shader-f16 missing: suggests a q4f32 variant', () => {
    const info = describeEngineError(
      plain(
        'ShaderF16SupportError',
        'This model requires WebGPU extension shader-f16, which is not enabled in this browser.',
      ),
      webllm,
    );
    expect(info.code).toBe('no-shader-f16');
    expect(info.advice).toMatch(/q4f32/);
    expect(
      code(
        plain(
          'FeatureSupportError',
          'This model requires feature shader-f16, which is not yet supported by this browser.',
        ),
      ),
    ).toBe('no-shader-f16');
    expect(code(new Error("error: 'f16' type used without 'f16' extension enabled"))).toBe(
      'no-shader-f16',
    );
  });

  it('device lost and out of memory: smaller model, 1k variant, reload', () => {
    const lost = describeEngineError(
      plain(
        'DeviceLostError',
        'The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM).',
      ),
      webllm,
    );
    expect(lost.code).toBe('device-lost');
    expect(lost.advice).toMatch(/Reload the page/);
    expect(lost.advice).toMatch(/1k context/);
    expect(code(new Error('Device was lost. This can happen due to insufficient memory'))).toBe(
      'device-lost',
    );
    const oom = describeEngineError(
      new RangeError('WebAssembly.Memory(): could not allocate memory'),
      wllama,
    );
    expect(oom.code).toBe('out-of-memory');
    expect(oom.advice).toMatch(/smaller model/);
    expect(code(new Error('Aborted(OOM). Build with -sASSERTIONS for more info.'), wllama)).toBe(
      'out-of-memory',
    );
    expect(code(plain('RangeError', 'Array buffer allocation failed'))).toBe('out-of-memory');
  });

  it('404: the files are not at that address', () => {
    const url = 'https://huggingface.co/me/M-MLC/resolve/main/mlc-chat-config.json';
    const info = describeEngineError(new ModelFetchError(url, 404), webllm);
    expect(info.code).toBe('not-found');
    expect(info.message).toContain(`${url} answered 404 Not Found`);
    // After crossing a worker: the status survives in the message.
    expect(code(plain('ModelFetchError', `Could not download ${url}: HTTP 404`))).toBe('not-found');
    // wllama's own download error.
    expect(code(new Error('Failed to fetch https://x.org/m.gguf: HTTP 404'), wllama)).toBe(
      'not-found',
    );
    // web-llm's bare Cache.add() failure (any HTTP error status; the console has the status).
    const bare = describeEngineError(new TypeError(CACHE_ADD_FAILED), webllm);
    expect(bare.code).toBe('not-found');
    expect(bare.message).toMatch(/could not be downloaded/);
    const gated = describeEngineError(new ModelFetchError(url, 403), webllm);
    expect(gated.code).toBe('not-found');
    expect(gated.message).toMatch(/private, or gated/);
  });

  it('network failures: CORS for other sites, offline, server errors', () => {
    const cors = describeEngineError(new TypeError('Failed to fetch'), {
      ...webllm,
      url: 'https://models.example.org/m/',
    });
    expect(cors.code).toBe('cors');
    expect(cors.message).toMatch(/does not allow downloads from other sites \(CORS\)/);
    expect(cors.message).toMatch(/offline/);
    expect(code(new ModelFetchError('https://models.example.org/m/tensor-cache.json', null))).toBe(
      'cors',
    );
    expect(code(new Error('blocked by CORS policy: No Access-Control-Allow-Origin header'))).toBe(
      'cors',
    );
    expect(code(new TypeError('Failed to fetch'))).toBe('network');
    // Hugging Face allows cross-origin downloads, so there it is the network.
    const hf =
      'https://huggingface.co/mlc-ai/Qwen3-0.6B-q4f32_1-MLC/resolve/main/mlc-chat-config.json';
    expect(code(new ModelFetchError(hf, null))).toBe('network');
    expect(code(new ModelFetchError('https://x.org/m', 503))).toBe('network');
    expect(code(plain('TypeError', 'NetworkError when attempting to fetch resource.'))).toBe(
      'network',
    );
  });

  describe('while offline', () => {
    afterEach(() => {
      delete (globalThis as { navigator?: unknown }).navigator;
    });
    it('says so', () => {
      Object.defineProperty(globalThis, 'navigator', {
        value: { onLine: false },
        configurable: true,
      });
      const info = describeEngineError(new TypeError('Failed to fetch'), {
        ...wllama,
        url: 'https://x.org/m.gguf',
      });
      expect(info.code).toBe('network');
      expect(info.message).toMatch(/offline/);
    });
  });

  it('storage quota: free space or delete cached models', () => {
    const info = describeEngineError(
      new DOMException('Quota exceeded.', 'QuotaExceededError'),
      webllm,
    );
    expect(info.code).toBe('quota');
    expect(info.advice).toMatch(/delete models/);
    expect(code(plain('QuotaExceededError', 'The quota has been exceeded.'))).toBe('quota');
  });

  it('a crashed worker was restarted: retry', () => {
    const info = describeEngineError(
      plain('WorkerCrashedError', 'The engine worker crashed.'),
      webllm,
    );
    expect(info.code).toBe('worker-crashed');
    expect(info.advice).toMatch(/restarted/);
    expect(code(new Error('The engine worker was terminated'))).toBe('worker-crashed');
  });

  it('cancelled', () => {
    expect(code(new DOMException('The operation was aborted.', 'AbortError'))).toBe('cancelled');
    expect(code(plain('AbortError', 'Model loading cancelled.'))).toBe('cancelled');
    expect(code(new TypeError(CACHE_ADD_ABORTED))).toBe('cancelled');
  });

  it('invalid models: not JSON, not WebAssembly, unknown id, bad addresses', () => {
    const json = describeEngineError(new SyntaxError(NOT_JSON), {
      ...webllm,
      url: 'https://x.org/m/resolve/main/mlc-chat-config.json',
    });
    expect(json.code).toBe('invalid-model');
    expect(json.message).toMatch(/not valid JSON/);
    const wasm = describeEngineError(plain('CompileError', NOT_WASM), webllm);
    expect(wasm.code).toBe('invalid-model');
    expect(wasm.message).toMatch(/not a WebAssembly file/);
    expect(
      code(
        plain(
          'ModelNotFoundError',
          'Cannot find model record in appConfig for x. Please check if the model ID is correct',
        ),
      ),
    ).toBe('invalid-model');
    expect(code(new TypeError("Failed to construct 'URL': Invalid URL"))).toBe('invalid-model');
    expect(code(plain('MissingModelError', 'Missing `model_lib` for the model with ID "x".'))).toBe(
      'invalid-model',
    );
    expect(code(plain('IntegrityError', 'Integrity verification failed for https://x.org/a'))).toBe(
      'invalid-model',
    );
    let thrown: unknown;
    try {
      parseGgufUrl('https://x.org/model.bin');
    } catch (err) {
      thrown = err;
    }
    const gguf = describeEngineError(thrown, wllama);
    expect(gguf.code).toBe('invalid-model');
    expect(gguf.message).toMatch(/does not end in \.gguf/);
    // WllamaError keeps its kind in `type` (its name is plain "Error").
    const wl = Object.assign(new Error('Invalid model URL: x; URL must ends with ".gguf"'), {
      type: 'download_error',
    });
    expect(code(wl, wllama)).toBe('invalid-model');
    expect(
      code(Object.assign(new Error('failed to load model'), { type: 'load_error' }), wllama),
    ).toBe('invalid-model');
  });

  it('prompt longer than the context window', () => {
    expect(
      code(
        plain(
          'ContextWindowSizeExceededError',
          'Prompt tokens exceed context window size: number of prompt tokens: 1200; context window size: 1024',
        ),
      ),
    ).toBe('context-too-long');
    expect(
      code(Object.assign(new Error('KV cache is full'), { type: 'kv_cache_full' }), wllama),
    ).toBe('context-too-long');
  });

  it('wllama UTF-8 crash', () => {
    const info = describeEngineError(new RangeError('Invalid typed array length: -4'), wllama);
    expect(info.code).toBe('utf8-crash');
    expect(info.advice).toMatch(/restarted/);
    expect(
      code(
        plain('EngineRecoveredError', 'The engine crashed on output that is not valid UTF-8'),
        wllama,
      ),
    ).toBe('utf8-crash');
  });

  it('anything else is unknown, with the original message', () => {
    const info = describeEngineError(new Error('boom'), webllm);
    expect(info).toMatchObject({ code: 'unknown' });
    expect(info.message).toContain('boom');
    expect(code(null)).toBe('unknown');
    expect(code(undefined)).toBe('unknown');
    expect(code(42)).toBe('unknown');
    expect(code('a plain string')).toBe('unknown');
  });
});

describe('errorShape', () => {
  it('reads name, message, kind and status from any shape', () => {
    expect(errorShape('x')).toMatchObject({ name: '', message: 'x' });
    expect(errorShape({ name: 'E', message: 'm', type: 'load_error' })).toMatchObject({
      type: 'load_error',
    });
    expect(errorShape(new Error('Failed to fetch https://a/b.gguf: HTTP 416')).status).toBe(416);
    expect(errorShape(new Error('outer', { cause: new Error('inner') })).message).toBe(
      'outer (inner)',
    );
  });
});
