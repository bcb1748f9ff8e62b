// Tensor bytes -> float32 values, one ggml type per function, block layouts as in ggml
// (ggml/src/ggml-common.h for the structs, dequantize_row_* in ggml/src/ggml-quants.c).
// All multi-byte fields are little-endian. Output index order is ggml's: within a 32-value block
// of Q4_0/Q4_1/Q5_0/Q5_1, the low nibbles of bytes 0..15 are values 0..15 and the high nibbles
// values 16..31.

import { float16Table, bfloat16BitsToFloat32 } from './half';
import { GgmlType, QK_K, geometry, isSupportedType, typeName, type GgmlTypeId } from './ggml-types';

type Dequantizer = (src: Uint8Array, dst: Float32Array, blocks: number) => void;

function f16At(table: Float32Array, b: Uint8Array, at: number): number {
  return table[b[at] | (b[at + 1] << 8)];
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

const dequantF32: Dequantizer = (src, dst, n) => {
  if (LITTLE_ENDIAN) {
    // A byte copy: GGUF is little-endian, as every platform the app runs on.
    new Uint8Array(dst.buffer, dst.byteOffset, n * 4).set(src.subarray(0, n * 4));
    return;
  }
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) dst[i] = view.getFloat32(i * 4, true);
};

const dequantF16: Dequantizer = (src, dst, n) => {
  const t = float16Table();
  if (LITTLE_ENDIAN && src.byteOffset % 2 === 0) {
    const halves = new Uint16Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) dst[i] = t[halves[i]];
    return;
  }
  for (let i = 0; i < n; i++) dst[i] = f16At(t, src, i * 2);
};

const dequantBF16: Dequantizer = (src, dst, n) => {
  for (let i = 0; i < n; i++) dst[i] = bfloat16BitsToFloat32(src[i * 2] | (src[i * 2 + 1] << 8));
};

// block_q8_0: d, qs[32] (int8). x = d * q.
const dequantQ8_0: Dequantizer = (src, dst, blocks) => {
  const t = float16Table();
  for (let b = 0; b < blocks; b++) {
    const at = b * 34;
    const d = f16At(t, src, at);
    for (let j = 0; j < 32; j++) dst[b * 32 + j] = d * ((src[at + 2 + j] << 24) >> 24);
  }
};

// block_q4_0: d, qs[16]. x = d * (nibble - 8).
const dequantQ4_0: Dequantizer = (src, dst, blocks) => {
  const t = float16Table();
  for (let b = 0; b < blocks; b++) {
    const at = b * 18;
    const d = f16At(t, src, at);
    const out = b * 32;
    for (let j = 0; j < 16; j++) {
      const q = src[at + 2 + j];
      dst[out + j] = d * ((q & 0x0f) - 8);
      dst[out + j + 16] = d * ((q >> 4) - 8);
    }
  }
};

// block_q4_1: d, m, qs[16]. x = d * nibble + m.
const dequantQ4_1: Dequantizer = (src, dst, blocks) => {
  const t = float16Table();
  for (let b = 0; b < blocks; b++) {
    const at = b * 20;
    const d = f16At(t, src, at);
    const m = f16At(t, src, at + 2);
    const out = b * 32;
    for (let j = 0; j < 16; j++) {
      const q = src[at + 4 + j];
      dst[out + j] = d * (q & 0x0f) + m;
      dst[out + j + 16] = d * (q >> 4) + m;
    }
  }
};

