// Sparsification of task vectors, as mergekit's sparsify.py: magnitude pruning (TIES) keeps the
// k = ⌊density·n⌋ entries of largest magnitude; random pruning (DARE) keeps each entry with
// probability `density` and rescales the kept ones by 1/density.
//
// Top-k without sorting: the magnitudes' float32 bit patterns order like the numbers, so a
// two-pass radix select (the upper 16 bits, then the lower 15) finds the k-th largest exactly in
// O(n) with 65,536 counters (256 KB, which stay in cache). Entries equal to the threshold are
// kept in index order until k are kept (torch.topk, which mergekit uses, leaves that order
// unspecified).

import { mulberry32 } from '../../random';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function magnitudeBits(values: Float32Array): Uint32Array {
  // A view, not a copy: the sign bit is masked off where it is read.
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * The bit pattern of the k-th largest magnitude (1-based k) and how many entries are strictly
 * larger. `k` must be in 1..n.
 */
export function kthLargestMagnitude(
  values: Float32Array,
  k: number,
): { thresholdBits: number; greater: number } {
  const bits = magnitudeBits(values);
  const n = bits.length;
  if (!(k >= 1 && k <= n)) throw new Error(`k = ${k} is outside 1..${n}`);
  let prefix = 0; // the bits fixed so far
  let prefixMask = 0;
  let greater = 0;
  let remaining = k;
  const passes: ReadonlyArray<[shift: number, width: number]> = [
    [15, 16],
    [0, 15],
  ];
  const counts = new Uint32Array(1 << 16);
  for (const [shift, width] of passes) {
    counts.fill(0);
    const digitMask = (1 << width) - 1;
    for (let i = 0; i < n; i++) {
      const m = bits[i] & 0x7fffffff;
      if ((m & prefixMask) >>> 0 === prefix) counts[(m >>> shift) & digitMask] += 1;
    }
    let digit = digitMask;
    for (; digit > 0; digit--) {
      if (counts[digit] >= remaining) break;
      remaining -= counts[digit];
      greater += counts[digit];
    }
    prefix = (prefix | (digit << shift)) >>> 0;
    prefixMask = (prefixMask | (digitMask << shift)) >>> 0;
  }
  return { thresholdBits: prefix, greater };
}

/** The magnitude (as a number) for a threshold's bit pattern. */
export function magnitudeOfBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

/**
 * Keeps the ⌊density·n⌋ entries of largest magnitude, zeroing the rest in place.
 * density ≥ 1 keeps everything; a k of 0 zeroes everything.
 */
export function pruneByMagnitude(values: Float32Array, density: number): Float32Array {
  const n = values.length;
  if (density >= 1) return values;
  const k = Math.floor(density * n);
  if (k <= 0) return values.fill(0);
  const { thresholdBits, greater } = kthLargestMagnitude(values, k);
  const bits = magnitudeBits(values);
  let ties = k - greater;
  for (let i = 0; i < n; i++) {
    const m = bits[i] & 0x7fffffff;
    if (m > thresholdBits) continue;
    if (m === thresholdBits && ties > 0) {
      ties -= 1;
      continue;
    }
    values[i] = 0;
  }
  return values;
}

/**
 * DARE's random drop in place: each entry is kept with probability `density` (a draw from
 * `random` per entry, in index order) and the kept ones are multiplied by 1/density when
 * `rescale` (mergekit's default). density ≥ 1 keeps everything unchanged.
 */
export function pruneRandom(
  values: Float32Array,
  density: number,
  random: () => number,
  rescale = true,
): Float32Array {
  if (density >= 1) return values;
  if (density <= 0) return values.fill(0);
  const scale = rescale ? 1 / density : 1;
  for (let i = 0; i < values.length; i++) {
    values[i] = random() < density ? values[i] * scale : 0;
  }
  return values;
}

/** The generator DARE uses for one model's delta of one tensor: the same for a given seed. */
export function dropGenerator(seed: number, tensorName: string, modelIndex: number): () => number {
  // fnv1a over the name mixes the seed, so each tensor and model gets its own stream.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of `${modelIndex}:${tensorName}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return mulberry32(h >>> 0);
}
