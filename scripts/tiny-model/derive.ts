// Models derived from a GGUF for merge tests: a "fine-tune" (same architecture, tokenizer and
// tensor names; seeded uniform deltas of a chosen scale added to the chosen tensors) and
// quantized copies (Q8_0, Q4_0, Q4_K of the matrices; 1-D tensors stay F32 as in llama.cpp, and
// a matrix whose rows do not fill the type's blocks falls back to Q4_0, then F16).

import { GGUFValueType } from '@huggingface/gguf';
import { readGgufModel, readTensorValues, type GgufModel } from '../../src/lib/merge/gguf-model';
import { FILE_TYPE_OF, GgmlType, type WritableType } from '../../src/lib/merge/ggml-types';
import {
  GgufStreamWriter,
  planGgufFile,
  type MetadataEntry,
} from '../../src/lib/merge/gguf-writer';
import { quantize } from '../../src/lib/merge/quantize';
import { fnv1a32, mulberry32 } from '../../src/lib/random';
import { nodeFileSink, nodeFileSource } from '../merge/node-io';

export interface DeriveOptions {
  from: string;
  out: string;
  /** Fine-tune: the deltas' half-width and which tensors get them (substrings of the name). */
  deltaScale?: number;
  deltaTensors?: string[];
  seed: number;
  /** Output type of the matrices; the source's own type when not given (F32/F16 only). */
  type?: 'f32' | 'f16' | 'q8_0' | 'q4_0' | 'q4_k';
}

function storedType(model: GgufModel): WritableType {
  return model.tensors.some((t) => t.shape.length > 1 && t.type === GgmlType.F16) ? 'f16' : 'f32';
}

function typeFor(shape: readonly number[], wanted: WritableType): WritableType {
  if (shape.length < 2) return 'f32';
  if (wanted === 'q4_k' && shape[0] % 256 !== 0) return shape[0] % 32 === 0 ? 'q4_0' : 'f16';
  if ((wanted === 'q8_0' || wanted === 'q4_0') && shape[0] % 32 !== 0) return 'f16';
  return wanted;
}

export async function deriveModel(
  o: DeriveOptions,
): Promise<{ tensors: number; changed: number; bytes: number }> {
  const source = await nodeFileSource(o.from);
  try {
    const model = await readGgufModel(source);
    const wanted = o.type ?? storedType(model);
    const outputs = model.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      type: typeFor(t.shape, wanted),
    }));
    const metadata: Record<string, MetadataEntry> = {
      ...(model.metadata as Record<string, MetadataEntry>),
    };
    metadata['general.file_type'] = { value: FILE_TYPE_OF[wanted], type: GGUFValueType.UINT32 };
    if (wanted.startsWith('q'))
      metadata['general.quantization_version'] = { value: 2, type: GGUFValueType.UINT32 };
    const plan = planGgufFile(metadata, outputs);
    const writer = new GgufStreamWriter(await nodeFileSink(o.out), plan);
    await writer.writeHeader();
    let changed = 0;
    for (let i = 0; i < model.tensors.length; i++) {
      const t = model.tensors[i];
      const values = await readTensorValues(model, t);
      const scale = o.deltaScale ?? 0;
      if (scale > 0 && (o.deltaTensors ?? ['']).some((s) => t.name.includes(s))) {
        const rng = mulberry32(fnv1a32(`${o.seed}:delta:${t.name}`));
        for (let j = 0; j < values.length; j++) values[j] += (rng() * 2 - 1) * scale;
        changed += 1;
      }
      await writer.writeTensor(t.name, quantize(outputs[i].type, values));
    }
    await writer.finish();
    return { tensors: model.tensors.length, changed, bytes: plan.totalBytes };
  } finally {
    await source.close();
  }
}
