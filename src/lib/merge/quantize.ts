// float32 values -> tensor bytes of a writable type. F32/F16/BF16 are conversions; Q8_0 and Q4_0
// follow ggml's reference quantizers (quantize_row_q8_0_ref, quantize_row_q4_0_ref) in float32
// arithmetic, so they give ggml's bytes. Q4_K is a simple valid encoder (one min/max scale per
// 32 values, 6-bit scales against the super-block's largest), not ggml's iterative search: it
// makes test copies for the reader and llama.cpp; merges write F32, F16 or Q8_0.

import {
  float16BitsOfFloat32Bits,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  roundToFloat16,
} from './half';
import { QK_K, tensorByteSize, WRITABLE_TYPE_IDS, type WritableType } from './ggml-types';

const fround = Math.fround;

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

function encodeF32(x: Float32Array, out: Uint8Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < x.length; i++) view.setFloat32(i * 4, x[i], true);
}

function encodeF16(x: Float32Array, out: Uint8Array): void {
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  if (LITTLE_ENDIAN && out.byteOffset % 2 === 0) {
    const halves = new Uint16Array(out.buffer, out.byteOffset, x.length);
    for (let i = 0; i < bits.length; i++) halves[i] = float16BitsOfFloat32Bits(bits[i]);
    return;
  }
  for (let i = 0; i < bits.length; i++) {
    const h = float16BitsOfFloat32Bits(bits[i]);
    out[i * 2] = h & 0xff;
    out[i * 2 + 1] = h >> 8;
  }
}

function encodeBF16(x: Float32Array, out: Uint8Array): void {
  for (let i = 0; i < x.length; i++) {
    const h = float32ToBfloat16Bits(x[i]);
    out[i * 2] = h & 0xff;
    out[i * 2 + 1] = h >> 8;
  }
}

function putF16(out: Uint8Array, at: number, value: number): void {
  const h = float32ToFloat16Bits(value);
  out[at] = h & 0xff;
  out[at + 1] = h >> 8;
}

// d = amax / 127, q = roundf(x / d) (as x * (1/d) in float32). roundf of a float32 v is
// trunc(v ± 0.5) here: |v| ≤ 128, so v ± 0.5 is exact in a double and no half is lost.
function encodeQ8_0(x: Float32Array, out: Uint8Array): void {
  const quants = new Int8Array(out.buffer, out.byteOffset, out.byteLength);
  const blocks = x.length / 32;
  for (let b = 0; b < blocks; b++) {
    const from = b * 32;
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[from + j]));
    const d = fround(amax / 127);
    const id = d !== 0 ? fround(1 / d) : 0;
    const at = b * 34;
    putF16(out, at, d);
    for (let j = 0; j < 32; j++) {
      const v = fround(x[from + j] * id);
      quants[at + 2 + j] = Math.trunc(v < 0 ? v - 0.5 : v + 0.5);
    }
  }
}

// The value of largest magnitude (sign kept) maps to -8: d = max / -8, q = min(15, trunc(x/d + 8.5)).
function encodeQ4_0(x: Float32Array, out: Uint8Array): void {
  for (let b = 0; b < x.length / 32; b++) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 32; j++) {
      const v = x[b * 32 + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fround(max / -8);
    const id = d !== 0 ? fround(1 / d) : 0;
    const at = b * 18;
    putF16(out, at, d);
    for (let j = 0; j < 16; j++) {
      const q0 = Math.min(15, Math.trunc(fround(fround(x[b * 32 + j] * id) + 8.5)));
      const q1 = Math.min(15, Math.trunc(fround(fround(x[b * 32 + 16 + j] * id) + 8.5)));
      out[at + 2 + j] = q0 | (q1 << 4);
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

// Q4_K: x ≈ d·scale·q − dmin·min with 6-bit scale and min per 32 values, q in 0..15.
function encodeQ4_K(x: Float32Array, out: Uint8Array): void {
  const scales = new Float64Array(8);
  const mins = new Float64Array(8);
  const ls = new Uint8Array(8);
  const lm = new Uint8Array(8);
  for (let b = 0; b < x.length / QK_K; b++) {
    const base = b * QK_K;
    for (let s = 0; s < 8; s++) {
      let lo = 0;
      let hi = -Infinity;
      for (let l = 0; l < 32; l++) {
        const v = x[base + s * 32 + l];
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      scales[s] = Math.max(0, (hi - lo) / 15);
      mins[s] = -lo;
    }
    const maxScale = Math.max(...scales);
    const maxMin = Math.max(...mins);
    const d = roundToFloat16(maxScale / 63);
    const dmin = roundToFloat16(maxMin / 63);
    for (let s = 0; s < 8; s++) {
      ls[s] = d > 0 ? clamp(Math.round(scales[s] / d), 0, 63) : 0;
      lm[s] = dmin > 0 ? clamp(Math.round(mins[s] / dmin), 0, 63) : 0;
    }
    const at = b * 144;
    putF16(out, at, d);
    putF16(out, at + 2, dmin);
    for (let j = 0; j < 4; j++) {
      out[at + 4 + j] = ls[j] | ((ls[j + 4] >> 4) << 6);
      out[at + 8 + j] = lm[j] | ((lm[j + 4] >> 4) << 6);
      out[at + 12 + j] = (ls[j + 4] & 0x0f) | ((lm[j + 4] & 0x0f) << 4);
    }
    const quant = (s: number, l: number): number => {
      const step = d * ls[s];
      if (step === 0) return 0;
      return clamp(Math.round((x[base + s * 32 + l] + dmin * lm[s]) / step), 0, 15);
    };
    for (let pair = 0; pair < 4; pair++) {
      for (let l = 0; l < 32; l++) {
        out[at + 16 + pair * 32 + l] = quant(2 * pair, l) | (quant(2 * pair + 1, l) << 4);
      }
    }
  }
}

const ENCODERS: Record<WritableType, (x: Float32Array, out: Uint8Array) => void> = {
  f32: encodeF32,
  f16: encodeF16,
  bf16: encodeBF16,
  q8_0: encodeQ8_0,
  q4_0: encodeQ4_0,
  q4_k: encodeQ4_K,
};

/** Encodes values as `type`; their count must fill whole blocks. */
export function quantize(type: WritableType, values: Float32Array): Uint8Array {
  const out = new Uint8Array(tensorByteSize(WRITABLE_TYPE_IDS[type], values.length));
  ENCODERS[type](values, out);
  return out;
}
