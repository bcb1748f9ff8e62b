import { describe, expect, it } from 'vitest';
import { dequantize } from '../../src/lib/merge/dequantize';
import { GgmlType } from '../../src/lib/merge/ggml-types';
import { quantize } from '../../src/lib/merge/quantize';
import { readGgufModel, readTensorValues } from '../../src/lib/merge/gguf-model';
import { GgufStreamWriter, memorySink, planGgufFile } from '../../src/lib/merge/gguf-writer';
import { blobSource, urlSource } from '../../src/lib/merge/source';
import { mulberry32 } from '../../src/lib/random';
import { buildTinyModel, DEFAULT_TINY_MODEL_OPTIONS } from '../../scripts/tiny-model/model';

// f16 bits: 1.0 = 0x3c00, 0.5 = 0x3800, 0.25 = 0x3400, 2.0 = 0x4000, −1.0 = 0xbc00.
function block(size: number, fields: Array<[at: number, bytes: number[]]>): Uint8Array {
  const b = new Uint8Array(size);
  for (const [at, bytes] of fields) b.set(bytes, at);
  return b;
}

describe('dequantize, blocks built by hand', () => {
  it('F16, BF16 and F32', () => {
    expect(Array.from(dequantize(GgmlType.F16, block(2, [[0, [0x00, 0xc0]]]), 1))).toEqual([-2]);
    expect(Array.from(dequantize(GgmlType.BF16, block(2, [[0, [0x80, 0x3f]]]), 1))).toEqual([1]);
    expect(
      Array.from(dequantize(GgmlType.F32, new Uint8Array(Float32Array.of(1.5).buffer), 1)),
    ).toEqual([1.5]);
  });
  it('Q8_0: d · int8', () => {
    // d 0.25, qs[3] = 0xfc = −4 → −1
    const y = dequantize(
      GgmlType.Q8_0,
      block(34, [
        [0, [0x00, 0x34]],
        [2 + 3, [0xfc]],
      ]),
      32,
    );
    expect(y[3]).toBe(-1);
    expect(y[0]).toBe(0);
  });
  it('Q4_0: low nibble is value j, high nibble value j + 16', () => {
    // d 0.5, qs[0] = 0x9a: (10 − 8)·0.5 = 1 at 0, (9 − 8)·0.5 = 0.5 at 16; other nibbles 0 → −4
    const y = dequantize(
      GgmlType.Q4_0,
      block(18, [
        [0, [0x00, 0x38]],
        [2, [0x9a]],
      ]),
      32,
    );
    expect([y[0], y[16], y[1]]).toEqual([1, 0.5, -4]);
  });
  it('Q4_1: d · q + m', () => {
    // d 2, m −1, qs[0] = 0x31: 2·1 − 1 = 1 at 0, 2·3 − 1 = 5 at 16
    const y = dequantize(
      GgmlType.Q4_1,
      block(20, [
        [0, [0x00, 0x40, 0x00, 0xbc]],
        [4, [0x31]],
      ]),
      32,
    );
    expect([y[0], y[16], y[1]]).toEqual([1, 5, -1]);
  });
  it('Q5_0 and Q5_1 take value j’s fifth bit from bit j of qh', () => {
    // qh bits 0 and 16 set; qs[0] = 0x21: value 0 = (1|16) − 16 = 1, value 16 = (2|16) − 16 = 2,
    // value 1 = 0 − 16 = −16
    const qh = [0x01, 0x00, 0x01, 0x00];
    const y0 = dequantize(
      GgmlType.Q5_0,
      block(22, [
        [0, [0x00, 0x3c]],
        [2, qh],
        [6, [0x21]],
      ]),
      32,
    );
    expect([y0[0], y0[16], y0[1]]).toEqual([1, 2, -16]);
    // Q5_1 with d 1, m 0.5: 17.5, 18.5, 0.5
    const y1 = dequantize(
      GgmlType.Q5_1,
      block(24, [
        [0, [0x00, 0x3c, 0x00, 0x38]],
        [4, qh],
        [8, [0x21]],
      ]),
      32,
    );
    expect([y1[0], y1[16], y1[1]]).toEqual([17.5, 18.5, 0.5]);
  });
  it('Q4_K: 6-bit scales and mins, sub-blocks 4..7 from the packed high bits', () => {
    // d 1, dmin 0.5; byte 0 = 3 | 1<<6 (sc0 = 3, top bits of sc4 = 1); byte 4 = 2 (m0 = 2);
    // byte 8 = 0x21 (sc4 low = 1, m4 low = 2) → sc4 = 1 | 1<<4 = 17, m4 = 2.
    // qs[0] = 0x07: value 0 = 1·3·7 − 0.5·2 = 20; value 32 (high nibble, sub-block 1: 0) = 0.
    // qs[64] = 0x01: value 128 (sub-block 4) = 17·1 − 0.5·2 = 16.
    const b = block(144, [
      [0, [0x00, 0x3c, 0x00, 0x38]],
      [4, [3 | 64]],
      [8, [2]],
      [12, [0x21]],
      [16, [0x07]],
      [16 + 64, [0x01]],
    ]);
    const y = dequantize(GgmlType.Q4_K, b, 256);
    expect([y[0], y[32], y[128], y[129]]).toEqual([20, 0, 16, -1]);
  });
  it('Q5_K: the fifth bit of sub-block s is bit s of qh[l]', () => {
    // As Q4_K without mins: d 1, sc0 = 1, sc1 = 1 (byte 1); qh[0] = 0b10 → sub-block 1 value 32 gets +16.
    // qs[0] = 0x35: value 0 = 5, value 32 = 3 + 16 = 19.
    const b = block(176, [
      [0, [0x00, 0x3c, 0x00, 0x00]],
      [4, [1, 1]],
      [16, [0b10]],
      [48, [0x35]],
    ]);
    const y = dequantize(GgmlType.Q5_K, b, 256);
    expect([y[0], y[32]]).toEqual([5, 19]);
  });
  it('Q6_K: d last, signed scales, q − 32', () => {
    // d 1 (bytes 208..209), scales[0] = 2; ql[0] = 0x05, qh[0] = 0b10 → q = (5 | 2<<4) − 32 = 5 → 10.
    // values 1..15 share scales[0] with q = −32 → −64; value 16 uses scales[1] = 0.
    const b = block(210, [
      [0, [0x05]],
      [128, [0b10]],
      [192, [2]],
      [208, [0x00, 0x3c]],
    ]);
    const y = dequantize(GgmlType.Q6_K, b, 256);
    expect([y[0], y[1], y[16]]).toEqual([10, -64, -0]);
  });
  it('names a type it cannot read', () => {
    expect(() => dequantize(10, new Uint8Array(84), 256)).toThrow(/Q2_K cannot be read/);
  });
});

