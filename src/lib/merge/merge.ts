// The merge itself: checks, then one tensor at a time (read from every model, dequantized,
// merged by the recipe's method with this tensor's parameters, encoded, written), so the largest
// tensor bounds memory, not the model. The output is the base's metadata and tokenizer with the
// recipe recorded, streamed to a sink; a failure or cancel aborts the sink (no partial file).

import { GGUFValueType } from '@huggingface/gguf';
import { compatibilityError } from './errors';
import { mergeMismatches } from './compat';
import { dequantize } from './dequantize';
import { GgufFingerprint } from './fingerprint';
import { readTensorBytes, type GgufModel } from './gguf-model';
import { FILE_TYPE_OF, type MergeOutputType, type WritableType } from './ggml-types';
import {
  GgufStreamWriter,
  planGgufFile,
  type ByteSink,
  type GgufPlan,
  type MetadataEntry,
  type OutputTensor,
} from './gguf-writer';
import { layerOf } from './layers';
import { MERGE_METHODS } from './methods/registry';
import { quantize } from './quantize';
import { assertRecipe, layerFraction, valueAt, type MergeRecipe } from './recipe';

/** The metadata key that carries the recipe (JSON) in a merged file. */
export const RECIPE_METADATA_KEY = 'cmexam.merge.recipe';

export interface MergeProgress {
  tensorsDone: number;
  tensorsTotal: number;
  bytesWritten: number;
  bytesTotal: number;
  /** The tensor being merged. */
  tensor: string;
  /** Since the merge started. */
  elapsedMs: number;
}

export interface MergeSummary {
  tensors: number;
  bytes: number;
  seconds: number;
  recipe: MergeRecipe;
  /** How many tensors were written in each type (1-D tensors stay F32, as llama.cpp does). */
  outputTypes: Record<string, number>;
  /** Working memory of the largest tensor, bytes. */
  peakTensorBytes: number;
  /** Content hashes (`fingerprint.ts`) of the parents and of the file written. */
  hashes: { base: string; models: string[]; output: string };
}

/** The type a tensor is written in: norms and other 1-D tensors stay F32; Q8_0 needs rows of 32. */
export function outputTypeFor(shape: readonly number[], requested: MergeOutputType): WritableType {
  if (shape.length < 2) return 'f32';
  if (requested === 'q8_0' && shape[0] % 32 !== 0) return 'f16';
  return requested;
}

/**
 * Memory the merge needs at most: the largest tensor's float32 copy in every model, the result
 * and its encoded bytes (at most 4 per value), plus the stored bytes of the tensor each model
 * reads ahead (bounded by its largest).
 */
export function mergeMemoryBytes(base: GgufModel, models: readonly GgufModel[]): number {
  const largest = Math.max(0, ...base.tensors.map((t) => t.count));
  const readAhead = [base, ...models]
    .map((m) => Math.max(0, ...m.tensors.map((t) => t.byteSize)))
    .reduce((a, b) => a + b, 0);
  return largest * 4 * (models.length + 2) + largest * 4 + readAhead;
}

export class MergeCancelledError extends Error {
  override name = 'MergeCancelledError';
  constructor() {
    super('the merge was cancelled');
  }
}

/** The merged file's layout: the base's metadata with the recipe, each tensor in its output type. */
export function planMergedFile(
  base: GgufModel,
  recipe: MergeRecipe,
): { plan: GgufPlan; outputs: OutputTensor[] } {
  const metadata: Record<string, MetadataEntry> = {
    ...(base.metadata as Record<string, MetadataEntry>),
  };
  metadata['general.file_type'] = {
    value: FILE_TYPE_OF[recipe.outType],
    type: GGUFValueType.UINT32,
  };
  if (recipe.outType === 'q8_0') {
    metadata['general.quantization_version'] = { value: 2, type: GGUFValueType.UINT32 };
  }
  metadata[RECIPE_METADATA_KEY] = { value: JSON.stringify(recipe), type: GGUFValueType.STRING };
  const outputs = base.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    type: outputTypeFor(t.shape, recipe.outType),
  }));
  const plan = planGgufFile(metadata, outputs);
  return { plan, outputs };
}

