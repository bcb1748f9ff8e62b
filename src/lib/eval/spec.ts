/**
 * A run spec as URL query parameters, so a teacher can send one link that imports the split,
 * loads the model and runs the benchmark. Every problem in a link is listed; nothing falls back
 * to a default silently (the defaults below are fixed and documented, never guessed).
 *
 * | parameter     | values                                   | default / rule                      |
 * | ------------- | ---------------------------------------- | ----------------------------------- |
 * | `dataset`     | `cmexam`, or the http(s) URL of a file   | required for a run                  |
 * | `split`       | `train\|val\|test` with cmexam; a name   | required with cmexam; URL: the file |
 * |               | with a URL (stored as `custom/<name>`)   | name without extension              |
 * | `mirror`      | http(s) base URL (cmexam only)           | the official repository             |
 * | `subset`      | `all\|first\|random\|stratified`         | `all` WITHOUT `n`; `first` WITH `n` |
 * | `n`           | whole number ≥ 1                         | required for first/random/strat.;   |
 * |               |                                          | not allowed with `all`              |
 * | `stratify`    | annotation column                        | required for, only for, stratified  |
 * | `filter`      | `<column>:<value>\|<value>…`, repeatable | none; one `filter` per column       |
 * | `shard`       | `i/n`, 1 ≤ i ≤ n                         | `1/1`                               |
 * | `seed`        | whole number 0 … 4294967295              | `0`                                 |
 * | `model`       | web-llm model id, GGUF http(s) URL, or   | required for a run                  |
 * |               | `demo:tiny-random`                       |                                     |
 * | `engine`      | `webllm\|wllama`                         | `wllama` for a GGUF URL or `demo:`, |
 * |               |                                          | else `webllm`; must agree if given  |
 * | `method`      | `choice\|generate`                       | required for a run                  |
 * | `prompt`      | `zero-shot\|few-shot\|cot\|icp`          | required; `cot` needs `generate`    |
 * | `k`           | whole number 1 … 64                      | required for few-shot; otherwise    |
 * |               |                                          | absent or `0`                       |
 * | `shots`       | `train\|val\|test` (CMExam) or           | few-shot only. cmexam: `train` when |
 * |               | `custom/<name>` (a stored split)         | evaluating val/test, `val` when     |
 * |               |                                          | evaluating train; URL: required.    |
 * |               |                                          | Never the evaluated split.          |
 * | `multi`       | `skip\|constrained`                      | `skip`; only with `choice`          |
 * | `extract`     | `layered\|cmexam`                        | `layered`; only with `generate`     |
 * | `max_tokens`  | whole number 1 … 16384                   | `256`; only with `generate`         |
 * | `temperature` | number 0 … 2                             | `0`                                 |
 * | `circular`    | `1` (ask every rotation of the options)  | `0` (off); written only when on     |
 * |               | or `0`                                   |                                     |
 * | `autostart`   | `1` (start at once) or `0`               | `0`                                 |
 *
 * Every parameter appears at most once, except `filter`. A link with only the dataset
 * parameters imports the split and starts no run. Filter values are trimmed (annotations are
 * trimmed on import) and cannot contain `|`; column names cannot contain `:`.
 */
import { customSplitName, isCmexamSplit, splitIdFor } from '../dataset/ids';
import {
  KNOWN_PARAMS as DATASET_PARAMS,
  parseDatasetLink,
  type DatasetLinkRequest,
} from '../dataset/url-params';
import { parseGgufUrl } from '../engines/catalog';
import type {
  ExtractionRule,
  GenerationSettings,
  Method,
  MultiAnswerPolicy,
  PromptStyle,
  RunSpec,
  SubsetSpec,
} from './types';

/** Run parameters, in the canonical order `runLinkFor` writes them (after the dataset ones). */
export const RUN_PARAMS = [
  'subset',
  'n',
  'stratify',
  'filter',
  'shard',
  'seed',
  'model',
  'engine',
  'method',
  'prompt',
  'k',
  'shots',
  'multi',
  'extract',
  'max_tokens',
  'temperature',
  'circular',
  'autostart',
] as const;
export type RunParam = (typeof RUN_PARAMS)[number];

