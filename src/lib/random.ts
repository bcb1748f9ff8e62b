/** Seeded randomness that gives the same numbers in every JavaScript engine (integer ops only). */

/** mulberry32: a small, fast 32-bit PRNG; floats in [0, 1). Enough for sampling and weights. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bit, over the UTF-8 bytes of `s`; unsigned. A stable hash for ids and seeds. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Indices 0..size−1 after a partial Fisher–Yates shuffle: the first `k` are a uniform draw. */
export function shuffledIndices(size: number, k: number, random: () => number): number[] {
  const idx = Array.from({ length: size }, (_, i) => i);
  const take = Math.min(k, size);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (size - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, take);
}
