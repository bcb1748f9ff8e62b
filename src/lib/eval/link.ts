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
import { parseModelRef, type ModelRef } from '../engines/model-ref';
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
  validateSpec,
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

/** Every parameter a link may carry: the dataset ones (url-params.ts) and the run ones. */
export const LINK_PARAMS: readonly string[] = [...DATASET_PARAMS, ...RUN_PARAMS];

export interface RunLink {
  /** Null when the link asks for no run, or when it has any problem. */
  spec: RunSpec | null;
  /** Null when the link names no dataset, or when it has any problem (nothing is imported). */
  dataset: DatasetLinkRequest | null;
  autostart: boolean;
  problems: string[];
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
  let ref: ModelRef | null = null;
  if (model === null) {
    problems.push('A run needs "model": a web-llm model id, a GGUF URL or demo:tiny-random.');
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
  problems.push(...validateSpec(canonical));
  if (problems.length > 0) return { spec: null, dataset: null, autostart: false, problems };
  return { spec: canonical, dataset: request, autostart, problems };
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
  else out.push(['extract', c.extraction], ['max_tokens', String(c.generation.maxTokens)]);
  out.push(['temperature', String(c.generation.temperature)]);
  if (c.circular) out.push(['circular', '1']);
  if (autostart) out.push(['autostart', '1']);
  const query = queryOf(out);

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

/** The model's reference, or null (with a problem) when it is not one a link can carry. */
function checkModel(
  model: string,
  modelUrl: string | null,
  modelLibUrl: string | null,
  problems: string[],
): ModelRef | null {
  const parsed = parseModelRef(model, {
    modelUrl: modelUrl ?? undefined,
    modelLibUrl: modelLibUrl ?? undefined,
  });
  if (parsed.ref?.kind === 'local-file') {
    problems.push(
      `"model" ${model} is a file on one computer, which a link cannot carry: put the file on ` +
        'a web server and link its http(s) address.',
    );
    return null;
  }
  problems.push(...parsed.problems);
  return parsed.ref;
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
