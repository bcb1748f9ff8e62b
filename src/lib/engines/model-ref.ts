/**
 * Model references: the one way a model is named in a run spec, a link, the Run form and the
 * engine resolver. A reference is the spec's `model` string, plus the two addresses of a custom
 * MLC model (which a bare id cannot carry to another browser):
 *
 * | reference                      | kind         | engine | loads from                        |
 * | ------------------------------ | ------------ | ------ | --------------------------------- |
 * | `demo:tiny-random`             | `demo`       | wllama | the app's own generated model     |
 * | `https://…/model.gguf`         | `gguf`       | wllama | that URL (split files expanded)   |
 * | `file:model.gguf`              | `local-file` | wllama | a file picked in this visit only  |
 * | `merged:0123456789abcdef`      | `merged`     | wllama | a merge's file in this browser    |
 * | `Qwen2.5-0.5B-Instruct-…-MLC`  | `mlc`        | webllm | web-llm's prebuilt list           |
 * | id + `modelUrl`, `modelLibUrl` | `mlc-custom` | webllm | those two addresses               |
 *
 * Two references name the same model when their canonical forms are equal (`sameModel`).
 */
import type { UserModelRecord } from '../db/database';
import {
  InvalidModelUrlError,
  ggufModelId,
  normaliseMlcModelUrl,
  normaliseModelLibUrl,
  parseGgufUrl,
} from './catalog';
import { demoModelSpec } from './demo-model';
import { english, messageOf, msg, TranslatableError, type Message } from '../i18n/translate';
import type { ModelSpec } from './types';

export const DEMO_MODELS = ['demo:tiny-random'] as const;
export const LOCAL_FILE_PREFIX = 'file:';
export const MERGED_PREFIX = 'merged:';

export type ModelRef =
  | { kind: 'demo'; engine: 'wllama'; model: string }
  | { kind: 'gguf'; engine: 'wllama'; model: string }
  | { kind: 'local-file'; engine: 'wllama'; model: string; fileName: string }
  | { kind: 'merged'; engine: 'wllama'; model: string; mergedId: string }
  | { kind: 'mlc'; engine: 'webllm'; model: string }
  | { kind: 'mlc-custom'; engine: 'webllm'; model: string; modelUrl: string; modelLibUrl: string };

/** The addresses of a custom MLC model, as a run spec carries them. */
export interface CustomMlcUrls {
  modelUrl?: string;
  modelLibUrl?: string;
}

/** `problems` in English (logs, tests); `messages` the same problems, to translate. */
export type ParsedModelRef =
  | { ref: ModelRef; problems: []; messages: [] }
  | { ref: null; problems: string[]; messages: Message[] };

/**
 * Read a model reference. Every problem is named; nothing is guessed. `urls` are only for
 * web-llm ids (a custom MLC model); both or neither must be given.
 */
