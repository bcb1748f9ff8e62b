/**
 * Which models the app offers, and whether they fit this device. Pure functions: the web-llm
 * model list is passed in (from `prebuiltAppConfig.model_list`, never copied by hand), so the
 * UI can import this module without pulling web-llm's 6 MB bundle.
 */
import type { ModelRecord } from '@mlc-ai/web-llm';
import { english, msg, type Message } from '../i18n/translate';

export interface CatalogEntry {
  /** web-llm's model_id, e.g. `Qwen2.5-0.5B-Instruct-q4f32_1-MLC`. */
  id: string;
  backend: 'webllm';
  /** e.g. `Qwen2.5`, `Llama 3.2`. */
  family: string;
  label: string;
  /** Parameter count as the model's name gives it, e.g. `0.5B`, `360M`. */
  params: string;
  quant: 'q4f16_1' | 'q4f32_1' | string;
  vramMB: number | null;
  lowResource: boolean;
  contextWindow: number | null;
  requiresF16: boolean;
  /** A `-1k` variant: 1,024-token context, less memory; long questions may not fit. */
  shortContext: boolean;
}

export interface CatalogItem {
  entry: CatalogEntry;
  fits: boolean;
  /** Why it does not fit, in words a user reads; null when it fits. */
  reason: string | null;
  /** `reason` as a Message the UI translates. */
  reasonMessage: Message | null;
}

export interface CatalogOptions {
  shaderF16: boolean;
  /** From `vramBudgetMB()`; null when unknown (nothing is filtered on memory). */
  vramBudgetMB: number | null;
  /** The adapter's limit; when given, models needing larger bindings are marked. */
  maxStorageBufferBindingSize?: number | null;
}

interface FamilyRule {
  family: string;
  /** Matched against the id without its quantisation suffix; group 1 is the size, if any. */
  pattern: RegExp;
  /** For names that do not carry their size. */
  params?: string;
  label: (size: string) => string;
}

/**
 * Small (≤ 4B) chat models that can answer Chinese exam questions. Left out on purpose:
 * Coder/Math/Base/Reasoning variants (not general chat), vision and embedding models, the
 * Japanese gemma, models above 4B, older generations superseded by the ones below (Qwen2,
 * Phi-3-mini, Llama 2/3, TinyLlama, RedPajama, phi-1.5/2), English-only ones (OLMo 2,
 * StableLM 2) and third-party fine-tunes (Hermes).
 */
const FAMILIES: FamilyRule[] = [
  {
    family: 'Qwen2.5',
    pattern: /^Qwen2\.5-(0\.5B|1\.5B|3B)-Instruct$/,
    label: (s) => `Qwen2.5 ${s} Instruct`,
  },
  { family: 'Qwen3', pattern: /^Qwen3-(0\.6B|1\.7B|4B)$/, label: (s) => `Qwen3 ${s}` },
  { family: 'Qwen3.5', pattern: /^Qwen3\.5-(0\.8B|2B|4B)$/, label: (s) => `Qwen3.5 ${s}` },
  {
    family: 'Llama 3.2',
    pattern: /^Llama-3\.2-(1B|3B)-Instruct$/,
    label: (s) => `Llama 3.2 ${s} Instruct`,
  },
  {
    family: 'Phi-3.5',
    pattern: /^Phi-3\.5-mini-instruct$/,
    params: '3.8B',
    label: () => 'Phi-3.5 mini instruct',
  },
  {
    family: 'Phi-4',
    pattern: /^Phi-4-mini-instruct$/,
    params: '3.8B',
    label: () => 'Phi-4 mini instruct',
  },
  { family: 'Gemma 2', pattern: /^gemma-2-(2b)-it$/, label: (s) => `Gemma 2 ${s} it` },
  { family: 'Gemma 3', pattern: /^gemma3-(1b)-it$/, label: (s) => `Gemma 3 ${s} it` },
  // "E2B": about 2B effective parameters (more with per-layer embeddings).
  { family: 'Gemma 4', pattern: /^gemma-4-(E2B)-it$/, label: (s) => `Gemma 4 ${s} it` },
  {
    family: 'SmolLM2',
    pattern: /^SmolLM2-(360M|1\.7B)-Instruct$/,
    label: (s) => `SmolLM2 ${s} Instruct`,
  },
  {
    family: 'Ministral 3',
    pattern: /^Ministral-3-(3B)-Instruct-2512-BF16$/,
    label: (s) => `Ministral 3 ${s} Instruct`,
  },
];