function u32At(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

// block_q5_0: d, qh (uint32: bit j is value j's fifth bit), qs[16]. x = d * (q5 - 16).
const dequantQ5_0: Dequantizer = (src, dst, blocks) => {
  const t = float16Table();
  for (let b = 0; b < blocks; b++) {
    const at = b * 22;
    const d = f16At(t, src, at);
    const qh = u32At(src, at + 2);
    const out = b * 32;
    for (let j = 0; j < 16; j++) {
      const q = src[at + 6 + j];
      const hi0 = ((qh >>> j) & 1) << 4;
      const hi1 = ((qh >>> (j + 16)) & 1) << 4;
      dst[out + j] = d * (((q & 0x0f) | hi0) - 16);
      dst[out + j + 16] = d * (((q >> 4) | hi1) - 16);
    }
  }
};

// block_q5_1: d, m, qh, qs[16]. x = d * q5 + m.
const dequantQ5_1: Dequantizer = (src, dst, blocks) => {
  const t = float16Table();
  for (let b = 0; b < blocks; b++) {
    const at = b * 24;
    const d = f16At(t, src, at);
    const m = f16At(t, src, at + 2);
    const qh = u32At(src, at + 4);
    const out = b * 32;
    for (let j = 0; j < 16; j++) {
      const q = src[at + 8 + j];
      const hi0 = ((qh >>> j) & 1) << 4;
      const hi1 = ((qh >>> (j + 16)) & 1) << 4;
      dst[out + j] = d * ((q & 0x0f) | hi0) + m;
      dst[out + j + 16] = d * ((q >> 4) | hi1) + m;
    }
  }
};

/**
 * The K-quants' 6-bit scale and min of sub-block `j` (0..7) from their 12 packed bytes at `at`
 * (ggml's get_scale_min_k4): sub-blocks 0..3 keep their six bits in bytes 0..3 (scale) and 4..7
 * (min); sub-blocks 4..7 keep the low four bits in bytes 8..11 (scale low, min high nibble) and
 * the top two bits in bits 6..7 of bytes 0..3 (scale) and 4..7 (min).
 */
export function scaleMinK4(b: Uint8Array, at: number, j: number): [scale: number, min: number] {
  if (j < 4) return [b[at + j] & 63, b[at + j + 4] & 63];
  const scale = (b[at + j + 4] & 0x0f) | ((b[at + j - 4] >> 6) << 4);
  const min = (b[at + j + 4] >> 4) | ((b[at + j] >> 6) << 4);
  return [scale, min];
}

// block_q4_K: d, dmin, scales[12], qs[128]. Each 64 values share 32 bytes: the low nibbles are
// sub-block 2i, the high nibbles sub-block 2i+1. x = d * scale * q - dmin * min.
const dequantQ4_K: Dequantizer = (src, dst, blocks) => {
  const t = float16Table();
  for (let b = 0; b < blocks; b++) {
    const at = b * 144;
    const d = f16At(t, src, at);
    const dmin = f16At(t, src, at + 2);
    const qs = at + 16;
    let out = b * QK_K;
    for (let pair = 0; pair < 4; pair++) {
      const [sc1, m1] = scaleMinK4(src, at + 4, 2 * pair);
      const [sc2, m2] = scaleMinK4(src, at + 4, 2 * pair + 1);
      const d1 = d * sc1;
      const min1 = dmin * m1;
      const d2 = d * sc2;
      const min2 = dmin * m2;
      const q = qs + pair * 32;
      for (let l = 0; l < 32; l++) dst[out + l] = d1 * (src[q + l] & 0x0f) - min1;
      for (let l = 0; l < 32; l++) dst[out + 32 + l] = d2 * (src[q + l] >> 4) - min2;
      out += 64;
    }
  }
};

// block_q5_K: d, dmin, scales[12], qh[32], qs[128]. As Q4_K; sub-block s takes its fifth bit
// from bit s of qh[l].
const dequantQ5_K: Dequantizer = (src, dst, blocks) => {
  const t = float16Table();
  for (let b = 0; b < blocks; b++) {
    const at = b * 176;
    const d = f16At(t, src, at);
    const dmin = f16At(t, src, at + 2);
    const qh = at + 16;
    const qs = at + 48;
    let out = b * QK_K;
    for (let pair = 0; pair < 4; pair++) {
      const [sc1, m1] = scaleMinK4(src, at + 4, 2 * pair);
      const [sc2, m2] = scaleMinK4(src, at + 4, 2 * pair + 1);
      const d1 = d * sc1;
      const min1 = dmin * m1;
      const d2 = d * sc2;
      const min2 = dmin * m2;
      const bit1 = 1 << (2 * pair);
      const bit2 = 2 << (2 * pair);
      const q = qs + pair * 32;
      for (let l = 0; l < 32; l++) {
        dst[out + l] = d1 * ((src[q + l] & 0x0f) + (src[qh + l] & bit1 ? 16 : 0)) - min1;
      }
      for (let l = 0; l < 32; l++) {
        dst[out + 32 + l] = d2 * ((src[q + l] >> 4) + (src[qh + l] & bit2 ? 16 : 0)) - min2;
      }
      out += 64;
    }
  }
};

// block_q6_K: ql[128], qh[64], scales[16] (int8), d. In each half of 128 values, value l + 32k
// (l < 32, k = 0..3) takes the low nibble of ql[l] (k 0), of ql[l + 32] (k 1), the high nibble of
// ql[l] (k 2), of ql[l + 32] (k 3), its top two bits from bits 2k..2k+1 of qh[l], and is
// d * scales[l / 16 + 2k] * (q - 32).
const dequantQ6_K: Dequantizer = (src, dst, blocks) => {
  const t = float16Table();
  for (let b = 0; b < blocks; b++) {
    const at = b * 210;
    const d = f16At(t, src, at + 208);
    const scales = at + 192;
    for (let half = 0; half < 2; half++) {
      const ql = at + half * 64;
      const qh = at + 128 + half * 32;
      const sc = scales + half * 8;
      const out = b * QK_K + half * 128;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = src[qh + l];
        const q1 = ((src[ql + l] & 0x0f) | ((h & 3) << 4)) - 32;
        const q2 = ((src[ql + l + 32] & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((src[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((src[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
        dst[out + l] = d * ((src[sc + is] << 24) >> 24) * q1;
        dst[out + l + 32] = d * ((src[sc + is + 2] << 24) >> 24) * q2;
        dst[out + l + 64] = d * ((src[sc + is + 4] << 24) >> 24) * q3;
        dst[out + l + 96] = d * ((src[sc + is + 6] << 24) >> 24) * q4;
      }
    }
  }
};

const DEQUANTIZERS: Record<GgmlTypeId, Dequantizer> = {
  [GgmlType.F32]: dequantF32,
  [GgmlType.F16]: dequantF16,
  [GgmlType.BF16]: dequantBF16,
  [GgmlType.Q8_0]: dequantQ8_0,
  [GgmlType.Q4_0]: dequantQ4_0,
  [GgmlType.Q4_1]: dequantQ4_1,
  [GgmlType.Q5_0]: dequantQ5_0,
  [GgmlType.Q5_1]: dequantQ5_1,
  [GgmlType.Q4_K]: dequantQ4_K,
  [GgmlType.Q5_K]: dequantQ5_K,
  [GgmlType.Q6_K]: dequantQ6_K,
};

/**
 * Decodes `count` values of `type` from `src` into `dst` (a new array when not given), starting
 * at `dstOffset`. `src` must hold exactly the bytes of whole blocks.
 */
export function dequantize(
  type: number,
  src: Uint8Array,
  count: number,
  dst: Float32Array = new Float32Array(count),
  dstOffset = 0,
): Float32Array {
  if (!isSupportedType(type)) throw new Error(`tensor type ${typeName(type)} cannot be read`);
  const g = geometry(type);
  if (count % g.blockSize !== 0) {
    throw new Error(`${count} values do not fill whole ${g.name} blocks of ${g.blockSize}`);
  }
  const blocks = count / g.blockSize;
  if (src.byteLength !== blocks * g.typeSize) {
    throw new Error(
      `${g.name}: ${count} values need ${blocks * g.typeSize} bytes, got ${src.byteLength}`,
    );
  }
  DEQUANTIZERS[type](src, dst.subarray(dstOffset, dstOffset + count), blocks);
  return dst;
}
