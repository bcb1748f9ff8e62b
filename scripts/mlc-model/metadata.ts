// The parameter list MLC compiles into every model library: the `_metadata` JSON, a plain string
// constant in the wasm that begins with `{"model_type"`. Read from the bytes, checked, typed.

export interface LibraryParam {
  name: string;
  shape: number[];
  dtype: 'uint32' | 'float32';
}

export interface LibraryMetadata {
  modelType: string;
  quantization: string;
  contextWindowSize: number;
  prefillChunkSize: number;
  slidingWindowSize: number;
  attentionSinkSize: number;
  kvCache: {
    numHiddenLayers: number;
    numAttentionHeads: number;
    numKeyValueHeads: number;
    headDim: number;
  };
  params: LibraryParam[];
}

/** Quantizations whose weight layout this generator writes (see weights.ts). */
export const SUPPORTED_QUANTIZATIONS = ['q4f32_1'] as const;
const DTYPES = ['uint32', 'float32'] as const;

export class LibraryMetadataError extends Error {
  override name = 'LibraryMetadataError';
}

/** The JSON object starting at `start` (balanced braces, strings respected), as text. */
function jsonObjectAt(bytes: Uint8Array, start: number): string {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      return new TextDecoder().decode(bytes.subarray(start, i + 1));
    }
  }
  throw new LibraryMetadataError('The library metadata JSON is not terminated.');
}

function indexOf(bytes: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const wholeNumber = (v: unknown): v is number => Number.isInteger(v);

/** Read and check the metadata of a model library's wasm bytes. Throws, naming what is wrong. */
export function readLibraryMetadata(bytes: Uint8Array): LibraryMetadata {
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new LibraryMetadataError('This is not a WebAssembly file (no "\\0asm" header).');
  }
  const at = indexOf(bytes, new TextEncoder().encode('{"model_type"'));
  if (at < 0) {
    throw new LibraryMetadataError(
      'No MLC metadata (a JSON string beginning with {"model_type") is in this library.',
    );
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(jsonObjectAt(bytes, at)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof LibraryMetadataError) throw err;
    throw new LibraryMetadataError(`The library metadata is not valid JSON: ${String(err)}`);
  }
  const field = <T>(name: string, ok: (v: unknown) => v is T): T => {
    const v = raw[name];
    if (!ok(v)) throw new LibraryMetadataError(`Metadata field "${name}" is missing or invalid.`);
    return v;
  };
  const quantization = field('quantization', (v): v is string => typeof v === 'string');
  if (!(SUPPORTED_QUANTIZATIONS as readonly string[]).includes(quantization)) {
    throw new LibraryMetadataError(
      `Quantization "${quantization}" is not supported (only ${SUPPORTED_QUANTIZATIONS.join(', ')}).`,
    );
  }
  const kv = field('kv_cache', (v): v is Record<string, unknown> => typeof v === 'object' && !!v);
  const kvField = (name: string): number => {
    const v = kv[name];
    if (!wholeNumber(v))
      throw new LibraryMetadataError(`Metadata field "kv_cache.${name}" is missing or invalid.`);
    return v;
  };
  const params = field('params', (v): v is unknown[] => Array.isArray(v)).map((p, i) => {
    const rec = p as Record<string, unknown>;
    const name = typeof rec.name === 'string' ? rec.name : `#${i}`;
    if (typeof rec.name !== 'string')
      throw new LibraryMetadataError(`Parameter ${name} has no name.`);
    if (!Array.isArray(rec.shape) || !rec.shape.every((d) => wholeNumber(d) && d > 0)) {
      throw new LibraryMetadataError(`Parameter "${name}" has an invalid shape.`);
    }
    if (!(DTYPES as readonly unknown[]).includes(rec.dtype)) {
      throw new LibraryMetadataError(
        `Parameter "${name}" has dtype "${String(rec.dtype)}", which this generator does not write (only ${DTYPES.join(', ')}).`,
      );
    }
    if (Array.isArray(rec.preprocs) && rec.preprocs.length > 0) {
      throw new LibraryMetadataError(
        `Parameter "${name}" needs preprocessing, which is not supported.`,
      );
    }
    return { name, shape: rec.shape as number[], dtype: rec.dtype as LibraryParam['dtype'] };
  });
  return {
    modelType: field('model_type', (v): v is string => typeof v === 'string'),
    quantization,
    contextWindowSize: field('context_window_size', wholeNumber),
    prefillChunkSize: field('prefill_chunk_size', wholeNumber),
    slidingWindowSize: field('sliding_window_size', wholeNumber),
    attentionSinkSize: field('attention_sink_size', wholeNumber),
    kvCache: {
      numHiddenLayers: kvField('num_hidden_layers'),
      numAttentionHeads: kvField('num_attention_heads'),
      numKeyValueHeads: kvField('num_key_value_heads'),
      headDim: kvField('head_dim'),
    },
    params,
  };
}

export const elementsOf = (p: LibraryParam) => p.shape.reduce((a, b) => a * b, 1);
/** Both supported dtypes are 4 bytes an element. */
export const bytesOf = (p: LibraryParam) => elementsOf(p) * 4;