/** `Qwen2.5-0.5B-Instruct-q4f16_1-MLC-1k` → base, quant and whether it is the 1k variant. */
export function parseMlcModelId(
  id: string,
): { base: string; quant: string; shortContext: boolean } | null {
  const m = /^(.+)-(q\d+f\d+(?:_\d+)?)-MLC(-1k)?$/.exec(id);
  return m ? { base: m[1], quant: m[2], shortContext: m[3] !== undefined } : null;
}

/**
 * q4f16/q0f16 models cannot run without shader-f16, although web-llm's records do not always
 * say so in `required_features` (web-llm then fails later, in a shader).
 */
export function requiresShaderF16(record: Pick<ModelRecord, 'model_id' | 'required_features'>) {
  const parsed = parseMlcModelId(record.model_id);
  return (
    (record.required_features ?? []).includes('shader-f16') ||
    (parsed !== null && /f16/.test(parsed.quant))
  );
}

/**
 * web-llm asks the device for a 1 GiB storage binding when the adapter allows it, and otherwise
 * falls back to WebGPU's 128 MiB default (see `detectGPUDevice` in web-llm).
 */
function webLlmBindingLimit(adapterLimit: number): number {
  return adapterLimit >= 2 ** 30 ? 2 ** 30 : Math.min(adapterLimit, 2 ** 27);
}

const MB = 2 ** 20;
const fmt = (n: number) => n.toLocaleString('en-US');

/** One entry per model and context variant: q4f16_1 where the GPU has shader-f16, else q4f32_1. */
export function buildWebLlmCatalog(
  modelList: readonly ModelRecord[],
  options: CatalogOptions,
): CatalogItem[] {
  const groups = new Map<string, { rule: FamilyRule; size: string; records: ModelRecord[] }>();
  for (const record of modelList) {
    if (record.model_type !== undefined && record.model_type !== 0) continue; // embedding, VLM
    const parsed = parseMlcModelId(record.model_id);
    if (!parsed || (parsed.quant !== 'q4f16_1' && parsed.quant !== 'q4f32_1')) continue;
    for (const rule of FAMILIES) {
      const m = rule.pattern.exec(parsed.base);
      if (!m) continue;
      const key = `${parsed.base}${parsed.shortContext ? '-1k' : ''}`;
      const size = (m[1] ?? rule.params ?? '').toUpperCase();
      const group = groups.get(key) ?? { rule, size, records: [] };
      group.records.push(record);
      groups.set(key, group);
      break;
    }
  }

  const items: CatalogItem[] = [];
  for (const { rule, size, records } of groups.values()) {
    const byQuant = (q: string) => records.find((r) => parseMlcModelId(r.model_id)?.quant === q);
    // Without shader-f16 a q4f16-only model is still listed, as not fitting, so users see why.
    const record = options.shaderF16
      ? (byQuant('q4f16_1') ?? byQuant('q4f32_1'))
      : (byQuant('q4f32_1') ?? byQuant('q4f16_1'));
    if (!record) continue;
    const parsed = parseMlcModelId(record.model_id)!;
    const entry: CatalogEntry = {
      id: record.model_id,
      backend: 'webllm',
      family: rule.family,
      label: rule.label(size) + (parsed.shortContext ? ' (1k context)' : ''),
      params: size,
      quant: parsed.quant,
      vramMB: record.vram_required_MB ?? null,
      lowResource: record.low_resource_required ?? false,
      contextWindow: record.overrides?.context_window_size ?? null,
      requiresF16: requiresShaderF16(record),
      shortContext: parsed.shortContext,
    };
    const why = misfit(entry, record, options);
    items.push({
      entry,
      fits: why === null,
      reason: why && english(why),
      reasonMessage: why,
    });
  }
  return items.sort(
    (a, b) =>
      (a.entry.vramMB ?? Infinity) - (b.entry.vramMB ?? Infinity) ||
      a.entry.id.localeCompare(b.entry.id),
  );
}