/** Every parameter a link may carry: the dataset ones (url-params.ts) and the run ones. */
export const LINK_PARAMS: readonly string[] = [...DATASET_PARAMS, ...RUN_PARAMS];

export const DEFAULT_GENERATION: Readonly<GenerationSettings> = Object.freeze({
  maxTokens: 256,
  temperature: 0,
});
export const DEFAULT_SEED = 0;
export const DEFAULT_MULTI: MultiAnswerPolicy = 'skip';
export const DEFAULT_EXTRACTION: ExtractionRule = 'layered';
export const DEMO_MODELS = ['demo:tiny-random'] as const;

export const MAX_SEED = 0xffffffff;
export const MAX_K = 64;
export const MAX_TOKENS = 16384;
export const MAX_TEMPERATURE = 2;

const MODES: readonly SubsetSpec['mode'][] = ['all', 'first', 'random', 'stratified'];
const ENGINES: readonly RunSpec['engine'][] = ['webllm', 'wllama'];
const METHODS: readonly Method[] = ['choice', 'generate'];
const PROMPTS: readonly PromptStyle[] = ['zero-shot', 'few-shot', 'cot', 'icp'];
const MULTI: readonly MultiAnswerPolicy[] = ['skip', 'constrained'];
const EXTRACT: readonly ExtractionRule[] = ['layered', 'cmexam'];

export interface RunLink {
  /** Null when the link asks for no run, or when it has any problem. */
  spec: RunSpec | null;
  /** Null when the link names no dataset, or when it has any problem (nothing is imported). */
  dataset: DatasetLinkRequest | null;
  autostart: boolean;
  problems: string[];
}

/** A spec with everything at its default: all questions, choice, zero-shot. */
export function defaultSpec(splitId: string, model: string, engine: RunSpec['engine']): RunSpec {
  return {
    splitId,
    subset: { filters: {}, mode: 'all', n: null, stratifyBy: null, shard: { index: 1, count: 1 } },
    model,
    engine,
    method: 'choice',
    prompt: 'zero-shot',
    k: 0,
    shotsSplitId: null,
    multiAnswer: DEFAULT_MULTI,
    extraction: DEFAULT_EXTRACTION,
    generation: { ...DEFAULT_GENERATION },
    seed: DEFAULT_SEED,
  };
}

/**
 * Where few-shot examples come from when a link does not say: CMExam train for CMExam val or
 * test, CMExam val for CMExam train (never the evaluated split). Null for other splits: a link
 * must then name `shots`.
 */
export function defaultShotsSplit(splitId: string): string | null {
  if (splitId === 'cmexam/train') return 'cmexam/val';
  if (splitId === 'cmexam/val' || splitId === 'cmexam/test') return 'cmexam/train';
  return null;
}

/** The engine a model runs on: GGUF files and the demo model on wllama, the rest on web-llm. */
export function engineForModel(model: string): RunSpec['engine'] {
  return model.startsWith('demo:') || hasScheme(model) ? 'wllama' : 'webllm';
}

/**
 * The same run written one way: filters sorted, and fields the runner ignores for this method
 * and prompt set to their defaults (n for `all`, stratifyBy unless stratified, k and shots
 * unless few-shot, multi unless choice, extract and max_tokens unless generate). `circular`
 * is there only when on: a spec without it keeps the run id it had before the option existed.
 * Run ids and links are made from this, so a spec from the form and one from a link agree.
 */
export function canonicalSpec(spec: RunSpec): RunSpec {
  const s = spec.subset;
  const filters: Record<string, string[]> = {};
  for (const column of Object.keys(s.filters).sort(compareCodePoints)) {
    filters[column] = [...new Set(s.filters[column])].sort(compareCodePoints);
  }
  const fewShot = spec.prompt === 'few-shot';
  return {
    splitId: spec.splitId,
    subset: {
      filters,
      mode: s.mode,
      n: s.mode === 'all' ? null : s.n,
      stratifyBy: s.mode === 'stratified' ? s.stratifyBy : null,
      shard: { index: s.shard.index, count: s.shard.count },
    },
    model: spec.model,
    engine: spec.engine,
    method: spec.method,
    prompt: spec.prompt,
    k: fewShot ? spec.k : 0,
    shotsSplitId: fewShot ? spec.shotsSplitId : null,
    multiAnswer: spec.method === 'choice' ? spec.multiAnswer : DEFAULT_MULTI,
    extraction: spec.method === 'generate' ? spec.extraction : DEFAULT_EXTRACTION,
    generation: {
      maxTokens:
        spec.method === 'generate' ? spec.generation.maxTokens : DEFAULT_GENERATION.maxTokens,
      temperature: spec.generation.temperature,
    },
    seed: spec.seed,
    ...(spec.circular ? { circular: true } : {}),
  };
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A run's id: the first 16 hex digits of the SHA-256 of the canonical spec's canonical JSON.
 * Opening the same link twice (or starting the same settings from the form) resumes one run.
 */
export async function runIdFor(spec: RunSpec): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(canonicalSpec(spec)));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Read a link's dataset and run parameters. See the table at the top of this file; every
 * problem is listed, and any problem leaves both `spec` and `dataset` null.
 */
