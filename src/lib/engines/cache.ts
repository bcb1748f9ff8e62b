import type { CachedModel } from './protocol';

/**
 * Models cached by either engine, with sizes. wllama keeps GGUF files in its own cache
 * (origin-private file system); web-llm keeps MLC shards in Cache Storage (`webllm/*`).
 */
export async function listCachedModels(): Promise<CachedModel[]> {
  return [...(await listWllama()), ...(await listWebLlm())];
}

export async function deleteCachedModel(entry: CachedModel): Promise<void> {
  if (entry.backend === 'wllama') {
    const { CacheManager } = await import('@wllama/wllama');
    await new CacheManager().delete(entry.key);
    return;
  }
  // The same app config as loading, so web-llm finds every artifact of the model.
  const { deleteModelAllInfoInCache, prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  await deleteModelAllInfoInCache(entry.key, prebuiltAppConfig);
}

async function listWllama(): Promise<CachedModel[]> {
  try {
    const { CacheManager } = await import('@wllama/wllama');
    const entries = await new CacheManager().list();
    return entries.map((e) => {
      const url = e.metadata?.originalURL || e.name;
      return {
        backend: 'wllama' as const,
        key: url,
        label: decodeURIComponent(url.split('/').pop() ?? url),
        bytes: e.size,
      };
    });
  } catch {
    return []; // no OPFS (private windows in some browsers): nothing cached
  }
}

async function listWebLlm(): Promise<CachedModel[]> {
  if (typeof caches === 'undefined') return [];
  const names = (await caches.keys()).filter((n) => n.startsWith('webllm/'));
  if (names.length === 0) return [];
  const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  const byModel = new Map<string, number>();
  for (const name of names) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const record = prebuiltAppConfig.model_list.find(
        (m) => req.url.startsWith(m.model) || req.url === m.model_lib,
      );
      if (!record) continue;
      const res = await cache.match(req);
      const size = Number(res?.headers.get('content-length') ?? 0);
      byModel.set(record.model_id, (byModel.get(record.model_id) ?? 0) + size);
    }
  }
  return [...byModel].map(([id, bytes]) => ({
    backend: 'webllm' as const,
    key: id,
    label: id,
    bytes: bytes || null,
  }));
}