function misfit(entry: CatalogEntry, record: ModelRecord, options: CatalogOptions): Message | null {
  if (entry.requiresF16 && !options.shaderF16) return msg('fitNeedsF16');
  const budget = options.vramBudgetMB;
  if (budget !== null && entry.vramMB !== null && entry.vramMB > budget) {
    // Need rounded up and budget rounded down, so the two never read the same.
    const need = Math.ceil(entry.vramMB / 100) * 100;
    const have = Math.floor(budget / 100) * 100;
    return msg('fitMemory', { need: fmt(need), have: fmt(have) });
  }
  const binding = options.maxStorageBufferBindingSize;
  const required = record.buffer_size_required_bytes;
  if (binding && required && required > webLlmBindingLimit(binding)) {
    return msg('fitBuffers', {
      need: fmt(Math.ceil(required / MB)),
      have: fmt(Math.floor(webLlmBindingLimit(binding) / MB)),
    });
  }
  return null;
}

/**
 * A rough GPU memory budget in MB, or null when nothing is known. Browsers do not report
 * GPU memory, so this only guards against obvious failures:
 * - `deviceMemory` (system RAM in GB, coarse and capped by the browser): integrated GPUs, most
 *   laptops and phones, share it with everything else, so plan for at most half of it.
 * - `maxBufferSize`: an adapter whose largest buffer is ≤ 1 GiB is a low-end or software one
 *   (SwiftShader reports exactly 1 GiB); such devices rarely have more than about twice that
 *   to spare, and web-llm's larger models then fail with a lost device.
 * Discrete GPUs report large limits and are not held back by either rule.
 */
export function vramBudgetMB(device: {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  deviceMemoryGB: number | null;
}): number | null {
  const caps: number[] = [];
  if (device.deviceMemoryGB !== null && device.deviceMemoryGB > 0) {
    caps.push(device.deviceMemoryGB * 1024 * 0.5);
  }
  if (device.maxBufferSize > 0 && device.maxBufferSize <= 2 ** 30) {
    caps.push((2 * device.maxBufferSize) / MB);
  }
  return caps.length ? Math.floor(Math.min(...caps)) : null;
}

// ---------------------------------------------------------------------------------------------
// GGUF URLs (wllama)

export interface GgufUrl {
  /** Every file to download, in order: one, or all shards of a split model. */
  urls: string[];
  /** What was changed in the address the user gave, in words; null when nothing. */
  note: string | null;
}

/**
 * Thrown for addresses that cannot be a GGUF model; `describeEngineError` maps it. `i18n` is the
 * text as a Message the UI translates (absent when built from English only).
 */
export class InvalidModelUrlError extends Error {
  override name = 'InvalidModelUrlError';
  readonly i18n: Message | undefined;
  constructor(message: Message | string) {
    super(english(message));
    this.i18n = typeof message === 'string' ? undefined : message;
  }
}

const SPLIT = /-(\d+)-of-(\d+)\.gguf$/i;

