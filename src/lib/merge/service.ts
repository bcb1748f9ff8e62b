// The merge worker's service: reads the chosen models' headers (checks and estimates before a
// merge), merges into a file in OPFS while reporting progress, keeps the merged model's record
// (recipe, parents and their hashes), deletes merged models. One merge at a time per origin (a
// Web Lock), so leftovers of a merge that never finished can be removed before the next.

import type { AppDatabase, MergedModelParent, MergedModelRecord } from '../db/database';
import { mergeMismatches } from './compat';
import { IncompatibleModelsError } from './errors';
import { MERGE_OUTPUT_TYPES, typeName, type MergeOutputType } from './ggml-types';
import { readGgufModel, type GgufModel } from './gguf-model';
import { layerOf } from './layers';
import {
  MergeCancelledError,
  mergeMemoryBytes,
  mergeModels,
  planMergedFile,
  type MergeProgress,
} from './merge';
import {
  mergedModelsDir,
  openMergedFile,
  opfsSink,
  removeMergedFile,
  removeUnlistedFiles,
} from './opfs';
import { recipeProblems, type MergeRecipe } from './recipe';
import { blobSource, urlSource, type ByteSource } from './source';

export const MERGE_LOCK = 'cmexam-merge';

/** A model chosen for a merge, as the page hands it over. */
export type MergeSourceInput =
  | { kind: 'file'; name: string; file: File }
  | { kind: 'url'; name: string; url: string }
  | { kind: 'merged'; name: string; id: string; fileName: string };

/** How a run names a model given as `source` (model-ref.ts). */
export function refOfSource(source: MergeSourceInput): string {
  if (source.kind === 'file') return `file:${source.name}`;
  if (source.kind === 'url') return source.url;
  return `merged:${source.id}`;
}

export interface MergeModelInfo {
  name: string;
  bytes: number;
  architecture: string;
  tensors: number;
  parameters: number;
  layers: number;
  /** Tensors of each stored type (`Q4_K: 120`). */
  types: Record<string, number>;
}

export interface MergeInspection {
  models: MergeModelInfo[];
  /** Every reason the models cannot be merged (English, names and shapes quoted). */
  mismatches: string[];
  /** Working memory of the largest tensor while merging. */
  memoryBytes: number;
  /** The merged file's size in each output type. */
  outputBytes: Record<MergeOutputType, number>;
}

export interface MergeRequest {
  base: MergeSourceInput;
  models: MergeSourceInput[];
  recipe: MergeRecipe;
  label: string;
  /** Wait for a merge in another tab to finish instead of refusing (the Hi-Merging search). */
  waitForLock?: boolean;
  /** Made by a Hi-Merging search for one of its points (kept on the record). */
  madeFor?: { search: string; point: string };
}

export type MergeOutcome =
  | { ok: true; record: MergedModelRecord; existed: boolean }
  | {
      ok: false;
      reason: 'cancelled' | 'incompatible' | 'busy' | 'invalid' | 'failed';
      message: string;
      problems: string[];
    };

export class MergeService {
  private controller: AbortController | null = null;

  constructor(private readonly db: AppDatabase) {}

  /** Headers only: what each model is, whether they can be merged, memory and file sizes. */
  async inspect(base: MergeSourceInput, models: MergeSourceInput[]): Promise<MergeInspection> {
    const all = await Promise.all([base, ...models].map((s) => this.open(s)));
    const [b, ...rest] = all;
    const outputBytes = {} as Record<MergeOutputType, number>;
    for (const outType of MERGE_OUTPUT_TYPES) {
      outputBytes[outType] = planMergedFile(b, probeRecipe(outType)).plan.totalBytes;
    }
    return {
      models: all.map(describe),
      mismatches: mergeMismatches(b, rest),
      memoryBytes: mergeMemoryBytes(b, rest),
      outputBytes,
    };
  }

  async merge(
    request: MergeRequest,
    onProgress: (p: MergeProgress) => void,
  ): Promise<MergeOutcome> {
    const problems = recipeProblems(request.recipe);
    if (problems.length > 0) return fail('invalid', problems.join('; '), problems);
    const outcome = await navigator.locks.request(
      MERGE_LOCK,
      { ifAvailable: !request.waitForLock },
      (lock) => (lock ? this.mergeHoldingLock(request, onProgress) : null),
    );
    return outcome ?? fail('busy', 'another tab of this app is merging models', []);
  }