export function parseRunLink(search: string): RunLink {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  for (const key of new Set(params.keys())) {
    if (!LINK_PARAMS.includes(key)) problems.push(`Unknown parameter "${key}".`);
    else if (isRunParam(key) && key !== 'filter' && params.getAll(key).length > 1) {
      problems.push(`Parameter "${key}" is given more than once.`);
    }
  }
  // The dataset parameters keep one parser (url-params.ts); give it only its own parameters.
  const datasetOnly = new URLSearchParams();
  for (const [k, v] of params) {
    if (!isRunParam(k) && LINK_PARAMS.includes(k)) datasetOnly.append(k, v);
  }
  const datasetPart = parseDatasetLink(datasetOnly.toString());
  problems.push(...datasetPart.problems);
  const request = datasetPart.request;

  if (!RUN_PARAMS.some((k) => params.has(k))) {
    return { spec: null, dataset: problems.length ? null : request, autostart: false, problems };
  }

  const get = (k: RunParam) => params.get(k);
  if (params.get('dataset') === null) {
    problems.push('A run needs "dataset": cmexam (with "split") or the http(s) URL of a file.');
  }
  let splitId: string | null = null;
  if (request?.kind === 'cmexam') splitId = splitIdFor('cmexam', request.split);
  else if (request?.kind === 'url') {
    splitId = splitIdFor('custom', request.split ?? customSplitName(request.url));
  }

  const subset = readSubset(params, problems);
  const seed = readInt(get('seed'), 'seed', 0, MAX_SEED, problems) ?? DEFAULT_SEED;

  // Model and engine.
  const model = get('model');
  let inferred: RunSpec['engine'] | null = null;
  if (model === null) {
    problems.push('A run needs "model": a web-llm model id, a GGUF URL or demo:tiny-random.');
  } else {
    inferred = checkModel(model, problems);
  }
  const engineRaw = get('engine');
  let engine = inferred;
  if (engineRaw !== null) {
    const e = oneOf(engineRaw, 'engine', ENGINES, problems);
    if (e && inferred && e !== inferred) {
      problems.push(
        inferred === 'wllama'
          ? `engine=${e} cannot run "${model}": GGUF files and the demo model run on wllama.`
          : `engine=${e} cannot run "${model}": a web-llm model id runs on webllm ` +
              '(wllama needs a GGUF URL).',
      );
    }
    engine = e ?? inferred;
  }

  // Method and prompt.
  const methodRaw = get('method');
  const promptRaw = get('prompt');
  if (methodRaw === null) problems.push('A run needs "method": choice or generate.');
  if (promptRaw === null) {
    problems.push('A run needs "prompt": zero-shot, few-shot, cot or icp.');
  }
  const method = methodRaw === null ? null : oneOf(methodRaw, 'method', METHODS, problems);
  const prompt = promptRaw === null ? null : oneOf(promptRaw, 'prompt', PROMPTS, problems);
  if (prompt === 'cot' && method === 'choice') {
    problems.push(
      'prompt=cot needs method=generate: chain-of-thought writes its reasoning before the ' +
        'answer, and method=choice generates no text.',
    );
  }

  // Few-shot: k and shots.
  const kRaw = get('k');
  const shotsRaw = get('shots');
  let k = 0;
  let shotsSplitId: string | null = null;
  if (prompt === 'few-shot') {
    if (kRaw === null) {
      problems.push(`prompt=few-shot needs "k", the number of examples (1 to ${MAX_K}).`);
    } else {
      k = readInt(kRaw, 'k', 1, MAX_K, problems, ' (for no examples use prompt=zero-shot)') ?? 0;
    }
    if (shotsRaw !== null) shotsSplitId = readShots(shotsRaw, problems);
    else if (splitId !== null) {
      shotsSplitId = defaultShotsSplit(splitId);
      if (shotsSplitId === null) {
        problems.push(
          'With dataset=<URL>, prompt=few-shot needs "shots", the split to draw examples ' +
            'from: train, val, test (CMExam) or custom/<name> (a stored split).',
        );
      }
    }
    if (shotsSplitId !== null && shotsSplitId === splitId) {
      problems.push(
        `"shots" must differ from the evaluated split (${splitId}): the examples would ` +
          'include the questions being asked.',
      );
    }
  } else if (prompt !== null) {
    if (kRaw !== null && kRaw !== '0') {
      problems.push(`"k" (few-shot examples) only applies to prompt=few-shot, not ${prompt}.`);
    }
    if (shotsRaw !== null) {
      problems.push(`"shots" only applies to prompt=few-shot, not ${prompt}.`);
    }
  }

  // Method-specific settings: rejected where the runner would ignore them.
  const multiRaw = get('multi');
  const extractRaw = get('extract');
  const maxRaw = get('max_tokens');
  let multiAnswer = DEFAULT_MULTI;
  let extraction = DEFAULT_EXTRACTION;
  let maxTokens = DEFAULT_GENERATION.maxTokens;
  if (multiRaw !== null) {
    if (method === 'generate') {
      problems.push(
        '"multi" only applies to method=choice (method=generate answers multi-answer ' +
          'questions in its own words).',
      );
    } else multiAnswer = oneOf(multiRaw, 'multi', MULTI, problems) ?? DEFAULT_MULTI;
  }
  if (extractRaw !== null) {
    if (method === 'choice') {
      problems.push('"extract" only applies to method=generate (choice reads option letters).');
    } else extraction = oneOf(extractRaw, 'extract', EXTRACT, problems) ?? DEFAULT_EXTRACTION;
  }
  if (maxRaw !== null) {
    if (method === 'choice') {
      problems.push(
        '"max_tokens" only applies to method=generate (choice answers with option letters).',
      );
    } else {
      maxTokens =
        readInt(maxRaw, 'max_tokens', 1, MAX_TOKENS, problems) ?? DEFAULT_GENERATION.maxTokens;
    }
  }
  const temperature = readTemperature(get('temperature'), problems);

  const circularRaw = get('circular');
  let circular = false;
  if (circularRaw !== null) {
    if (circularRaw === '1') circular = true;
    else if (circularRaw !== '0') {
      problems.push(
        `"circular" must be 1 (ask again with the options rotated) or 0, not "${circularRaw}".`,
      );
    }
  }

  const autostartRaw = get('autostart');
  let autostart = false;
  if (autostartRaw !== null) {
    if (autostartRaw === '1') autostart = true;
    else if (autostartRaw !== '0') {
      problems.push(`"autostart" must be 1 (start at once) or 0, not "${autostartRaw}".`);
    }
  }

  if (
    problems.length > 0 ||
    splitId === null ||
    subset === null ||
    model === null ||
    engine === null ||
    method === null ||
    prompt === null
  ) {
    return { spec: null, dataset: null, autostart: false, problems };
  }
  const spec: RunSpec = {
    splitId,
    subset,
    model,
    engine,
    method,
    prompt,
    k,
    shotsSplitId,
    multiAnswer,
    extraction,
    generation: { maxTokens, temperature },
    seed,
    circular,
  };
  return { spec: canonicalSpec(spec), dataset: request, autostart, problems };
}

