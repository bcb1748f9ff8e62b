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
 * | `model_url`   | http(s) URL of a custom MLC model        | both or neither; only with a web-llm|
 * | `model_lib`   | http(s) URL of its model library (.wasm) | model id (a custom MLC model)       |
 * | `method`      | `choice\|generate\|open`                 | required for a run                  |
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
 * | `view`        | `present` (open the presenter view on    | none; does not change the run       |
 * |               | the run)                                 |                                     |
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
import { parseModelRef, type ModelRef } from '../engines/model-ref';
import { english, msg, TranslatableError, type Message } from '../i18n/translate';
import {
  canonicalJson,
  canonicalSpec,
  defaultShotsSplit,
  DEFAULT_EXTRACTION,
  DEFAULT_GENERATION,
  DEFAULT_MULTI,
  DEFAULT_SEED,
  ENGINES,
  EXTRACT,
  MAX_K,
  MAX_SEED,
  MAX_TEMPERATURE,
  MAX_TOKENS,
  METHODS,
  MULTI,
  PROMPTS,
  specProblems,
} from './spec';
import { datasetParams, oneOf, queryOf, readInt, readSubset, subsetParams } from './params';
import type { RunSpec } from './types';

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
  'model_url',
  'model_lib',
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

/** How the page shows the run; not part of the run (the same run with or without it). */
export const VIEW_PARAM = 'view';
export const VIEWS = ['present'] as const;
export type RunView = (typeof VIEWS)[number];

/** Every parameter a link may carry: the dataset ones (url-params.ts), the run ones, `view`. */
export const LINK_PARAMS: readonly string[] = [...DATASET_PARAMS, ...RUN_PARAMS, VIEW_PARAM];

export interface RunLink {
  /** Null when the link asks for no run, or when it has any problem. */
  spec: RunSpec | null;
  /** Null when the link names no dataset, or when it has any problem (nothing is imported). */
  dataset: DatasetLinkRequest | null;
  autostart: boolean;
  /** `present`: open the presenter view on the run. */
  view: RunView | null;
  /** Every problem, in English (logs, tests, CLIs). */
  problems: string[];
  /** The same problems as Messages the UI translates. */
  messages: Message[];
}

/**
 * Read a link's dataset and run parameters. See the table at the top of this file; every
 * problem is listed, and any problem leaves both `spec` and `dataset` null.
 */
export function parseRunLink(search: string): RunLink {
  const link = readRunLink(search);
  return { ...link, problems: link.messages.map(english) };
}