describe('quantize then dequantize', () => {
  const rng = mulberry32(3);
  const x = Float32Array.from({ length: 512 }, () => (rng() - 0.5) * 2);
  const maxErr = (type: 'q8_0' | 'q4_0' | 'q4_k', id: number) => {
    const y = dequantize(id, quantize(type, x), x.length);
    return Math.max(...x.map((v, i) => Math.abs(v - y[i])));
  };
  it('Q8_0 within half a step (amax/127/2, plus f16 rounding of d)', () => {
    expect(maxErr('q8_0', GgmlType.Q8_0)).toBeLessThan(1 / 127 / 2 + 1e-3);
  });
  it('Q4_0 within one step of amax/8 (the end opposite the largest value is clamped at 15)', () => {
    expect(maxErr('q4_0', GgmlType.Q4_0)).toBeLessThan(1 / 8 + 1e-2);
  });
  it('Q4_K within a step of (max − min)/15 per 32 values', () => {
    expect(maxErr('q4_k', GgmlType.Q4_K)).toBeLessThan(2 / 15);
  });
  it('Q8_0 as ggml: 127 at the largest magnitude, roundf halves away from zero', () => {
    const v = new Float32Array(32);
    v[0] = 1.27;
    v[1] = -0.005; // −0.005 / 0.01 = −0.5 → −1
    const q = quantize('q8_0', v);
    expect((q[2] << 24) >> 24).toBe(127);
    expect((q[3] << 24) >> 24).toBe(-1);
  });
});

