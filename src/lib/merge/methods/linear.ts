// linear: the weighted average of the fine-tunes, Σ wᵢ·θᵢ, divided by Σ wᵢ when normalising
// (the default). Reproduces mergekit's merge_methods/linear.py (LinearMergeTask): every tensor
// is averaged, the base only supplies the file's metadata and is not part of the average.
// Where mergekit divides by a zero sum (and writes inf/NaN), we refuse with a message.

import { MergeParameterError, type MergeMethod, type TensorMergeInput } from './types';

export function mergeLinear({
  tensorName,
  models,
  perModel,
  normalize,
}: TensorMergeInput): Float32Array {
  const n = models[0].length;
  const out = new Float32Array(n);
  let total = 0;
  models.forEach((values, j) => {
    const w = perModel[j].weight;
    total += w;
    for (let i = 0; i < n; i++) out[i] += w * values[i];
  });
  if (normalize) {
    if (total === 0) {
      throw new MergeParameterError(
        `linear: the weights for ${tensorName} sum to 0, so they cannot be normalised ` +
          '(give weights with a non-zero sum, or turn normalisation off)',
      );
    }
    for (let i = 0; i < n; i++) out[i] /= total;
  }
  return out;
}

export const linear: MergeMethod = {
  name: 'linear',
  summary: 'weighted average of the fine-tunes',
  merge: mergeLinear,
  normalizeByDefault: true,
  uses: ['weight', 'normalize'],
  models: { min: 1, max: Infinity },
};
