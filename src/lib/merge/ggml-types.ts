// ggml tensor types: ids as stored in GGUF tensor infos, and block geometry (elements per block,
// bytes per block) as in ggml's type traits (ggml/src/ggml.c). Only the types we read or write
// are listed; any other id is named in the error that refuses it.

export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  BF16: 30,
} as const;

export type GgmlTypeId = (typeof GgmlType)[keyof typeof GgmlType];

export interface BlockGeometry {
  name: string;
  /** Elements per block. */
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
}

/** K-quants work on super-blocks of 256 values. */
export const QK_K = 256;

const GEOMETRY: Record<GgmlTypeId, BlockGeometry> = {
  [GgmlType.F32]: { name: 'F32', blockSize: 1, typeSize: 4 },
  [GgmlType.F16]: { name: 'F16', blockSize: 1, typeSize: 2 },
  [GgmlType.BF16]: { name: 'BF16', blockSize: 1, typeSize: 2 },
  // d (f16) + 32 int8
  [GgmlType.Q8_0]: { name: 'Q8_0', blockSize: 32, typeSize: 34 },
  // d (f16) + 16 bytes of nibbles
  [GgmlType.Q4_0]: { name: 'Q4_0', blockSize: 32, typeSize: 18 },
  // d, m (f16) + 16 bytes of nibbles
  [GgmlType.Q4_1]: { name: 'Q4_1', blockSize: 32, typeSize: 20 },
  // d (f16) + qh (4 bytes of fifth bits) + 16 bytes of nibbles
  [GgmlType.Q5_0]: { name: 'Q5_0', blockSize: 32, typeSize: 22 },
  // d, m (f16) + qh + nibbles
  [GgmlType.Q5_1]: { name: 'Q5_1', blockSize: 32, typeSize: 24 },
  // d, dmin (f16) + 12 bytes of 6-bit scales and mins + 128 bytes of nibbles
  [GgmlType.Q4_K]: { name: 'Q4_K', blockSize: QK_K, typeSize: 144 },
  // as Q4_K + 32 bytes of fifth bits
  [GgmlType.Q5_K]: { name: 'Q5_K', blockSize: QK_K, typeSize: 176 },
  // 128 bytes low nibbles + 64 bytes high 2-bit pairs + 16 int8 scales + d (f16)
  [GgmlType.Q6_K]: { name: 'Q6_K', blockSize: QK_K, typeSize: 210 },
};

/** ggml's names for type ids we do not read, so a refusal names the type. */
const OTHER_TYPE_NAMES: Record<number, string> = {
  4: 'Q4_2 (removed)',
  5: 'Q4_3 (removed)',
  9: 'Q8_1',
  10: 'Q2_K',
  11: 'Q3_K',
  15: 'Q8_K',
  16: 'IQ2_XXS',
  17: 'IQ2_XS',
  18: 'IQ3_XXS',
  19: 'IQ1_S',
  20: 'IQ4_NL',
  21: 'IQ3_S',
  22: 'IQ2_S',
  23: 'IQ4_XS',
  24: 'I8',
  25: 'I16',
  26: 'I32',
  27: 'I64',
  28: 'F64',
  29: 'IQ1_M',
  34: 'TQ1_0',
  35: 'TQ2_0',
  39: 'MXFP4',
};

export function isSupportedType(type: number): type is GgmlTypeId {
  return Object.prototype.hasOwnProperty.call(GEOMETRY, type);
}

export function typeName(type: number): string {
  return isSupportedType(type)
    ? GEOMETRY[type].name
    : (OTHER_TYPE_NAMES[type] ?? `unknown type ${type}`);
}

export function geometry(type: GgmlTypeId): BlockGeometry {
  return GEOMETRY[type];
}

/** Byte size of `count` elements of `type`; the count must fill whole blocks. */
export function tensorByteSize(type: GgmlTypeId, count: number): number {
  const g = GEOMETRY[type];
  if (count % g.blockSize !== 0) {
    throw new Error(`${count} values do not fill whole ${g.name} blocks of ${g.blockSize}`);
  }
  return (count / g.blockSize) * g.typeSize;
}

/** Output types the merge writes (the user's choice); Q8_0 is the default. */
export const MERGE_OUTPUT_TYPES = ['f32', 'f16', 'q8_0'] as const;
export type MergeOutputType = (typeof MERGE_OUTPUT_TYPES)[number];

/** Types the writer can encode (the tiny-model tool also writes Q4_0 and Q4_K copies). */
export const WRITABLE_TYPES = ['f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_k'] as const;
export type WritableType = (typeof WRITABLE_TYPES)[number];

export const WRITABLE_TYPE_IDS: Record<WritableType, GgmlTypeId> = {
  f32: GgmlType.F32,
  f16: GgmlType.F16,
  bf16: GgmlType.BF16,
  q8_0: GgmlType.Q8_0,
  q4_0: GgmlType.Q4_0,
  q4_k: GgmlType.Q4_K,
};

/**
 * llama_ftype written as `general.file_type` for a file whose matrices are of this type
 * (llama.h: ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q4_0 2, MOSTLY_Q8_0 7, MOSTLY_Q4_K_M 15, MOSTLY_BF16 32).
 */
export const FILE_TYPE_OF: Record<WritableType, number> = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q8_0: 7,
  q4_k: 15,
  bf16: 32,
};
