// Minimal GGUF v3 writer and header reader (little-endian only).
// Layout: header, metadata KVs, tensor infos, zero padding to the alignment, tensor data where
// every tensor starts at a multiple of the alignment (offsets are relative to the data section).

export const GGUF_MAGIC = 0x46554747; // 'GGUF' read as a little-endian uint32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** GGUF metadata value type ids (gguf_type in ggml). */
export const GgufType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** ggml tensor types this writer can emit. */
export const GgmlType = {
  F32: 0,
  F16: 1,
} as const;

export type TensorType = 'f32' | 'f16';

export type GgufValue =
  | { type: 'uint32'; value: number }
  | { type: 'int32'; value: number }
  | { type: 'float32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'float32[]'; value: ArrayLike<number> }
  | { type: 'int32[]'; value: ArrayLike<number> };

export interface GgufTensor {
  name: string;
  /** ggml order: fastest-varying dimension first, e.g. [n_embd, n_vocab]. */
  dims: readonly number[];
  type: TensorType;
  /** Row-major values, dims[0] contiguous; converted to `type` when written. */
  data: Float32Array;
}

export interface GgufFile {
  metadata: ReadonlyArray<readonly [string, GgufValue]>;
  tensors: readonly GgufTensor[];
  alignment?: number;
}

const textEncoder = new TextEncoder();

/** Growable little-endian byte sink. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }

  u64(v: number): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }

  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** GGUF string: uint64 byte length, then UTF-8 bytes without a terminator. */
  str(s: string): void {
    const b = textEncoder.encode(s);
    this.u64(b.length);
    this.bytes(b);
  }

  padTo(alignment: number): void {
    const rem = this.length % alignment;
    if (rem !== 0) {
      const n = alignment - rem;
      this.reserve(n);
      this.buf.fill(0, this.length, this.length + n);
      this.length += n;
    }
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

// The binary16 conversions are the merge library's (one implementation for both writers).
export { float16BitsToFloat32, float32ToFloat16Bits } from '../../src/lib/merge/half.ts';
import { float32ToFloat16Bits } from '../../src/lib/merge/half.ts';

function tensorByteSize(t: GgufTensor): number {
  return t.data.length * (t.type === 'f32' ? 4 : 2);
}

function writeValue(w: ByteWriter, v: GgufValue): void {
  switch (v.type) {
    case 'uint32':
      w.u32(GgufType.UINT32);
      w.u32(v.value);
      return;
    case 'int32':
      w.u32(GgufType.INT32);
      w.i32(v.value);
      return;
    case 'float32':
      w.u32(GgufType.FLOAT32);
      w.f32(v.value);
      return;
    case 'bool':
      w.u32(GgufType.BOOL);
      w.u8(v.value ? 1 : 0);
      return;
    case 'string':
      w.u32(GgufType.STRING);
      w.str(v.value);
      return;
    case 'string[]':
      w.u32(GgufType.ARRAY);
      w.u32(GgufType.STRING);
      w.u64(v.value.length);
      for (const s of v.value) w.str(s);
      return;
    case 'float32[]':
      w.u32(GgufType.ARRAY);
      w.u32(GgufType.FLOAT32);
      w.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) w.f32(v.value[i]);
      return;
    case 'int32[]':
      w.u32(GgufType.ARRAY);
      w.u32(GgufType.INT32);
      w.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) w.i32(v.value[i]);
      return;
  }
}