export function parseModelRef(model: string, urls: CustomMlcUrls = {}): ParsedModelRef {
  const ok = (ref: ModelRef): ParsedModelRef => ({ ref, problems: [], messages: [] });
  const fail = (...messages: Message[]): ParsedModelRef => ({
    ref: null,
    problems: messages.map(english),
    messages,
  });
  const hasUrls = urls.modelUrl !== undefined || urls.modelLibUrl !== undefined;
  if (model.startsWith('demo:')) {
    if (!(DEMO_MODELS as readonly string[]).includes(model))
      return fail(msg('modelRefUnknownDemo', { model, models: DEMO_MODELS.join(', ') }));
    if (hasUrls) return fail(customUrlsOnlyForMlc(model));
    return ok({ kind: 'demo', engine: 'wllama', model });
  }
  if (model.startsWith(LOCAL_FILE_PREFIX)) {
    const fileName = model.slice(LOCAL_FILE_PREFIX.length);
    if (fileName === '' || !/\.gguf$/i.test(fileName))
      return fail(msg('modelRefLocalFile', { model }));
    if (hasUrls) return fail(customUrlsOnlyForMlc(model));
    return ok({ kind: 'local-file', engine: 'wllama', model, fileName });
  }
  if (model.startsWith(MERGED_PREFIX)) {
    const mergedId = model.slice(MERGED_PREFIX.length);
    if (!/^[0-9a-f]{16}$/.test(mergedId)) return fail(msg('modelRefMerged', { model }));
    if (hasUrls) return fail(customUrlsOnlyForMlc(model));
    return ok({ kind: 'merged', engine: 'wllama', model, mergedId });
  }
  if (hasScheme(model)) {
    if (hasUrls) return fail(customUrlsOnlyForMlc(model));
    try {
      if (parseGgufUrl(model).note !== null) return fail(msg('modelRefHfPage'));
    } catch (err) {
      return fail(msg('modelRefGguf', { detail: problemOf(err) }));
    }
    return ok({ kind: 'gguf', engine: 'wllama', model });
  }
  if (!/^[^\s/?#]+$/.test(model)) {
    return fail(msg('modelRefShape', { model }));
  }
  if (!hasUrls) return ok({ kind: 'mlc', engine: 'webllm', model });
  const problems: Message[] = [];
  if (!urls.modelUrl || !urls.modelLibUrl) problems.push(msg('modelRefCustomBoth'));
  const modelUrl = checked(
    () => normaliseMlcModelUrl(urls.modelUrl ?? ''),
    problems,
    urls.modelUrl,
  );
  const modelLibUrl = checked(
    () => normaliseModelLibUrl(urls.modelLibUrl ?? ''),
    problems,
    urls.modelLibUrl,
  );
  if (problems.length || modelUrl === null || modelLibUrl === null) return fail(...problems);
  return ok({ kind: 'mlc-custom', engine: 'webllm', model, modelUrl, modelLibUrl });
}

/** The reference of a model spec as the Model step built it (what a run records). */
export function refOfModelSpec(spec: ModelSpec): ModelRef {
  if (spec.backend === 'webllm') {
    return spec.modelUrl !== undefined && spec.modelLibUrl !== undefined
      ? {
          kind: 'mlc-custom',
          engine: 'webllm',
          model: spec.id,
          modelUrl: normaliseMlcModelUrl(spec.modelUrl),
          modelLibUrl: normaliseModelLibUrl(spec.modelLibUrl),
        }
      : { kind: 'mlc', engine: 'webllm', model: spec.id };
  }
  if ((DEMO_MODELS as readonly string[]).includes(spec.id))
    return { kind: 'demo', engine: 'wllama', model: spec.id };
  if (spec.id.startsWith(MERGED_PREFIX))
    return {
      kind: 'merged',
      engine: 'wllama',
      model: spec.id,
      mergedId: spec.id.slice(MERGED_PREFIX.length),
    };
  if (spec.files?.length) {
    const fileName = spec.id.startsWith(LOCAL_FILE_PREFIX)
      ? spec.id.slice(LOCAL_FILE_PREFIX.length)
      : ((spec.files[0] as File).name ?? spec.id);
    return {
      kind: 'local-file',
      engine: 'wllama',
      model: `${LOCAL_FILE_PREFIX}${fileName}`,
      fileName,
    };
  }
  return { kind: 'gguf', engine: 'wllama', model: spec.url ?? spec.id };
}

/** Do two references name the same model? */
export function sameModel(a: ModelRef | null, b: ModelRef | null): boolean {
  if (!a || !b || a.kind !== b.kind || a.model !== b.model) return false;
  if (a.kind === 'mlc-custom' && b.kind === 'mlc-custom')
    return a.modelUrl === b.modelUrl && a.modelLibUrl === b.modelLibUrl;
  return true;
}

/** How a reference is named to a person: the id, the file name, or the URL. */
export function modelName(ref: ModelRef): string {
  return ref.kind === 'local-file' ? ref.fileName : ref.model;
}

export interface ResolveOptions {
  /** The page's base URL: the demo model is served beside the app. */
  base: string;
  threads?: number;
  /** Local files picked in this visit, by file name. */
  localFile?: (fileName: string) => File | undefined;
  /** A merged model's file, opened beforehand (OPFS is read asynchronously). */
  mergedFile?: { id: string; file: File; label: string };
}

/**
 * The engine's model spec for a reference. Throws, naming the model, when it cannot be loaded
 * here (a local file that was not picked in this visit).
 */
export function modelSpecOf(ref: ModelRef, opts: ResolveOptions): ModelSpec {
  switch (ref.kind) {
    case 'demo':
      return { ...demoModelSpec(opts.base), threads: opts.threads } as ModelSpec;
    case 'gguf':
      return {
        backend: 'wllama',
        id: ref.model,
        url: ref.model,
        label: fileNameOf(ref.model),
        device: 'cpu',
        threads: opts.threads,
      };
    case 'local-file': {
      const file = opts.localFile?.(ref.fileName);
      if (!file) throw new TranslatableError(msg('modelRefLocalNotPicked', { file: ref.fileName }));
      return localFileSpec(file, opts.threads);
    }
    case 'merged': {
      const merged = opts.mergedFile;
      if (!merged || merged.id !== ref.mergedId)
        throw new TranslatableError(msg('modelRefMergedMissing', { model: ref.model }));
      return mergedModelSpec(merged.id, merged.file, merged.label, opts.threads);
    }
    case 'mlc':
      return { backend: 'webllm', id: ref.model, label: ref.model };
    case 'mlc-custom':
      return {
        backend: 'webllm',
        id: ref.model,
        label: ref.model,
        modelUrl: ref.modelUrl,
        modelLibUrl: ref.modelLibUrl,
      };
  }
}

/** The spec of a GGUF file picked on this device (read in place, never uploaded). */
export function localFileSpec(file: File, threads?: number): ModelSpec {
  return {
    backend: 'wllama',
    id: `${LOCAL_FILE_PREFIX}${file.name}`,
    files: [file],
    label: file.name,
    device: 'cpu',
    threads,
  };
}

/** The spec of a merged model, its file read from this browser's private file system. */
export function mergedModelSpec(
  id: string,
  file: File,
  label: string,
  threads?: number,
): ModelSpec {
  return {
    backend: 'wllama',
    id: `${MERGED_PREFIX}${id}`,
    files: [file],
    label,
    device: 'cpu',
    threads,
  };
}

/** The engine's model spec for a model the user added on the Model step. */
export function modelSpecOfRecord(record: UserModelRecord, threads?: number): ModelSpec {
  return record.backend === 'wllama'
    ? {
        backend: 'wllama',
        id: record.id,
        url: record.url,
        label: record.label,
        device: 'cpu',
        threads,
      }
    : {
        backend: 'webllm',
        id: record.id,
        modelUrl: record.modelUrl,
        modelLibUrl: record.modelLibUrl,
        label: record.label,
      };
}

/** A GGUF address typed on the Model step, checked, as the record to keep. Throws with the reason. */
export function ggufRecordFor(input: string): Omit<UserModelRecord, 'addedAt'> {
  // wllama expands split files (-00001-of-0000N) from the first one itself.
  const first = parseGgufUrl(input.trim()).urls[0];
  return { id: ggufModelId(first), backend: 'wllama', label: fileNameOf(first), url: first };
}

/** A custom MLC model typed on the Model step, checked; every problem is listed in the error. */
export function customMlcRecordFor(input: {
  id: string;
  modelUrl: string;
  modelLibUrl: string;
}): Omit<UserModelRecord, 'addedAt'> {
  const problems: Message[] = [];
  const id = input.id.trim();
  if (!id) problems.push(msg('modelRefNoId'));
  else if (!/^[^\s/?#:]+$/.test(id)) problems.push(msg('modelRefIdChars', { id }));
  const parsed = parseModelRef(id || 'custom', {
    modelUrl: input.modelUrl.trim(),
    modelLibUrl: input.modelLibUrl.trim(),
  });
  problems.push(...parsed.messages);
  if (problems.length || parsed.ref?.kind !== 'mlc-custom')
    throw new InvalidModelUrlError(msg('sentences', { list: problems }));
  return {
    id,
    backend: 'webllm',
    label: id,
    modelUrl: parsed.ref.modelUrl,
    modelLibUrl: parsed.ref.modelLibUrl,
  };
}

function checked(fn: () => string, problems: Message[], given: string | undefined): string | null {
  if (!given) return null;
  try {
    return fn();
  } catch (err) {
    problems.push(problemOf(err));
    return null;
  }
}

/** An error's text as a Message: its own, or its English words as they are. */
function problemOf(err: unknown): Message {
  return (
    messageOf(err) ?? msg('engVerbatim', { text: err instanceof Error ? err.message : String(err) })
  );
}

function customUrlsOnlyForMlc(model: string): Message {
  return msg('modelRefCustomOnlyMlc', { model });
}

function fileNameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? url);
  } catch {
    return url;
  }
}

function hasScheme(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(s);
}
