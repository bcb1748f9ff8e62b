// 16-bit floats: IEEE binary16 (ggml F16, every block scale) and bfloat16 (ggml BF16).
// Node 20 has no Math.f16round and no Float16Array, so both conversions are written here.

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);
// Bit patterns as int32: V8 keeps those unboxed (a uint32 past 2³⁰ becomes a heap number).
const i32Scratch = new Int32Array(f32Scratch.buffer);

/** IEEE 754 binary32 -> binary16 bits, round half to even. */
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  return float16BitsOfFloat32Bits(i32Scratch[0]);
}

/**
 * The same from the binary32's bit pattern as an int32: tight loops read an Int32Array view of
 * their Float32Array and skip the scratch round trip.
 */
export function float16BitsOfFloat32Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the 24-bit significand into place and round.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity). Rounding up when
  // the dropped 13 bits exceed half, or equal it on an odd half, is the carry out of
  // rem + 0xfff + (half & 1): no branch to mispredict on random mantissas.
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  return sign | (half + ((rem + 0xfff + (half & 1)) >> 13));
}

/** A table of all 65,536 binary16 values: dequantizing reads one per element or block. */
let f16Table: Float32Array | undefined;

function buildF16Table(): Float32Array {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exp = (bits >>> 10) & 0x1f;
    const mant = bits & 0x3ff;
    table[bits] =
      exp === 0
        ? sign * mant * 2 ** -24
        : exp === 0x1f
          ? mant === 0
            ? sign * Infinity
            : NaN
          : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return table;
}

/** binary16 bits -> number. */
export function float16BitsToFloat32(bits: number): number {
  f16Table ??= buildF16Table();
  return f16Table[bits & 0xffff];
}

/** The binary16 lookup table itself, for tight loops. */
export function float16Table(): Float32Array {
  f16Table ??= buildF16Table();
  return f16Table;
}

/** Rounds a number through binary16, as a stored block scale is. */
export function roundToFloat16(value: number): number {
  return float16BitsToFloat32(float32ToFloat16Bits(value));
}

/** bfloat16 bits -> number: the upper half of a binary32. */
export function bfloat16BitsToFloat32(bits: number): number {
  u32Scratch[0] = (bits & 0xffff) << 16;
  return f32Scratch[0];
}

/** binary32 -> bfloat16 bits, round half to even; NaN stays a quiet NaN (as ggml does). */
export function float32ToBfloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 64) & 0xffff;
  return ((x + (0x7fff + ((x >>> 16) & 1))) >>> 16) & 0xffff;
}