/**
 * The query string (no leading `?`) of a link that reproduces `spec` on `dataset`, parameters
 * in canonical order, every setting that matters written out (no reliance on defaults except
 * shard 1/1, no filters, no mirror, circular off, autostart off). Throws when the spec cannot
 * be written as a valid link (a split imported from a local file has no URL; a filter value containing `|`):
 * `parseRunLink` of the result always gives back `canonicalSpec(spec)`.
 */
export function runLinkFor(spec: RunSpec, dataset: DatasetLinkRequest, autostart: boolean): string {
  const c = canonicalSpec(spec);
  const out: [string, string][] = [];
  if (dataset.kind === 'cmexam') {
    out.push(['dataset', 'cmexam'], ['split', dataset.split]);
    if (dataset.mirror !== null) out.push(['mirror', dataset.mirror]);
  } else {
    out.push(['dataset', dataset.url]);
    if (dataset.split !== null) out.push(['split', dataset.split]);
  }
  const s = c.subset;
  out.push(['subset', s.mode]);
  if (s.mode !== 'all' && s.n !== null) out.push(['n', String(s.n)]);
  if (s.mode === 'stratified' && s.stratifyBy !== null) out.push(['stratify', s.stratifyBy]);
  for (const [column, values] of Object.entries(s.filters)) {
    out.push(['filter', `${column}:${values.join('|')}`]);
  }
  if (s.shard.count !== 1 || s.shard.index !== 1) {
    out.push(['shard', `${s.shard.index}/${s.shard.count}`]);
  }
  out.push(['seed', String(c.seed)], ['model', c.model], ['engine', c.engine]);
  out.push(['method', c.method], ['prompt', c.prompt]);
  if (c.prompt === 'few-shot') {
    out.push(['k', String(c.k)]);
    if (c.shotsSplitId !== null) out.push(['shots', shotsParam(c.shotsSplitId)]);
  }
  if (c.method === 'choice') out.push(['multi', c.multiAnswer]);
  else out.push(['extract', c.extraction], ['max_tokens', String(c.generation.maxTokens)]);
  out.push(['temperature', String(c.generation.temperature)]);
  if (c.circular) out.push(['circular', '1']);
  if (autostart) out.push(['autostart', '1']);
  const query = out.map(([k, v]) => `${k}=${encodeParam(v)}`).join('&');

  // The guarantee callers rely on: the link reads back as exactly this run.
  const back = parseRunLink(query);
  if (back.problems.length > 0) {
    throw new Error(`This run cannot be written as a link: ${back.problems.join(' ')}`);
  }
  if (canonicalJson(back.spec) !== canonicalJson(c)) {
    throw new Error(
      `This run cannot be written as a link: the link would read back as a different run ` +
        `(is split ${c.splitId} really the dataset's split?).`,
    );
  }
  return query;
}