function readRunLink(search: string): Omit<RunLink, 'problems'> {
  const params = new URLSearchParams(search);
  const problems: Message[] = [];
  for (const key of new Set(params.keys())) {
    if (!LINK_PARAMS.includes(key)) problems.push(msg('linkUnknownParam', { key }));
    else if (isRunParam(key) && key !== 'filter' && params.getAll(key).length > 1) {
      problems.push(msg('linkRepeated', { key }));
    }
  }
  // The dataset parameters keep one parser (url-params.ts); give it only its own parameters.
  const datasetOnly = new URLSearchParams();
  for (const [k, v] of params) {
    if (!isRunParam(k) && k !== VIEW_PARAM && LINK_PARAMS.includes(k)) datasetOnly.append(k, v);
  }
  const viewRaw = params.get(VIEW_PARAM);
  const view = viewRaw === null ? null : (VIEWS.find((v) => v === viewRaw) ?? null);
  if (viewRaw !== null && view === null) {
    problems.push(msg('linkView', { allowed: VIEWS.join(' or '), value: viewRaw }));
  }
  const datasetPart = parseDatasetLink(datasetOnly.toString());
  problems.push(...datasetPart.messages);
  const request = datasetPart.request;

  if (!RUN_PARAMS.some((k) => params.has(k))) {
    return {
      spec: null,
      dataset: problems.length ? null : request,
      autostart: false,
      view,
      messages: problems,
    };
  }

  const get = (k: RunParam) => params.get(k);
  if (params.get('dataset') === null) {
    problems.push(msg('linkRunNeedsDataset'));
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
  let ref: ModelRef | null = null;
  if (model === null) {
    problems.push(msg('linkRunNeedsModel'));
  } else {
    ref = checkModel(model, get('model_url'), get('model_lib'), problems);
    inferred = ref?.engine ?? null;
  }
  const engineRaw = get('engine');
  let engine = inferred;
  if (engineRaw !== null) {
    const e = oneOf(engineRaw, 'engine', ENGINES, problems);
    if (e && inferred && e !== inferred) {
      problems.push(
        msg(inferred === 'wllama' ? 'linkEngineGguf' : 'linkEngineMlc', {
          engine: e,
          model: model ?? '',
        }),
      );
    }
    engine = e ?? inferred;
  }

  // Method and prompt.
  const methodRaw = get('method');
  const promptRaw = get('prompt');
  if (methodRaw === null) problems.push(msg('linkRunNeedsMethod'));
  if (promptRaw === null) problems.push(msg('linkRunNeedsPrompt'));
  const method = methodRaw === null ? null : oneOf(methodRaw, 'method', METHODS, problems);
  const prompt = promptRaw === null ? null : oneOf(promptRaw, 'prompt', PROMPTS, problems);
  if (prompt === 'cot' && (method === 'choice' || method === 'open')) {
    problems.push(msg('linkCotNeedsGenerate'));
  }

  // Few-shot: k and shots.
  const kRaw = get('k');
  const shotsRaw = get('shots');
  let k = 0;
  let shotsSplitId: string | null = null;
  if (prompt === 'few-shot') {
    if (kRaw === null) {
      problems.push(msg('linkFewShotNeedsK', { max: MAX_K }));
    } else {
      k = readInt(kRaw, 'k', 1, MAX_K, problems, msg('linkHintK')) ?? 0;
    }
    if (shotsRaw !== null) shotsSplitId = readShots(shotsRaw, problems);
    else if (splitId !== null) {
      shotsSplitId = defaultShotsSplit(splitId);
      if (shotsSplitId === null) {
        problems.push(msg('linkShotsNeeded'));
      }
    }
    if (shotsSplitId !== null && shotsSplitId === splitId) {
      problems.push(msg('linkShotsSame', { split: splitId ?? '' }));
    }
  } else if (prompt !== null) {
    if (kRaw !== null && kRaw !== '0') {
      problems.push(msg('linkKOnlyFewShot', { prompt }));
    }
    if (shotsRaw !== null) problems.push(msg('linkShotsOnlyFewShot', { prompt }));
  }

  // Method-specific settings: rejected where the runner would ignore them.
  const multiRaw = get('multi');
  const extractRaw = get('extract');
  const maxRaw = get('max_tokens');
  let multiAnswer = DEFAULT_MULTI;
  let extraction = DEFAULT_EXTRACTION;
  let maxTokens = DEFAULT_GENERATION.maxTokens;
  if (multiRaw !== null) {
    if (method === 'generate' || method === 'open') {
      problems.push(msg('linkMultiOnlyChoice'));
    } else multiAnswer = oneOf(multiRaw, 'multi', MULTI, problems) ?? DEFAULT_MULTI;
  }
  if (extractRaw !== null) {
    if (method === 'choice' || method === 'open') {
      problems.push(msg('linkExtractOnlyGenerate'));
    } else extraction = oneOf(extractRaw, 'extract', EXTRACT, problems) ?? DEFAULT_EXTRACTION;
  }
  if (maxRaw !== null) {
    if (method === 'choice') {
      problems.push(msg('linkMaxTokensOnlyGenerate'));
    } else {
      maxTokens =
        readInt(maxRaw, 'max_tokens', 1, MAX_TOKENS, problems) ?? DEFAULT_GENERATION.maxTokens;
    }
  }
  const temperature = readTemperature(get('temperature'), problems);

  const circularRaw = get('circular');
  let circular = false;
  if (circularRaw !== null) {
    if (circularRaw === '1' && method === 'open') problems.push(msg('specCircularNeedsOptions'));
    else if (circularRaw === '1') circular = true;
    else if (circularRaw !== '0') {
      problems.push(msg('linkCircular', { value: circularRaw }));
    }
  }

  const autostartRaw = get('autostart');
  let autostart = false;
  if (autostartRaw !== null) {
    if (autostartRaw === '1') autostart = true;
    else if (autostartRaw !== '0') {
      problems.push(msg('linkAutostart', { value: autostartRaw }));
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
    return { spec: null, dataset: null, autostart: false, view, messages: problems };
  }
  // A custom model's addresses as the form stores them (normalised), so both give one run id.
  const custom = ref?.kind === 'mlc-custom' ? ref : null;
  const spec: RunSpec = {
    splitId,
    subset,
    model,
    engine,
    ...(custom ? { modelUrl: custom.modelUrl, modelLibUrl: custom.modelLibUrl } : {}),
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
  // The same rules as the form and results files; a spec read from a valid link meets them.
  const canonical = canonicalSpec(spec);
  problems.push(...specProblems(canonical));
  if (problems.length > 0)
    return { spec: null, dataset: null, autostart: false, view, messages: problems };
  return { spec: canonical, dataset: request, autostart, view, messages: problems };
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
  out.push(...datasetParams(dataset));
  out.push(...subsetParams(c.subset));
  out.push(['seed', String(c.seed)], ['model', c.model], ['engine', c.engine]);
  if (c.modelUrl !== undefined && c.modelLibUrl !== undefined) {
    out.push(['model_url', c.modelUrl], ['model_lib', c.modelLibUrl]);
  }
  out.push(['method', c.method], ['prompt', c.prompt]);
  if (c.prompt === 'few-shot') {
    out.push(['k', String(c.k)]);
    if (c.shotsSplitId !== null) out.push(['shots', shotsParam(c.shotsSplitId)]);
  }
  if (c.method === 'choice') out.push(['multi', c.multiAnswer]);
  else if (c.method === 'open') out.push(['max_tokens', String(c.generation.maxTokens)]);
  else out.push(['extract', c.extraction], ['max_tokens', String(c.generation.maxTokens)]);
  out.push(['temperature', String(c.generation.temperature)]);
  if (c.circular) out.push(['circular', '1']);
  if (autostart) out.push(['autostart', '1']);
  const query = queryOf(out);

  // The guarantee callers rely on: the link reads back as exactly this run.
  const back = parseRunLink(query);
  if (back.messages.length > 0) {
    throw new TranslatableError(
      msg('linkRunUnwritable', { problems: msg('sentences', { list: back.messages }) }),
    );
  }
  if (canonicalJson(back.spec) !== canonicalJson(c)) {
    throw new TranslatableError(msg('linkRunReadsBack', { split: c.splitId }));
  }
  return query;
}

// ---------------------------------------------------------------------------------------------

function readShots(raw: string, problems: Message[]): string | null {
  if (isCmexamSplit(raw)) return splitIdFor('cmexam', raw);
  const m = /^custom\/([\p{L}\p{N}_.-]+)$/u.exec(raw);
  if (m) return raw;
  problems.push(msg('linkShots', { value: raw }));
  return null;
}

function shotsParam(splitId: string): string {
  return splitId.startsWith('cmexam/') ? splitId.slice('cmexam/'.length) : splitId;
}

/** The model's reference, or null (with a problem) when it is not one a link can carry. */
function checkModel(
  model: string,
  modelUrl: string | null,
  modelLibUrl: string | null,
  problems: Message[],
): ModelRef | null {
  const parsed = parseModelRef(model, {
    modelUrl: modelUrl ?? undefined,
    modelLibUrl: modelLibUrl ?? undefined,
  });
  if (parsed.ref?.kind === 'local-file') {
    problems.push(msg('linkLocalModel', { model }));
    return null;
  }
  if (parsed.ref?.kind === 'merged') {
    problems.push(msg('linkMergedModel', { model }));
    return null;
  }
  problems.push(...parsed.messages);
  return parsed.ref;
}

function readTemperature(raw: string | null, problems: Message[]): number {
  if (raw === null) return DEFAULT_GENERATION.temperature;
  const v = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(v >= 0 && v <= MAX_TEMPERATURE)) {
    problems.push(msg('linkTemperature', { max: MAX_TEMPERATURE, value: raw }));
    return DEFAULT_GENERATION.temperature;
  }
  return v;
}

function isRunParam(key: string): key is RunParam {
  return (RUN_PARAMS as readonly string[]).includes(key);
}
