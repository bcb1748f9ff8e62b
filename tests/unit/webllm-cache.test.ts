import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { deleteCachedModel, listCachedModels } from '../../src/lib/engines/cache';
import { completionTokensOf } from '../../src/lib/engines/webllm';
import { webLlmRuntimeFacts } from '../../src/lib/engines/webllm-runtime';

/** Cache Storage as web-llm uses it (named caches of URL → response), in memory. */
class MemoryCacheStorage {
  readonly stores = new Map<string, Map<string, number>>();
  put(name: string, url: string, bytes: number): void {
    if (!this.stores.has(name)) this.stores.set(name, new Map());
    this.stores.get(name)!.set(url, bytes);
  }
  async keys(): Promise<string[]> {
    return [...this.stores.keys()];
  }
  async open(name: string) {
    const store = this.stores.get(name) ?? new Map<string, number>();
    this.stores.set(name, store);
    return {
      keys: async () => [...store.keys()].map((url) => ({ url })),
      match: async (req: { url: string }) => {
        const bytes = store.get(req.url);
        return bytes === undefined
          ? undefined
          : { headers: new Headers({ 'content-length': String(bytes) }) };
      },
      delete: async (req: { url: string }) => store.delete(req.url),
    };
  }
}

const storage = new MemoryCacheStorage();
beforeEach(() => {
  storage.stores.clear();
  (globalThis as { caches?: unknown }).caches = storage;
});
afterEach(() => {
  delete (globalThis as { caches?: unknown }).caches;
});

const CUSTOM = {
  id: 'qwen2-random',
  modelUrl: 'http://127.0.0.1:4174/mlc-real/qwen2-random',
  modelLibUrl: 'http://127.0.0.1:4174/mlc-real/lib.wasm',
};
const FILES = 'http://127.0.0.1:4174/mlc-real/qwen2-random/resolve/main/';

describe("web-llm's cached models", () => {
  it('lists a custom model under its id, with every file it fetched, and deletes them all', async () => {
    storage.put('webllm/config', `${FILES}mlc-chat-config.json`, 1_000);
    storage.put('webllm/config', `${FILES}tokenizer.json`, 7_000);
    // web-llm's own delete helper left this index behind.
    storage.put('webllm/model', `${FILES}ndarray-cache.json`, 2_000);
    storage.put('webllm/model', `${FILES}params_shard_0.bin`, 30_000);
    storage.put('webllm/model', `${FILES}params_shard_1.bin`, 20_000);
    storage.put('webllm/wasm', CUSTOM.modelLibUrl, 4_000);
    storage.put('webllm/model', 'https://elsewhere.test/other/resolve/main/params_shard_0.bin', 9);
    const listed = await listCachedModels([CUSTOM]);
    // 1,000 + 7,000 + 2,000 + 30,000 + 20,000 + 4,000
    expect(listed.find((m) => m.key === 'qwen2-random')).toMatchObject({
      backend: 'webllm',
      label: 'qwen2-random',
      bytes: 64_000,
    });

    await deleteCachedModel({ backend: 'webllm', key: 'qwen2-random', label: '', bytes: null }, [
      CUSTOM,
    ]);
    const left = [...storage.stores.values()].flatMap((s) => [...s.keys()]);
    expect(left).toEqual(['https://elsewhere.test/other/resolve/main/params_shard_0.bin']);
  });

  it('without the custom record the same files are listed by folder and deleted one by one', async () => {
    storage.put('webllm/model', `${FILES}params_shard_0.bin`, 30_000);
    storage.put('webllm/config', `${FILES}mlc-chat-config.json`, 1_000);
    storage.put('webllm/wasm', CUSTOM.modelLibUrl, 4_000);
    const prebuilt = prebuiltAppConfig.model_list[0];
    const prebuiltShard = `${prebuilt.model.replace(/\/?$/, '/')}resolve/main/params_shard_0.bin`;
    storage.put('webllm/model', prebuiltShard, 50_000);

    const listed = await listCachedModels([]);
    expect(listed.find((m) => m.key === prebuilt.model_id)).toEqual({
      backend: 'webllm',
      key: prebuilt.model_id,
      label: prebuilt.model_id,
      bytes: 50_000,
      urls: [prebuiltShard],
    });
    const folder = listed.find((m) => m.key === FILES)!;
    // 30,000 + 1,000; the library has no folder of its own.
    expect(folder).toMatchObject({ label: FILES, bytes: 31_000 });
    expect(listed.find((m) => m.key === CUSTOM.modelLibUrl)).toMatchObject({ bytes: 4_000 });

    await deleteCachedModel(folder, []);
    const left = [...storage.stores.values()].flatMap((s) => [...s.keys()]);
    expect(left.sort()).toEqual([CUSTOM.modelLibUrl, prebuiltShard].sort());
  });
});

describe('what differs between web-llm releases', () => {
  const old = webLlmRuntimeFacts('v0_2_48'); // web-llm 0.2.79, the test build
  const shipped = webLlmRuntimeFacts('v0_2_86/base'); // web-llm 0.2.86

  it('names the weight index each release fetches', () => {
    expect(old.weightIndexFile).toBe('ndarray-cache.json');
    expect(shipped.weightIndexFile).toBe('tensor-cache.json');
  });

  it('counts the first token, sampled by the prefill, that 0.2.79 leaves out of completion_tokens', () => {
    // max_tokens 4, finish "length": 0.2.79 reports 3 decode steps, 0.2.86 reports 4 tokens.
    expect(completionTokensOf({ prompt_tokens: 20, completion_tokens: 3 }, old)).toBe(4);
    expect(completionTokensOf({ prompt_tokens: 20, completion_tokens: 4 }, shipped)).toBe(4);
    // max_tokens 1 (a letter's probabilities): no decode step, one token.
    expect(completionTokensOf({ prompt_tokens: 150, completion_tokens: 0 }, old)).toBe(1);
    expect(completionTokensOf(undefined, old)).toBe(0);
  });
});
