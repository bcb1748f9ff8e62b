/**
 * Run specs: their defaults, their one canonical form, their id, and `validateSpec`, the one
 * check that the Run form, links (link.ts) and results files (report/results.ts) all call.
 * The URL codec is link.ts.
 */
import { shortSha256 } from '../hash';
import { parseModelRef } from '../engines/model-ref';
import { english, msg, type Message, type MessageParam } from '../i18n/translate';
import type {
  ExtractionRule,
  GenerationSettings,
  Method,
  MultiAnswerPolicy,
  PromptStyle,
  RunSpec,
  SubsetSpec,
} from './types';

export const DEFAULT_GENERATION: Readonly<GenerationSettings> = Object.freeze({
  maxTokens: 256,
  temperature: 0,
});
export const DEFAULT_SEED = 0;
export const DEFAULT_MULTI: MultiAnswerPolicy = 'skip';
export const DEFAULT_EXTRACTION: ExtractionRule = 'layered';
export { DEMO_MODELS } from '../engines/model-ref';

export const MAX_SEED = 0xffffffff;
export const MAX_K = 64;
export const MAX_TOKENS = 16384;
export const MAX_TEMPERATURE = 2;

export const MODES: readonly SubsetSpec['mode'][] = ['all', 'first', 'random', 'stratified'];
export const ENGINES: readonly RunSpec['engine'][] = ['webllm', 'wllama'];
export const METHODS: readonly Method[] = ['choice', 'generate', 'open'];
export const PROMPTS: readonly PromptStyle[] = ['zero-shot', 'few-shot', 'cot', 'icp'];
export const MULTI: readonly MultiAnswerPolicy[] = ['skip', 'constrained'];
export const EXTRACT: readonly ExtractionRule[] = ['layered', 'cmexam'];

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
 * Where few-shot examples come from when a link or the form does not say: CMExam train for
 * CMExam val or test, CMExam val for CMExam train (never the evaluated split). Null for other
 * splits: the split must then be named.
 */
export function defaultShotsSplit(splitId: string): string | null {
  if (splitId === 'cmexam/train') return 'cmexam/val';
  if (splitId === 'cmexam/val' || splitId === 'cmexam/test') return 'cmexam/train';
  return null;
}

/** The engine a model runs on: GGUF files and the demo model on wllama, the rest on web-llm. */
export function engineForModel(model: string): RunSpec['engine'] {
  return parseModelRef(model).ref?.engine ?? (hasScheme(model) ? 'wllama' : 'webllm');
}

/**
 * The same run written one way: filters sorted, and fields the runner ignores for this method
 * and prompt set to their defaults (n for `all`, stratifyBy unless stratified, k and shots
 * unless few-shot, multi unless choice, extract and max_tokens unless generate). `circular`
 * and a custom MLC model's addresses are there only when set: a spec without them keeps the
 * run id it had before they existed. Run ids and links are made from this, so a spec from the
 * form and one from a link agree.
 */
export function canonicalSpec(spec: RunSpec): RunSpec {
  const fewShot = spec.prompt === 'few-shot';
  const customMlc =
    spec.engine === 'webllm' && spec.modelUrl !== undefined && spec.modelLibUrl !== undefined;
  return {
    splitId: spec.splitId,
    subset: canonicalSubset(spec.subset),
    model: spec.model,
    engine: spec.engine,
    ...(customMlc ? { modelUrl: spec.modelUrl, modelLibUrl: spec.modelLibUrl } : {}),
    method: spec.method,
    prompt: spec.prompt,
    k: fewShot ? spec.k : 0,
    shotsSplitId: fewShot ? spec.shotsSplitId : null,
    multiAnswer: spec.method === 'choice' ? spec.multiAnswer : DEFAULT_MULTI,
    extraction: spec.method === 'generate' ? spec.extraction : DEFAULT_EXTRACTION,
    generation: {
      maxTokens:
        spec.method === 'choice' ? DEFAULT_GENERATION.maxTokens : spec.generation.maxTokens,
      temperature: spec.generation.temperature,
    },
    seed: spec.seed,
    ...(spec.circular ? { circular: true } : {}),
  };
}