export async function mergeModels(options: {
  base: GgufModel;
  models: readonly GgufModel[];
  recipe: MergeRecipe;
  sink: ByteSink;
  onProgress?: (p: MergeProgress) => void;
  signal?: AbortSignal;
}): Promise<MergeSummary> {
  const { base, models, recipe, sink, onProgress, signal } = options;
  const started = Date.now();
  let pendingWrite: Promise<void> = Promise.resolve();
  try {
    assertRecipe(recipe);
    if (models.length !== recipe.models.length) {
      throw new Error(
        `the recipe names ${recipe.models.length} fine-tunes, ${models.length} were given`,
      );
    }
    const mismatches = mergeMismatches(base, models);
    if (mismatches.length > 0) throw compatibilityError(mismatches);
    const method = MERGE_METHODS[recipe.method];
    const normalize = recipe.normalize ?? method.normalizeByDefault;
    const layerCount =
      base.blockCount ?? 1 + Math.max(-1, ...base.tensors.map((t) => layerOf(t.name) ?? -1));

    const { plan, outputs } = planMergedFile(base, recipe);
    const writer = new GgufStreamWriter(sink, plan);
    await writer.writeHeader();
    const prints = [base, ...models].map((m) => new GgufFingerprint(m.tensors.map((t) => t.name)));
    const outPrint = new GgufFingerprint(plan.tensors.map((t) => t.name));
    await outPrint.addHeader(plan.header);
    for (const [i, m] of [base, ...models].entries()) {
      await prints[i].addHeader(await m.source.read(0, m.dataOffset));
    }
    // Each tensor's bytes are hashed as they are read: the parents' hashes cost no second pass.
    // The next tensor is read (every model at once) while this one is merged, and this one is
    // written while the next is merged: reading, hashing and writing overlap the arithmetic.
    const byName = models.map((m) => new Map(m.tensors.map((t) => [t.name, t])));
    const readTensor = (i: number): Promise<Uint8Array[]> => {
      const name = base.tensors[i].name;
      const entries = [base.tensors[i], ...byName.map((m) => m.get(name)!)];
      return Promise.all(
        [base, ...models].map(async (m, at) => {
          const bytes = await readTensorBytes(m, entries[at]);
          await prints[at].addTensor(name, bytes);
          return bytes;
        }),
      );
    };
    const outputTypes: Record<string, number> = {};
    let next = readTensor(0);
    for (let i = 0; i < base.tensors.length; i++) {
      const raw = await next;
      if (signal?.aborted) throw new MergeCancelledError();
      if (i + 1 < base.tensors.length) {
        next = readTensor(i + 1);
        next.catch(() => undefined); // awaited on the next round; a cancel may leave it unread
      }
      const tensor = base.tensors[i];
      onProgress?.({
        tensorsDone: i,
        tensorsTotal: base.tensors.length,
        bytesWritten: writer.bytesWritten,
        bytesTotal: plan.totalBytes,
        tensor: tensor.name,
        elapsedMs: Date.now() - started,
      });
      const layer = layerOf(tensor.name);
      const fraction = layerFraction(layer, layerCount);
      const outside = layer === undefined ? recipe.outside : undefined;
      const baseValues = dequantize(tensor.type, raw[0], tensor.count);
      const modelValues = models.map((_, j) => {
        const entry = byName[j].get(tensor.name)!;
        return dequantize(entry.type, raw[j + 1], entry.count);
      });
      raw.length = 0;
      const merged = method.merge({
        tensorName: tensor.name,
        base: baseValues,
        models: modelValues,
        perModel: recipe.models.map((m, j) => ({
          weight: outside?.weights?.[j] ?? valueAt(m.weight, fraction),
          density: outside?.densities?.[j] ?? valueAt(m.density, fraction),
        })),
        lambda: outside?.lambda ?? valueAt(recipe.lambda, fraction),
        t: valueAt(recipe.t, fraction),
        normalize,
        seed: recipe.seed,
      });
      const type = outputs[i].type;
      outputTypes[type] = (outputTypes[type] ?? 0) + 1;
      const encoded = quantize(type, merged);
      await pendingWrite;
      pendingWrite = Promise.all([
        outPrint.addTensor(tensor.name, encoded),
        writer.writeTensor(tensor.name, encoded),
      ]).then(() => undefined);
      pendingWrite.catch(() => undefined); // awaited before the next write; never unhandled
    }
    await pendingWrite;
    const hashes = {
      base: await prints[0].hex(),
      models: await Promise.all(prints.slice(1).map((p) => p.hex())),
      output: await outPrint.hex(),
    };
    await writer.finish();
    onProgress?.({
      tensorsDone: base.tensors.length,
      tensorsTotal: base.tensors.length,
      bytesWritten: writer.bytesWritten,
      bytesTotal: plan.totalBytes,
      tensor: '',
      elapsedMs: Date.now() - started,
    });
    return {
      tensors: base.tensors.length,
      bytes: plan.totalBytes,
      seconds: (Date.now() - started) / 1000,
      recipe,
      outputTypes,
      peakTensorBytes: mergeMemoryBytes(base, models),
      hashes,
    };
  } catch (err) {
    await pendingWrite.catch(() => undefined); // the sink is never aborted mid-write
    await sink.abort().catch(() => undefined);
    throw err;
  }
}
