// ties: mergekit's `ties`: magnitude top-k of each task vector (k = ⌊density·n⌋), sign elected
// by the sum of the weighted kept entries, the agreeing entries averaged by their weights
// (normalisation on by default), then base + λ·that. See task-vectors.ts and sparsify.ts.

import { mergeTaskVectors } from './task-vectors';
import type { MergeMethod } from './types';

export const ties: MergeMethod = {
  name: 'ties',
  summary: 'trim each task vector to its largest entries, elect signs, average those that agree',
  merge: (input) => mergeTaskVectors(input, { sparsify: 'magnitude', consensus: true }),
  normalizeByDefault: true,
  uses: ['weight', 'density', 'lambda', 'normalize'],
  models: { min: 1, max: Infinity },
};