// ---------------------------------------------------------------------------------------------

function readSubset(params: URLSearchParams, problems: string[]): SubsetSpec | null {
  const ok = problems.length;
  const modeRaw = params.get('subset');
  const nRaw = params.get('n');
  const stratify = params.get('stratify');
  // Loud rule: no `subset` means `all` without `n`, and `first` (file order) with `n`.
  const mode =
    modeRaw === null
      ? nRaw === null
        ? 'all'
        : 'first'
      : oneOf(modeRaw, 'subset', MODES, problems);
  let n: number | null = null;
  if (mode === 'all' && nRaw !== null) {
    problems.push(
      '"n" does not go with subset=all, which takes every question: leave out n, or use ' +
        'subset=first, random or stratified.',
    );
  } else if (mode !== null && mode !== 'all') {
    if (nRaw === null) problems.push(`subset=${mode} needs "n", the number of questions.`);
    else {
      n = readInt(
        nRaw,
        'n',
        1,
        Number.MAX_SAFE_INTEGER,
        problems,
        ' (to take every question leave out n and subset)',
      );
    }
  }
  let stratifyBy: string | null = null;
  if (mode === 'stratified') {
    if (stratify === null) {
      problems.push('subset=stratified needs "stratify", the annotation column to stratify by.');
    } else if (stratify.trim() === '') problems.push('"stratify" must name an annotation column.');
    else stratifyBy = stratify.trim();
  } else if (stratify !== null && mode !== null) {
    problems.push(`"stratify" only applies to subset=stratified, not subset=${mode}.`);
  }
  const filters = readFilters(params.getAll('filter'), problems);
  const shard = readShard(params.get('shard'), problems);
  if (problems.length > ok || mode === null) return null;
  return { filters, mode, n, stratifyBy, shard };
}