/** Checks a GGUF address, fixes a Hugging Face page link, and expands split files. */
export function parseGgufUrl(input: string): GgufUrl {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidModelUrlError(msg('ggufNotAddress', { text }));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidModelUrlError(msg('ggufNotHttp', { protocol: url.protocol }));
  }
  url.hash = '';
  let note: string | null = null;
  // https://huggingface.co/{owner}/{repo}/blob/{rev}/{path} is the HTML page about the file;
  // /resolve/ is the file itself. /raw/ gives a Git LFS pointer, not the model.
  const hf = /^(huggingface\.co|hf\.co)$/i.test(url.hostname);
  const page = hf ? /^(\/[^/]+\/[^/]+)\/(blob|raw)\/(.+)$/.exec(url.pathname) : null;
  if (page) {
    url.pathname = `${page[1]}/resolve/${page[3]}`;
    note = `This was a link to the Hugging Face page (/${page[2]}/) for the file; using the file itself (/resolve/) instead.`;
  }
  const file = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  if (!/\.gguf$/i.test(file)) {
    throw new InvalidModelUrlError(msg('ggufNotGguf', { text }));
  }
  const split = SPLIT.exec(url.pathname);
  if (!split) return { urls: [url.href], note };
  const width = split[1].length;
  const count = Number(split[2]);
  if (!(count >= 1) || Number(split[1]) < 1 || Number(split[1]) > count) {
    throw new InvalidModelUrlError(msg('ggufShardNumber', { file }));
  }
  const urls: string[] = [];
  for (let i = 1; i <= count; i++) {
    const shard = new URL(url.href);
    shard.pathname = url.pathname.replace(
      SPLIT,
      `-${String(i).padStart(width, '0')}-of-${split[2]}.gguf`,
    );
    urls.push(shard.href);
  }
  if (Number(split[1]) !== 1) {
    const first =
      'This is one part of a split model; all parts are downloaded, starting from the first.';
    note = note ? `${note} ${first}` : first;
  }
  return { urls, note };
}

/**
 * A stable id for a GGUF model: `gguf:<file name>`, the same for every shard of a split model
 * and for a URL or a local file of the same name.
 */
export function ggufModelId(urlOrFileName: string): string {
  let name = urlOrFileName.trim();
  try {
    name = new URL(name).pathname;
  } catch {
    // A bare file name.
  }
  name = name.split(/[/\\]/).pop() ?? name;
  try {
    name = decodeURIComponent(name);
  } catch {
    // Keep it as given.
  }
  const split = SPLIT.exec(name);
  if (split) {
    name = name.replace(SPLIT, `-${'1'.padStart(split[1].length, '0')}-of-${split[2]}.gguf`);
  }
  return `gguf:${name}`;
}

// ---------------------------------------------------------------------------------------------
// Custom MLC models (web-llm)

/**
 * web-llm wants an absolute model URL and appends `resolve/main/` unless the URL already has a
 * `/resolve/<branch>/` part; a relative one fails inside web-llm with "Invalid URL".
 */
export function normaliseMlcModelUrl(input: string): string {
  const url = absoluteHttpUrl(input, msg('mlcWhatModel'));
  // https://huggingface.co/{owner}/{repo}/tree/main is the page of the repository.
  const tree = /^(\/[^/]+\/[^/]+)\/tree\/([^/]+)\/?$/.exec(url.pathname);
  if (/^(huggingface\.co|hf\.co)$/i.test(url.hostname) && tree) {
    url.pathname = `${tree[1]}/resolve/${tree[2]}/`;
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** web-llm's own rule (cleanModelUrl): a model's files live under `resolve/main/` unless a branch is given. */
export function modelFilesBase(model: string): string {
  let url = model.endsWith('/') ? model : `${model}/`;
  if (!/.+\/resolve\/.+\//.test(url)) url += 'resolve/main/';
  return new URL(url).href;
}

/** The model library (.wasm): absolute, and the file itself rather than a Hugging Face page. */
export function normaliseModelLibUrl(input: string): string {
  const url = absoluteHttpUrl(input, msg('mlcWhatLib'));
  const page = /^(\/[^/]+\/[^/]+)\/blob\/(.+)$/.exec(url.pathname);
  if (/^(huggingface\.co|hf\.co)$/i.test(url.hostname) && page) {
    url.pathname = `${page[1]}/resolve/${page[2]}`;
  }
  return url.href;
}

function absoluteHttpUrl(input: string, what: Message): URL {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new InvalidModelUrlError(msg('mlcUrlNotFull', { what, input }));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidModelUrlError(msg('mlcUrlNotHttp', { what }));
  }
  url.hash = '';
  return url;
}
