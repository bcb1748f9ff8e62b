// A GGUF model's header (metadata with its value types, tensor infos) read with
// @huggingface/gguf through a ByteSource, and its tensors read one at a time by byte range.

import { gguf, type GGUFTypedMetadata } from '@huggingface/gguf';
import { dequantize } from './dequantize';
import { isSupportedType, tensorByteSize, typeName, type GgmlTypeId } from './ggml-types';
import { rangeFetchFor, type ByteSource } from './source';

export type TypedMetadata = GGUFTypedMetadata;

export interface GgufTensorEntry {
  name: string;
  /** ggml order: the contiguous dimension first ([n_embd, n_vocab]). */
  shape: number[];
  type: GgmlTypeId;
  count: number;
  /** Absolute byte offset in the file. */
  offset: number;
  byteSize: number;
}

export interface GgufModel {
  source: ByteSource;
  fileSize: number;
  /** Where tensor data starts: the header is the bytes before it. */
  dataOffset: number;
  version: number;
  metadata: TypedMetadata;
  tensors: GgufTensorEntry[];
  architecture: string;
  /** `<arch>.block_count`: the number of layers, when the file says. */
  blockCount: number | undefined;
}

export class GgufReadError extends Error {
  override name = 'GgufReadError';
}

/** A metadata value as a plain number / string / array, or undefined when absent. */
export function metadataValue(model: GgufModel, key: string): unknown {
  return (model.metadata as Record<string, { value: unknown } | undefined>)[key]?.value;
}

/** Reads the header of a GGUF v2/v3 file; refuses a tensor of a type this reader cannot decode. */
export async function readGgufModel(source: ByteSource): Promise<GgufModel> {
  const fileSize = await source.size();
  let parsed: Awaited<ReturnType<typeof gguf>> & { typedMetadata: TypedMetadata };
  try {
    // The parser insists on an http(s) address; every byte comes from `source` through fetch.
    parsed = await gguf(`https://gguf.invalid/${encodeURIComponent(source.name)}`, {
      fetch: rangeFetchFor(source),
      typedMetadata: true,
    });
  } catch (err) {
    throw new GgufReadError(`${source.name}: not a readable GGUF file (${(err as Error).message})`);
  }
  const version = Number(parsed.metadata.version);
  if (version !== 2 && version !== 3) {
    throw new GgufReadError(`${source.name}: GGUF version ${version} is not supported (2 or 3)`);
  }
  if (!parsed.littleEndian) {
    throw new GgufReadError(`${source.name}: big-endian GGUF files are not supported`);
  }
  const dataOffset = Number(parsed.tensorDataOffset);
  const tensors = parsed.tensorInfos.map((info): GgufTensorEntry => {
    if (!isSupportedType(info.dtype)) {
      throw new GgufReadError(
        `${source.name}: tensor ${info.name} is ${typeName(info.dtype)}, which cannot be read ` +
          '(readable: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)',
      );
    }
    const shape = info.shape.map(Number);
    const count = shape.reduce((a, b) => a * b, 1);
    let byteSize: number;
    try {
      byteSize = tensorByteSize(info.dtype, count);
    } catch (err) {
      throw new GgufReadError(`${source.name}: tensor ${info.name}: ${(err as Error).message}`);
    }
    const offset = dataOffset + Number(info.offset);
    if (offset + byteSize > fileSize) {
      throw new GgufReadError(
        `${source.name}: tensor ${info.name} ends at byte ${offset + byteSize}, past the end of ` +
          `the file (${fileSize} bytes): the file is truncated`,
      );
    }
    return { name: info.name, shape, type: info.dtype, count, offset, byteSize };
  });
  const architecture = String(parsed.metadata['general.architecture'] ?? '');
  const blocks = (parsed.metadata as Record<string, unknown>)[`${architecture}.block_count`];
  return {
    source,
    fileSize,
    dataOffset,
    version,
    metadata: parsed.typedMetadata,
    tensors,
    architecture,
    blockCount: blocks === undefined ? undefined : Number(blocks),
  };
}

export async function readTensorBytes(
  model: GgufModel,
  tensor: GgufTensorEntry,
): Promise<Uint8Array> {
  const bytes = await model.source.read(tensor.offset, tensor.offset + tensor.byteSize);
  if (bytes.byteLength !== tensor.byteSize) {
    throw new GgufReadError(
      `${model.source.name}: tensor ${tensor.name}: read ${bytes.byteLength} of ${tensor.byteSize} bytes`,
    );
  }
  return bytes;
}

/** One tensor's values as float32, whatever its stored type. */
export async function readTensorValues(
  model: GgufModel,
  tensor: GgufTensorEntry,
): Promise<Float32Array> {
  return dequantize(tensor.type, await readTensorBytes(model, tensor), tensor.count);
}
