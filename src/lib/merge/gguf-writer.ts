// GGUF v3 written as a stream: the header (metadata, tensor infos) is computed up front from the
// tensors' names, shapes and types, then each tensor's bytes follow in order, each at a multiple
// of the alignment. Only one tensor's bytes are ever held.

import { GGUFValueType, serializeGgufMetadata } from '@huggingface/gguf';
import { tensorByteSize, WRITABLE_TYPE_IDS, type WritableType } from './ggml-types';
import type { TypedMetadata } from './gguf-model';

export const OUTPUT_ALIGNMENT = 32;

/** Where the file goes: an OPFS writable, a Node file, memory in tests. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Drops what was written: a cancelled or failed merge leaves no file behind. */
  abort(): Promise<void>;
}

export interface OutputTensor {
  name: string;
  shape: readonly number[];
  type: WritableType;
}

export interface GgufPlan {
  header: Uint8Array;
  tensors: ReadonlyArray<OutputTensor & { offset: number; byteSize: number }>;
  /** The whole file's size. */
  totalBytes: number;
}

export type MetadataEntry = { value: unknown; type: GGUFValueType; subType?: GGUFValueType };

function u64(value: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(value), true);
  return b;
}

function u32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  return b;
}

function pad(n: number, alignment: number): number {
  return (alignment - (n % alignment)) % alignment;
}

/**
 * Lays out a GGUF v3 file: `metadata` (typed entries, as read from the base model and changed
 * by the caller; `general.alignment` is set to 32) and tensor infos with aligned offsets.
 */
export function planGgufFile(
  metadata: Readonly<Record<string, MetadataEntry>>,
  tensors: readonly OutputTensor[],
): GgufPlan {
  const entries: Record<string, MetadataEntry> = {};
  for (const [key, entry] of Object.entries(metadata)) {
    if (key === 'version' || key === 'tensor_count' || key === 'kv_count') continue;
    entries[key] = entry;
  }
  entries['general.alignment'] = { value: OUTPUT_ALIGNMENT, type: GGUFValueType.UINT32 };
  const typed = {
    version: { value: 3, type: GGUFValueType.UINT32 },
    tensor_count: { value: BigInt(tensors.length), type: GGUFValueType.UINT64 },
    kv_count: { value: BigInt(Object.keys(entries).length), type: GGUFValueType.UINT64 },
    ...entries,
  } as unknown as TypedMetadata;
  // Alignment 1: no padding after the metadata, since the tensor infos follow directly.
  const head = serializeGgufMetadata(typed, { alignment: 1 });

  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [head];
  let offset = 0;
  const laidOut = tensors.map((t) => {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const byteSize = tensorByteSize(WRITABLE_TYPE_IDS[t.type], count);
    const name = encoder.encode(t.name);
    parts.push(u64(name.length), name, u32(t.shape.length));
    for (const d of t.shape) parts.push(u64(d));
    parts.push(u32(WRITABLE_TYPE_IDS[t.type]), u64(offset));
    const entry = { ...t, offset, byteSize };
    offset += byteSize + pad(byteSize, OUTPUT_ALIGNMENT);
    return entry;
  });
  const infoBytes = parts.reduce((n, p) => n + p.byteLength, 0);
  const header = new Uint8Array(infoBytes + pad(infoBytes, OUTPUT_ALIGNMENT));
  let at = 0;
  for (const p of parts) {
    header.set(p, at);
    at += p.byteLength;
  }
  return { header, tensors: laidOut, totalBytes: header.byteLength + offset };
}

/** Writes a planned file: the header, then each tensor in plan order. */
export class GgufStreamWriter {
  private next = 0;
  private written = 0;

  constructor(
    private readonly sink: ByteSink,
    readonly plan: GgufPlan,
  ) {}

  get bytesWritten(): number {
    return this.written;
  }

  async writeHeader(): Promise<void> {
    if (this.written !== 0) throw new Error('the header is written first, once');
    await this.put(this.plan.header);
  }

  async writeTensor(name: string, bytes: Uint8Array): Promise<void> {
    const t = this.plan.tensors[this.next];
    if (t === undefined || t.name !== name) {
      throw new Error(`tensor ${name} written out of order (expected ${t?.name ?? 'none'})`);
    }
    if (bytes.byteLength !== t.byteSize) {
      throw new Error(`tensor ${name}: ${bytes.byteLength} bytes, the header says ${t.byteSize}`);
    }
    await this.put(bytes);
    const padding = pad(bytes.byteLength, OUTPUT_ALIGNMENT);
    if (padding > 0) await this.put(new Uint8Array(padding));
    this.next += 1;
  }

  async finish(): Promise<void> {
    if (this.next !== this.plan.tensors.length) {
      throw new Error(`${this.plan.tensors.length - this.next} tensors were not written`);
    }
    await this.sink.close();
  }

  private async put(bytes: Uint8Array): Promise<void> {
    await this.sink.write(bytes);
    this.written += bytes.byteLength;
  }
}

/** A sink into memory (tests, small files). */
export function memorySink(): ByteSink & { bytes(): Uint8Array; closed: boolean } {
  const chunks: Uint8Array[] = [];
  const sink = {
    closed: false,
    write: (b: Uint8Array) => {
      chunks.push(b.slice());
      return Promise.resolve();
    },
    close: () => {
      sink.closed = true;
      return Promise.resolve();
    },
    abort: () => {
      chunks.length = 0;
      return Promise.resolve();
    },
    bytes: () => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.byteLength;
      }
      return all;
    },
  };
  return sink;
}