describe('the bulk F16 and Q8_0 loops, value by value', () => {
  it('F16 of a whole tensor rounds half to even, carries into the exponent and to infinity', () => {
    const halves = (values: number[]) =>
      Array.from(new Uint16Array(quantize('f16', Float32Array.from(values)).buffer));
    // binary16 keeps 10 fraction bits: 1 + 2^-11 is half a step above 1.
    expect(
      halves([
        1 + 2 ** -11, // a tie on an even half (0x3c00): stays
        1 + 3 * 2 ** -11, // a tie on an odd half (0x3c01): up to 0x3c02
        1 + 2 ** -11 + 2 ** -20, // just above the tie: up to 0x3c01
        -(1 + 3 * 2 ** -11), // the sign bit with the same rounding: 0x8000 | 0x3c02
        2 - 2 ** -11, // 0x3bff (1.9990234375) + half a step, a tie on an odd half: carries into the exponent, 2.0 = 0x4000
        65520, // halfway between 65504 (0x7bff, odd) and 65536: up, to infinity 0x7c00
        2 ** -25, // half the smallest subnormal, a tie on 0: stays 0
        3 * 2 ** -25, // 1.5 × the smallest subnormal: a tie on an odd half, up to 2 = 0x0002
      ]),
    ).toEqual([0x3c00, 0x3c02, 0x3c01, 0xbc02, 0x4000, 0x7c00, 0x0000, 0x0002]);
  });

  it('F16 read from bytes at an odd offset (no 16-bit view) gives the same values', () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38]);
    // 0x3c00 = 1, 0xc000 = −2, 0x3800 = 0.5
    expect(Array.from(dequantize(GgmlType.F16, bytes.subarray(1), 3))).toEqual([1, -2, 0.5]);
  });

  it('Q8_0 rounds x/d half away from zero on both signs', () => {
    // amax 127 gives d = 1 and 1/d = 1, so q = roundf(x): 2.5 → 3, −2.5 → −3, 0.5 → 1,
    // −0.5 → −1, 0.49 → 0, −126.5 → −127.
    const v = new Float32Array(32);
    v.set([127, 2.5, -2.5, 0.5, -0.5, 0.49, -126.5]);
    const q = new Int8Array(quantize('q8_0', v).buffer);
    expect(Array.from(q.subarray(0, 2))).toEqual([0x00, 0x3c]); // d = 1.0 as f16
    expect(Array.from(q.subarray(2, 9))).toEqual([127, 3, -3, 1, -1, 0, -127]);
  });
});

describe('GGUF read and write', () => {
  const tiny = buildTinyModel({ ...DEFAULT_TINY_MODEL_OPTIONS });
  it('reads a file by ranges and writes it back byte for byte', async () => {
    const model = await readGgufModel(
      blobSource(new Blob([tiny.bytes as Uint8Array<ArrayBuffer>]), 'tiny.gguf'),
    );
    expect(model.architecture).toBe('llama');
    expect(model.blockCount).toBe(2);
    expect(model.tensors).toHaveLength(21);
    const plan = planGgufFile(
      model.metadata as never,
      model.tensors.map((t) => ({ name: t.name, shape: t.shape, type: 'f32' as const })),
    );
    const sink = memorySink();
    const writer = new GgufStreamWriter(sink, plan);
    await writer.writeHeader();
    for (const t of model.tensors)
      await writer.writeTensor(t.name, quantize('f32', await readTensorValues(model, t)));
    await writer.finish();
    expect(Buffer.compare(Buffer.from(sink.bytes()), Buffer.from(tiny.bytes))).toBe(0);
    expect(plan.totalBytes).toBe(tiny.bytes.length);
  });
  it('writes tensors only in header order and of the declared size', async () => {
    const plan = planGgufFile({}, [{ name: 'a', shape: [32], type: 'q8_0' }]);
    const writer = new GgufStreamWriter(memorySink(), plan);
    await writer.writeHeader();
    await expect(writer.writeTensor('b', new Uint8Array(34))).rejects.toThrow(/out of order/);
    await expect(writer.writeTensor('a', new Uint8Array(33))).rejects.toThrow(/header says 34/);
  });
  it('refuses a truncated file and a server without range requests', async () => {
    await expect(
      readGgufModel(
        blobSource(
          new Blob([tiny.bytes.subarray(0, 20000) as Uint8Array<ArrayBuffer>]),
          'cut.gguf',
        ),
      ),
    ).rejects.toThrow(/truncated/);
    const whole: typeof fetch = async () =>
      new Response(tiny.bytes as Uint8Array<ArrayBuffer>, { status: 200 });
    await expect(
      readGgufModel(urlSource('http://127.0.0.1/m.gguf', { fetch: whole })),
    ).rejects.toThrow(/range requests/);
  });
});
