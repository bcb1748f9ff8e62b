// What every merge method sees: one tensor at a time, as float32, with the parameters already
// resolved for this tensor (per model, interpolated over its layer; see ../params.ts).

export interface ModelTensorParams {
  weight: number;
  /** Fraction of the task vector kept (TIES, DARE); 1 keeps everything. */
  density: number;
}

export interface TensorMergeInput {
  tensorName: string;
  /** The base model's values (task-vector methods, SLERP's t = 0 end). */
  base: Float32Array;
  /** The fine-tunes' values, same length as base. Methods may use these arrays as scratch. */
  models: readonly Float32Array[];
  perModel: readonly ModelTensorParams[];
  /** Scale of the merged task vector (task-vector methods). */
  lambda: number;
  /** Divide by the weights (that contributed); each method's default is its registry entry's. */
  normalize: boolean;
  /** SLERP's interpolation factor: 0 is the base, 1 the other model. */
  t: number;
  /** DARE's seed. */
  seed: number;
}

export type TensorMerge = (input: TensorMergeInput) => Float32Array;

export interface MergeMethod {
  name: MergeMethodName;
  /** One line for the UI and the CLI's help. */
  summary: string;
  merge: TensorMerge;
  /** Whether `normalize` is on unless the recipe says otherwise (as mergekit's registry). */
  normalizeByDefault: boolean;
  /** Which parameters the method reads, so the UI shows only those. */
  uses: ReadonlyArray<'weight' | 'density' | 'lambda' | 't' | 'seed' | 'normalize'>;
  /** Fine-tunes it takes besides the base (SLERP: exactly one). */
  models: { min: number; max: number };
}

export const MERGE_METHOD_NAMES = [
  'linear',
  'task-arithmetic',
  'ties',
  'dare-linear',
  'dare-ties',
  'slerp',
] as const;
export type MergeMethodName = (typeof MERGE_METHOD_NAMES)[number];

export class MergeParameterError extends Error {
  override name = 'MergeParameterError';
}
