// The merge itself: checks, then one tensor at a time (read from every model, dequantized,
// merged by the recipe's method with this tensor's parameters, encoded, written), so the largest
// tensor bounds memory, not the model. The output is the base's metadata and tokenizer with the
// recipe recorded, streamed to a sink; a failure or cancel aborts the sink (no partial file).

import { GGUFValueType } from '@huggingface/gguf';
import { compatibilityError } from './errors';
import { mergeMismatches } from './compat';
import { readTensorValues, type GgufModel } from './gguf-model';
import { FILE_TYPE_OF, type MergeOutputType, type WritableType } from './ggml-types';
import { GgufStreamWriter, planGgufFile, type ByteSink, type MetadataEntry } from './gguf-writer';
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
}

/** The type a tensor is written in: norms and other 1-D tensors stay F32; Q8_0 needs rows of 32. */
export function outputTypeFor(shape: readonly number[], requested: MergeOutputType): WritableType {
  if (shape.length < 2) return 'f32';
  if (requested === 'q8_0' && shape[0] % 32 !== 0) return 'f16';
  return requested;
}

/** Memory one tensor needs while merging: every model's float32 copy, the result, its bytes. */
export function mergeMemoryBytes(base: GgufModel, fineTunes: number): number {
  const largest = Math.max(0, ...base.tensors.map((t) => t.count));
  return largest * 4 * (fineTunes + 2) + largest * 4;
}

export class MergeCancelledError extends Error {
  override name = 'MergeCancelledError';
  constructor() {
    super('the merge was cancelled');
  }
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
    const writer = new GgufStreamWriter(sink, plan);
    await writer.writeHeader();

    const outputTypes: Record<string, number> = {};
    const byName = models.map((m) => new Map(m.tensors.map((t) => [t.name, t])));
    for (let i = 0; i < base.tensors.length; i++) {
      if (signal?.aborted) throw new MergeCancelledError();
      const tensor = base.tensors[i];
      onProgress?.({
        tensorsDone: i,
        tensorsTotal: base.tensors.length,
        bytesWritten: writer.bytesWritten,
        bytesTotal: plan.totalBytes,
        tensor: tensor.name,
      });
      const fraction = layerFraction(layerOf(tensor.name), layerCount);
      const baseValues = await readTensorValues(base, tensor);
      const modelValues: Float32Array[] = [];
      for (let j = 0; j < models.length; j++) {
        modelValues.push(await readTensorValues(models[j], byName[j].get(tensor.name)!));
      }
      const merged = method.merge({
        tensorName: tensor.name,
        base: baseValues,
        models: modelValues,
        perModel: recipe.models.map((m) => ({
          weight: valueAt(m.weight, fraction),
          density: valueAt(m.density, fraction),
        })),
        lambda: valueAt(recipe.lambda, fraction),
        t: valueAt(recipe.t, fraction),
        normalize,
        seed: recipe.seed,
      });
      const type = outputs[i].type;
      outputTypes[type] = (outputTypes[type] ?? 0) + 1;
      await writer.writeTensor(tensor.name, quantize(type, merged));
    }
    await writer.finish();
    onProgress?.({
      tensorsDone: base.tensors.length,
      tensorsTotal: base.tensors.length,
      bytesWritten: writer.bytesWritten,
      bytesTotal: plan.totalBytes,
      tensor: '',
    });
    return {
      tensors: base.tensors.length,
      bytes: plan.totalBytes,
      seconds: (Date.now() - started) / 1000,
      recipe,
      outputTypes,
      peakTensorBytes: mergeMemoryBytes(base, models.length),
    };
  } catch (err) {
    await sink.abort().catch(() => undefined);
    throw err;
  }
}