function readFilters(raws: string[], problems: string[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const raw of raws) {
    const colon = raw.indexOf(':');
    const column = colon < 0 ? '' : raw.slice(0, colon).trim();
    const values =
      colon < 0
        ? []
        : raw
            .slice(colon + 1)
            .split('|')
            .map((v) => v.trim());
    if (column === '' || values.some((v) => v === '')) {
      problems.push(
        `"filter" must look like <column>:<value>|<value>… with no empty parts, not "${raw}".`,
      );
    } else if (Object.hasOwn(filters, column)) {
      problems.push(
        `Column "${column}" is filtered twice: put all its values in one filter, separated by |.`,
      );
    } else filters[column] = [...new Set(values)].sort(compareCodePoints);
  }
  const sorted: Record<string, string[]> = {};
  for (const c of Object.keys(filters).sort(compareCodePoints)) sorted[c] = filters[c];
  return sorted;
}

function readShard(raw: string | null, problems: string[]): SubsetSpec['shard'] {
  if (raw === null) return { index: 1, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count)) {
    problems.push(`"shard" must look like i/n (for example 2/8), not "${raw}".`);
  } else if (count < 1 || index < 1 || index > count) {
    problems.push(`"shard" ${raw} does not exist: shard i of n needs 1 ≤ i ≤ n.`);
  }
  return { index, count };
}

function readShots(raw: string, problems: string[]): string | null {
  if (isCmexamSplit(raw)) return splitIdFor('cmexam', raw);
  const m = /^custom\/([\p{L}\p{N}_.-]+)$/u.exec(raw);
  if (m) return raw;
  problems.push(
    `"shots" must be train, val, test (CMExam splits) or custom/<name> (a stored split), ` +
      `not "${raw}".`,
  );
  return null;
}

function shotsParam(splitId: string): string {
  return splitId.startsWith('cmexam/') ? splitId.slice('cmexam/'.length) : splitId;
}

/** Returns the engine the model needs, or null (with a problem) when it is not a model. */
function checkModel(model: string, problems: string[]): RunSpec['engine'] | null {
  if (model.startsWith('demo:')) {
    if ((DEMO_MODELS as readonly string[]).includes(model)) return 'wllama';
    problems.push(`Unknown demo model "${model}": use ${DEMO_MODELS.join(', ')}.`);
    return null;
  }
  if (hasScheme(model)) {
    try {
      if (parseGgufUrl(model).note !== null) {
        problems.push(
          `"model" links to the Hugging Face page of the file (/blob/ or /raw/): use its ` +
            '/resolve/ address, which is the file itself.',
        );
        return null;
      }
    } catch (err) {
      problems.push(`"model": ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
    return 'wllama';
  }
  if (!/^[^\s/?#]+$/.test(model)) {
    problems.push(
      `"model" must be a web-llm model id, the http(s) URL of a GGUF file or ` +
        `demo:tiny-random, not "${model}".`,
    );
    return null;
  }
  return 'webllm';
}

function oneOf<T extends string>(
  raw: string,
  name: string,
  allowed: readonly T[],
  problems: string[],
): T | null {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`"${name}" must be one of ${allowed.join(', ')}, not "${raw}".`);
  return null;
}

/** Plain decimal digits only: `1e3`, `+5`, `5.0` and blanks are refused, not reinterpreted. */
function readInt(
  raw: string | null,
  name: string,
  min: number,
  max: number,
  problems: string[],
  hint = '',
): number | null {
  if (raw === null) return null;
  const v = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    problems.push(`"${name}" must be a whole number ${range}, not "${raw}"${hint}.`);
    return null;
  }
  return v;
}

function readTemperature(raw: string | null, problems: string[]): number {
  if (raw === null) return DEFAULT_GENERATION.temperature;
  const v = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(v >= 0 && v <= MAX_TEMPERATURE)) {
    problems.push(`"temperature" must be a number from 0 to ${MAX_TEMPERATURE}, not "${raw}".`);
    return DEFAULT_GENERATION.temperature;
  }
  return v;
}

function isRunParam(key: string): key is RunParam {
  return (RUN_PARAMS as readonly string[]).includes(key);
}

function hasScheme(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(s);
}

/** Percent-encode a value, but keep `/` and `:` (valid in a query) so links stay readable. */
function encodeParam(v: string): string {
  return encodeURIComponent(v).replace(/%2F/g, '/').replace(/%3A/g, ':');
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