/** Serialises a complete GGUF v3 file. `general.alignment` is added when missing. */
export function writeGguf(file: GgufFile): Uint8Array {
  const alignment = file.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const metadata = [...file.metadata];
  const existing = metadata.find(([k]) => k === 'general.alignment');
  if (existing === undefined) {
    metadata.push(['general.alignment', { type: 'uint32', value: alignment }]);
  } else if (existing[1].type !== 'uint32' || existing[1].value !== alignment) {
    throw new Error('general.alignment must be a uint32 equal to the writer alignment');
  }
  const keys = new Set<string>();
  for (const [k] of metadata) {
    if (keys.has(k)) throw new Error(`duplicate metadata key ${k}`);
    keys.add(k);
  }

  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(file.tensors.length);
  w.u64(metadata.length);
  for (const [key, value] of metadata) {
    w.str(key);
    writeValue(w, value);
  }

  let offset = 0;
  const offsets: number[] = [];
  for (const t of file.tensors) {
    const count = t.dims.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(`tensor ${t.name}: dims hold ${count} values, data has ${t.data.length}`);
    }
    offsets.push(offset);
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type === 'f32' ? GgmlType.F32 : GgmlType.F16);
    w.u64(offset);
    offset += tensorByteSize(t);
    offset += (alignment - (offset % alignment)) % alignment;
  }
  w.padTo(alignment);

  const dataStart = w.length;
  file.tensors.forEach((t, i) => {
    // Pad between tensors so each lands at its recorded aligned offset.
    while (w.length < dataStart + offsets[i]) w.u8(0);
    const n = t.data.length;
    const out = new Uint8Array(n * (t.type === 'f32' ? 4 : 2));
    const view = new DataView(out.buffer);
    for (let j = 0; j < n; j++) {
      if (t.type === 'f32') view.setFloat32(j * 4, t.data[j], true);
      else view.setUint16(j * 2, float32ToFloat16Bits(t.data[j]), true);
    }
    w.bytes(out);
  });
  w.padTo(alignment);
  return w.result();
}

export type GgufReadValue = number | bigint | boolean | string | GgufReadValue[];

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  offset: number;
}

export interface GgufHeader {
  version: number;
  tensorCount: number;
  metadata: Map<string, GgufReadValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute file offset where the tensor data section starts. */
  dataOffset: number;
}

/** Parses header, metadata and tensor infos (not the tensor data) of a GGUF v2/v3 buffer. */
export function readGgufHeader(bytes: Uint8Array): GgufHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let p = 0;
  const u32 = (): number => {
    const v = view.getUint32(p, true);
    p += 4;
    return v;
  };
  const u64 = (): number => {
    const v = view.getBigUint64(p, true);
    p += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('uint64 too large');
    return Number(v);
  };
  const str = (): string => {
    const n = u64();
    const s = decoder.decode(bytes.subarray(p, p + n));
    p += n;
    return s;
  };
  const value = (type: number): GgufReadValue => {
    let v: GgufReadValue;
    switch (type) {
      case GgufType.UINT8:
        v = view.getUint8(p);
        p += 1;
        return v;
      case GgufType.INT8:
        v = view.getInt8(p);
        p += 1;
        return v;
      case GgufType.UINT16:
        v = view.getUint16(p, true);
        p += 2;
        return v;
      case GgufType.INT16:
        v = view.getInt16(p, true);
        p += 2;
        return v;
      case GgufType.UINT32:
        return u32();
      case GgufType.INT32:
        v = view.getInt32(p, true);
        p += 4;
        return v;
      case GgufType.FLOAT32:
        v = view.getFloat32(p, true);
        p += 4;
        return v;
      case GgufType.BOOL:
        v = view.getUint8(p) !== 0;
        p += 1;
        return v;
      case GgufType.STRING:
        return str();
      case GgufType.ARRAY: {
        const elemType = u32();
        const n = u64();
        const arr: GgufReadValue[] = [];
        for (let i = 0; i < n; i++) arr.push(value(elemType));
        return arr;
      }
      case GgufType.UINT64:
        v = view.getBigUint64(p, true);
        p += 8;
        return v;
      case GgufType.INT64:
        v = view.getBigInt64(p, true);
        p += 8;
        return v;
      case GgufType.FLOAT64:
        v = view.getFloat64(p, true);
        p += 8;
        return v;
      default:
        throw new Error(`unknown GGUF value type ${type} at byte ${p}`);
    }
  };

  if (u32() !== GGUF_MAGIC) throw new Error('not a GGUF file (bad magic)');
  const version = u32();
  if (version !== 2 && version !== 3) throw new Error(`unsupported GGUF version ${version}`);
  const tensorCount = u64();
  const kvCount = u64();
  const metadata = new Map<string, GgufReadValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = str();
    metadata.set(key, value(u32()));
  }
  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = str();
    const nDims = u32();
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(u64());
    const type = u32();
    const offset = u64();
    tensors.push({ name, dims, type, offset });
  }
  const alignValue = metadata.get('general.alignment');
  const alignment = typeof alignValue === 'number' ? alignValue : GGUF_DEFAULT_ALIGNMENT;
  const dataOffset = p + ((alignment - (p % alignment)) % alignment);
  return { version, tensorCount, metadata, tensors, alignment, dataOffset };
}
