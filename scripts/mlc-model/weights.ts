// Random weights in MLC's q4f32_1 layout, and their shards with the records tvmjs reads
// (ndarray-cache.json / tensor-cache.json). Deterministic per seed and per tensor name.
import { fnv1a32, mulberry32 } from '../../src/lib/random';
import { bytesOf, elementsOf, type LibraryParam } from './metadata';

/** One scale for every group of 32 weights: (q − 7) · scale stays within ±0.033. */
export const Q_SCALE = 0.0046;
/** Other float weights (embeddings are quantized too): N(0, 0.02). */
export const FLOAT_STD = 0.02;
/** Shards of about this size, like MLC's own; a larger tensor gets a shard to itself. */
export const SHARD_TARGET_BYTES = 32 * 1024 * 1024;

export type ParamKind = 'q_weight' | 'q_scale' | 'norm' | 'bias' | 'float';

export function kindOf(p: LibraryParam): ParamKind {
  if (p.name.endsWith('.q_weight')) return 'q_weight';
  if (p.name.endsWith('.q_scale')) return 'q_scale';
  if (p.name.endsWith('.bias')) return 'bias';
  if (/norm\.weight$/.test(p.name)) return 'norm';
  return 'float';
}

/** q_weight words hold eight 4-bit values each, lowest nibble first, along the input dimension. */
export function packNibbles(values: readonly number[]): number {
  let word = 0;
  for (let i = 0; i < 8; i++) word |= (values[i] & 0xf) << (4 * i);
  return word >>> 0;
}

export function unpackNibbles(word: number): number[] {
  return Array.from({ length: 8 }, (_, i) => (word >>> (4 * i)) & 0xf);
}

/** A tensor's bytes (little-endian), random but the same for the same seed and name. */
export function tensorBytes(p: LibraryParam, seed: number): Uint8Array {
  const n = elementsOf(p);
  const random = mulberry32(fnv1a32(`${seed}:${p.name}`));
  const kind = kindOf(p);
  if (p.dtype === 'uint32') {
    if (kind !== 'q_weight') throw new Error(`Parameter "${p.name}" is uint32 but not a q_weight.`);
    const words = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let word = 0;
      // Nibbles uniform over 0–14, centred on 7 (15 is left out so that 0 is exactly 7).
      for (let k = 0; k < 8; k++) word |= Math.floor(random() * 15) << (4 * k);
      words[i] = word >>> 0;
    }
    return new Uint8Array(words.buffer);
  }
  const floats = new Float32Array(n);
  if (kind === 'q_scale') floats.fill(Q_SCALE);
  else if (kind === 'norm') floats.fill(1);
  else if (kind === 'float') {
    for (let i = 0; i < n; i += 2) {
      // Box–Muller: two normal values from two uniform ones.
      const u = Math.max(random(), 1e-12);
      const v = random();
      const r = FLOAT_STD * Math.sqrt(-2 * Math.log(u));
      floats[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < n) floats[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
  }
  return new Uint8Array(floats.buffer);
}

export interface ShardRecord {
  name: string;
  shape: number[];
  dtype: LibraryParam['dtype'];
  format: 'raw';
  nbytes: number;
  byteOffset: number;
}

export interface Shard {
  dataPath: string;
  format: 'raw-shard';
  nbytes: number;
  records: ShardRecord[];
}

/** Params in order into shards of about SHARD_TARGET_BYTES. */
export function planShards(params: readonly LibraryParam[], target = SHARD_TARGET_BYTES): Shard[] {
  const shards: Shard[] = [];
  let current: Shard | null = null;
  for (const p of params) {
    const nbytes = bytesOf(p);
    if (!current || (current.nbytes > 0 && current.nbytes + nbytes > target)) {
      current = {
        dataPath: `params_shard_${shards.length}.bin`,
        format: 'raw-shard',
        nbytes: 0,
        records: [],
      };
      shards.push(current);
    }
    current.records.push({
      name: p.name,
      shape: p.shape,
      dtype: p.dtype,
      format: 'raw',
      nbytes,
      byteOffset: current.nbytes,
    });
    current.nbytes += nbytes;
  }
  return shards;
}

/** The tensor cache index: the same file is read as ndarray-cache.json (≤ 0.2.79) and tensor-cache.json. */
export function tensorCacheOf(params: readonly LibraryParam[], shards: Shard[]) {
  const bytes = shards.reduce((s, x) => s + x.nbytes, 0);
  const elements = params.reduce((s, p) => s + elementsOf(p), 0);
  return {
    metadata: { ParamSize: params.length, ParamBytes: bytes, BitsPerParam: (bytes * 8) / elements },
    records: shards,
  };
}
