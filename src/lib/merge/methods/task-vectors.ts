// The task-vector family, as mergekit's merge_methods/generalized_task_arithmetic.py
// (GTATask.execute, get_mask): δᵢ = θᵢ − θ_base; each δᵢ sparsified with its own density
// (none, magnitude top-k, or DARE's random drop); weighted, wᵢ·δᵢ, after sparsifying; then
//   without sign consensus: m = Σ wᵢ·δᵢ, divided (when normalising) by Σ wᵢ, or by 1 when
//     |Σ wᵢ| < 1e-8;
//   with sign consensus (TIES's election by sum): the elected sign of an element is + when
//     Σ wᵢ·δᵢ ≥ 0 and − otherwise; only entries whose weighted sign equals it count (zeros never
//     do); m = Σ of those, divided (when normalising) by the sum of their weights, or by 1 when
//     that is exactly 0;
// and the result is θ_base + λ·m. Differences from mergekit, on purpose: DARE rescales the kept
// entries by 1/density (the DARE paper, and mergekit before it moved to keeping the L1 norm),
// its draws come from a seeded generator per tensor and model, and a density that keeps no
// entry gives a zero task vector where mergekit stops with an assertion.

import { dropGenerator, pruneByMagnitude, pruneRandom } from './sparsify';
import type { TensorMergeInput } from './types';

export type Sparsifier = 'none' | 'magnitude' | 'random';

export function mergeTaskVectors(
  input: TensorMergeInput,
  options: { sparsify: Sparsifier; consensus: boolean },
): Float32Array {
  const { base, models, perModel, lambda, normalize, seed, tensorName } = input;
  const n = base.length;
  if (options.sparsify === 'none' && !options.consensus) return taskArithmetic(input);
  // The models' own arrays become their (sparsified) task vectors.
  const deltas = models.map((values, j) => {
    for (let i = 0; i < n; i++) values[i] -= base[i];
    const density = perModel[j].density;
    if (options.sparsify === 'magnitude') pruneByMagnitude(values, density);
    else if (options.sparsify === 'random') {
      pruneRandom(values, density, dropGenerator(seed, tensorName, j));
    }
    return values;
  });
  const weights = perModel.map((p) => p.weight);
  const out = new Float32Array(n);
  if (!options.consensus) {
    const divisor = sumDivisor(weights, normalize);
    for (let i = 0; i < n; i++) {
      let mixed = 0;
      for (let j = 0; j < deltas.length; j++) mixed += weights[j] * deltas[j][i];
      out[i] = base[i] + lambda * (mixed / divisor);
    }
    return out;
  }
  const m = deltas.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < m; j++) sum += weights[j] * deltas[j][i];
    // The elected sign is + where the sum is ≥ 0; an entry counts when its weighted value has
    // that sign (zeros never do).
    const positive = sum >= 0;
    let mixed = 0;
    let divisor = 0;
    for (let j = 0; j < m; j++) {
      const w = weights[j];
      const wd = w * deltas[j][i];
      if (positive ? wd > 0 : wd < 0) {
        mixed += wd;
        divisor += w;
      }
    }
    out[i] = base[i] + lambda * (normalize && divisor !== 0 ? mixed / divisor : mixed);
  }
  return out;
}

/** Plain task arithmetic: each δᵢ formed (in float32, as stored) while it is mixed, one pass. */
function taskArithmetic({
  base,
  models,
  perModel,
  lambda,
  normalize,
}: TensorMergeInput): Float32Array {
  const weights = perModel.map((p) => p.weight);
  const divisor = sumDivisor(weights, normalize);
  const out = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const b = base[i];
    let mixed = 0;
    for (let j = 0; j < models.length; j++) mixed += weights[j] * Math.fround(models[j][i] - b);
    out[i] = b + lambda * (mixed / divisor);
  }
  return out;
}

/** Without sign consensus the mix is divided by Σ wᵢ when normalising (by 1 if |Σ wᵢ| < 1e-8). */
function sumDivisor(weights: readonly number[], normalize: boolean): number {
  const total = weights.reduce((a, b) => a + b, 0);
  return normalize && Math.abs(total) >= 1e-8 ? total : 1;
}
