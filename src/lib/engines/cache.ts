import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import { modelFilesBase, normaliseMlcModelUrl, normaliseModelLibUrl } from './catalog';
import type { CachedModel, CustomMlcModel } from './protocol';

/**
 * Models cached by either engine, with sizes. wllama keeps GGUF files in its own cache
 * (origin-private file system); web-llm keeps MLC shards, configs and libraries in Cache
 * Storage (`webllm/*`). `custom` are the user's own MLC models: web-llm's prebuilt list does not
 * know their addresses, so without them their files would be invisible and never deleted.
 */
export async function listCachedModels(custom: CustomMlcModel[] = []): Promise<CachedModel[]> {
  return [...(await listWllama()), ...(await listWebLlm(custom))];
}

/**
 * Deletes the files listed for the entry, found again at the time of deleting. web-llm's own
 * `deleteModelAllInfoInCache` is not used: it leaves the weight index (`ndarray-cache.json` or
 * `tensor-cache.json`) behind, so the model stayed listed, and it downloads that index again when
 * it is not cached, a request nobody asked for.
 */
export async function deleteCachedModel(
  entry: CachedModel,
  custom: CustomMlcModel[] = [],
): Promise<void> {
  if (entry.backend === 'wllama') {
    const { CacheManager } = await import('@wllama/wllama');
    await new CacheManager().delete(entry.key);
    return;
  }
  const now = (await listWebLlm(custom)).find((m) => m.key === entry.key);
  await deleteWebLlmUrls(new Set(now?.urls ?? []));
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

/** web-llm's prebuilt records with the user's custom ones (a custom id replaces a prebuilt one). */
async function appConfigWith(custom: CustomMlcModel[]): Promise<AppConfig> {
  const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  const records: ModelRecord[] = [];
  for (const c of custom) {
    try {
      records.push({
        model_id: c.id,
        model: normaliseMlcModelUrl(c.modelUrl),
        model_lib: normaliseModelLibUrl(c.modelLibUrl),
      });
    } catch {
      // A record with unusable addresses cannot have cached anything.
    }
  }
  const ids = new Set(records.map((r) => r.model_id));
  return {
    ...prebuiltAppConfig,
    model_list: [...records, ...prebuiltAppConfig.model_list.filter((r) => !ids.has(r.model_id))],
  };
}

/** The folder a cached file belongs to when no record claims it: its `resolve/<branch>/` base. */
function orphanGroupOf(url: string): string {
  const m = /^(.*\/resolve\/[^/]+\/)/.exec(url);
  return m ? m[1] : url;
}

async function listWebLlm(custom: CustomMlcModel[]): Promise<CachedModel[]> {
  if (typeof caches === 'undefined') return [];
  const names = (await caches.keys()).filter((n) => n.startsWith('webllm/'));
  if (names.length === 0) return [];
  const records = (await appConfigWith(custom)).model_list.map((r) => ({
    id: r.model_id,
    base: modelFilesBase(r.model),
    lib: r.model_lib,
  }));
  // Keyed by model id, or for files no record claims, by their folder's URL.
  const groups = new Map<string, { bytes: number; urls: string[] }>();
  for (const name of names) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const res = await cache.match(req);
      const size = Number(res?.headers.get('content-length') ?? 0);
      const record = records.find((r) => req.url.startsWith(r.base) || req.url === r.lib);
      const key = record ? record.id : orphanGroupOf(req.url);
      const group = groups.get(key) ?? { bytes: 0, urls: [] };
      group.bytes += size;
      group.urls.push(req.url);
      groups.set(key, group);
    }
  }
  return [...groups].map(([key, g]) => ({
    backend: 'webllm' as const,
    key,
    label: key,
    bytes: g.bytes || null,
    urls: g.urls,
  }));
}

async function deleteWebLlmUrls(urls: Set<string>): Promise<void> {
  for (const name of (await caches.keys()).filter((n) => n.startsWith('webllm/'))) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) if (urls.has(req.url)) await cache.delete(req);
  }
}