/** Which questions, written one way (runs and exams): filters sorted, unused fields at defaults. */
export function canonicalSubset(s: SubsetSpec): SubsetSpec {
  const filters: Record<string, string[]> = {};
  for (const column of Object.keys(s.filters).sort(compareCodePoints)) {
    filters[column] = [...new Set(s.filters[column])].sort(compareCodePoints);
  }
  return {
    filters,
    mode: s.mode,
    n: s.mode === 'all' ? null : s.n,
    stratifyBy: s.mode === 'stratified' ? s.stratifyBy : null,
    shard: { index: s.shard.index, count: s.shard.count },
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
export function runIdFor(spec: RunSpec): Promise<string> {
  return shortSha256(canonicalJson(canonicalSpec(spec)));
}

/**
 * Every problem with a run spec, in words that name the field; empty when it can run. The form,
 * links and results files all check with this (a spec from a file may lack fields or hold
 * anything). Checks the shape and the rules between fields; not whether splits are stored.
 * English text; `specProblems` gives the same problems as Messages the UI translates.
 */
export function validateSpec(value: unknown): string[] {
  return specProblems(value).map(english);
}

/** `validateSpec`'s problems as Messages the UI translates. */
export function specProblems(value: unknown): Message[] {
  const problems: Message[] = [];
  if (!isObject(value)) return [msg('specNotObject')];
  const spec = value as Partial<Record<keyof RunSpec, unknown>>;

  if (typeof spec.splitId !== 'string' || !/^[^/\s]+\/[^/\s]+$/u.test(spec.splitId))
    problems.push(msg('specSplitId', { value: describe(spec.splitId) }));

  const subset = spec.subset;
  if (!isObject(subset)) problems.push(mustBeObject('subset', subset));
  else problems.push(...subsetMessages(subset));

  let modelEngine: RunSpec['engine'] | null = null;
  if (typeof spec.model !== 'string' || spec.model === '') {
    problems.push(msg('specModel', { value: describe(spec.model) }));
  } else {
    const urls = {
      modelUrl: optionalString(spec.modelUrl, 'modelUrl', problems),
      modelLibUrl: optionalString(spec.modelLibUrl, 'modelLibUrl', problems),
    };
    const parsed = parseModelRef(spec.model, urls);
    problems.push(...parsed.messages);
    modelEngine = parsed.ref?.engine ?? null;
  }
  if (!oneOf(spec.engine, ENGINES)) {
    problems.push(mustBeOneOf('engine', ENGINES, spec.engine));
  } else if (modelEngine && spec.engine !== modelEngine) {
    problems.push(
      msg('specEngineMismatch', {
        engine: spec.engine,
        model: describe(spec.model),
        modelEngine,
      }),
    );
  }

  const method = oneOf(spec.method, METHODS) ? spec.method : null;
  const prompt = oneOf(spec.prompt, PROMPTS) ? spec.prompt : null;
  if (!method) problems.push(mustBeOneOf('method', METHODS, spec.method));
  if (!prompt) problems.push(mustBeOneOf('prompt', PROMPTS, spec.prompt));
  if (prompt === 'cot' && method !== null && method !== 'generate')
    problems.push(msg('specCotNeedsGenerate'));
  if (method === 'open' && spec.circular) problems.push(msg('specCircularNeedsOptions'));
  if (prompt === 'few-shot') {
    if (!isInt(spec.k, 1, MAX_K))
      problems.push(msg('specFewShotK', { max: MAX_K, value: describe(spec.k) }));
    if (typeof spec.shotsSplitId !== 'string' || spec.shotsSplitId === '') {
      problems.push(msg('specFewShotSplit'));
    } else if (spec.shotsSplitId === spec.splitId) {
      problems.push(msg('specShotsSameSplit', { split: spec.splitId }));
    }
  } else if (prompt !== null) {
    if (spec.k !== 0) problems.push(msg('specKOnlyFewShot', { value: describe(spec.k) }));
    if (spec.shotsSplitId !== null)
      problems.push(msg('specShotsOnlyFewShot', { value: describe(spec.shotsSplitId) }));
  }
  if (!oneOf(spec.multiAnswer, MULTI))
    problems.push(mustBeOneOf('multiAnswer', MULTI, spec.multiAnswer));
  if (!oneOf(spec.extraction, EXTRACT))
    problems.push(mustBeOneOf('extraction', EXTRACT, spec.extraction));
  const generation = spec.generation;
  if (!isObject(generation)) {
    problems.push(mustBeObject('generation', generation));
  } else {
    if (!isInt(generation.maxTokens, 1, MAX_TOKENS))
      problems.push(wholeNumber('generation.maxTokens', 1, MAX_TOKENS, generation.maxTokens));
    const t = generation.temperature;
    if (typeof t !== 'number' || !(t >= 0 && t <= MAX_TEMPERATURE))
      problems.push(
        msg('specNumberRange', {
          field: 'generation.temperature',
          min: 0,
          max: MAX_TEMPERATURE,
          value: describe(t),
        }),
      );
  }
  if (!isInt(spec.seed, 0, MAX_SEED)) problems.push(wholeNumber('seed', 0, MAX_SEED, spec.seed));
  if (spec.circular !== undefined && typeof spec.circular !== 'boolean')
    problems.push(msg('specBoolean', { field: 'circular', value: describe(spec.circular) }));
  return problems;
}

export function subsetProblems(subset: Record<string, unknown>): string[] {
  return subsetMessages(subset).map(english);
}

export function subsetMessages(subset: Record<string, unknown>): Message[] {
  const problems: Message[] = [];
  const mode = oneOf(subset.mode, MODES) ? subset.mode : null;
  if (!mode) problems.push(mustBeOneOf('subset.mode', MODES, subset.mode));
  if (mode === 'all') {
    if (subset.n !== null) problems.push(msg('specSubsetNAll', { value: describe(subset.n) }));
  } else if (mode !== null && !isInt(subset.n, 1, Number.MAX_SAFE_INTEGER)) {
    problems.push(msg('specSubsetNeedsN', { mode, value: describe(subset.n) }));
  }
  if (mode === 'stratified') {
    if (typeof subset.stratifyBy !== 'string' || subset.stratifyBy.trim() === '')
      problems.push(msg('specStratifyNeeds'));
  } else if (mode !== null && subset.stratifyBy !== null) {
    problems.push(msg('specStratifyOnly', { mode }));
  }
  const filters = subset.filters;
  if (
    !isObject(filters) ||
    !Object.values(filters).every((v) => Array.isArray(v) && v.every((x) => typeof x === 'string'))
  ) {
    problems.push(msg('specFilters', { value: describe(filters) }));
  }
  const shard = subset.shard;
  if (
    !isObject(shard) ||
    !isInt(shard.count, 1, Number.MAX_SAFE_INTEGER) ||
    !isInt(shard.index, 1, shard.count as number)
  ) {
    problems.push(msg('specShard', { value: describe(shard) }));
  }
  return problems;
}

function mustBeObject(field: string, value: unknown): Message {
  return msg('specObject', { field, value: describe(value) });
}

function mustBeOneOf(field: string, allowed: readonly string[], value: unknown): Message {
  return msg('specOneOf', { field, allowed: allowed.join(', '), value: describe(value) });
}

function wholeNumber(field: string, min: number, max: number, value: unknown): Message {
  return msg('specWholeNumber', { field, min, max, value: describe(value) });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[]): v is T {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v);
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
}

function optionalString(v: unknown, name: string, problems: Message[]): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  problems.push(msg('specString', { field: name, value: describe(v) }));
  return undefined;
}

function describe(v: unknown): MessageParam {
  if (v === undefined) return msg('valueMissing');
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function hasScheme(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(s);
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