  cancel(): void {
    this.controller?.abort();
  }

  /** Deletes a merged model: its record, then its file. */
  async remove(id: string): Promise<void> {
    const record = await this.db.mergedModels.get(id);
    if (!record) return;
    await this.db.mergedModels.delete(id);
    await removeMergedFile(record.fileName);
  }

  private async mergeHoldingLock(
    request: MergeRequest,
    onProgress: (p: MergeProgress) => void,
  ): Promise<MergeOutcome> {
    const controller = new AbortController();
    this.controller = controller;
    let fileName: string | null = null;
    try {
      // Under the lock no merge is writing: a file no record names was left by one that died.
      const keep = new Set((await this.db.mergedModels.toArray()).map((r) => r.fileName));
      await removeUnlistedFiles(keep);
      const base = await this.open(request.base, controller.signal);
      const models = await Promise.all(request.models.map((m) => this.open(m, controller.signal)));
      fileName = `${crypto.randomUUID()}.gguf`;
      const sink = await opfsSink(await mergedModelsDir(), fileName);
      const summary = await mergeModels({
        base,
        models,
        recipe: request.recipe,
        sink,
        onProgress,
        signal: controller.signal,
      });
      const id = summary.hashes.output.slice(0, 16);
      const existing = await this.db.mergedModels.get(id);
      if (existing) {
        // The same recipe on the same parents: the same bytes, kept once.
        await removeMergedFile(fileName);
        return { ok: true, record: existing, existed: true };
      }
      const parent = (
        s: MergeSourceInput,
        m: GgufModel,
        role: MergedModelParent['role'],
        hash: string,
      ) => ({
        role,
        name: s.name,
        ref: refOfSource(s),
        hash,
        bytes: m.fileSize,
      });
      const record: MergedModelRecord = {
        id,
        hash: summary.hashes.output,
        label: request.label.trim() || `${request.recipe.method}-${id.slice(0, 8)}`,
        fileName,
        bytes: summary.bytes,
        createdAt: new Date().toISOString(),
        seconds: summary.seconds,
        recipe: request.recipe,
        parents: [
          parent(request.base, base, 'base', summary.hashes.base),
          ...request.models.map((s, i) => parent(s, models[i], 'model', summary.hashes.models[i])),
        ],
        outputTypes: summary.outputTypes,
        ...(request.madeFor ? { madeFor: { ...request.madeFor } } : {}),
      };
      await this.db.mergedModels.put(record);
      return { ok: true, record, existed: false };
    } catch (err) {
      if (fileName) await removeMergedFile(fileName).catch(() => undefined);
      if (err instanceof MergeCancelledError || controller.signal.aborted)
        return fail('cancelled', 'the merge was cancelled', []);
      if (err instanceof IncompatibleModelsError)
        return fail('incompatible', err.message, [...err.mismatches]);
      return fail('failed', err instanceof Error ? err.message : String(err), []);
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  private async open(input: MergeSourceInput, signal?: AbortSignal): Promise<GgufModel> {
    let source: ByteSource;
    if (input.kind === 'file') source = blobSource(input.file, input.name);
    else if (input.kind === 'url') source = urlSource(input.url, { signal });
    else source = blobSource(await openMergedFile(input.fileName), input.name);
    return readGgufModel(source);
  }
}

function fail(
  reason: Exclude<MergeOutcome, { ok: true }>['reason'],
  message: string,
  problems: string[],
): MergeOutcome {
  return { ok: false, reason, message, problems };
}

/** A recipe used only to lay out the output file (sizes depend on the output type alone). */
function probeRecipe(outType: MergeOutputType): MergeRecipe {
  return { method: 'linear', base: '', models: [], lambda: 1, t: 0, seed: 0, outType };
}

function describe(model: GgufModel): MergeModelInfo {
  const types: Record<string, number> = {};
  for (const t of model.tensors) types[typeName(t.type)] = (types[typeName(t.type)] ?? 0) + 1;
  return {
    name: model.source.name,
    bytes: model.fileSize,
    architecture: model.architecture,
    tensors: model.tensors.length,
    parameters: model.tensors.reduce((n, t) => n + t.count, 0),
    layers:
      model.blockCount ?? 1 + Math.max(-1, ...model.tensors.map((t) => layerOf(t.name) ?? -1)),
    types,
  };
}
