// dare-linear and dare-ties: mergekit's `dare_linear` and `dare_ties`: each task vector's entries
// kept with probability `density` (seeded, per tensor and model) and rescaled by 1/density, then
// task arithmetic (dare-linear) or TIES's sign election (dare-ties); normalisation off by
// default for both. See task-vectors.ts for where this differs from mergekit.

import { mergeTaskVectors } from './task-vectors';
import type { MergeMethod } from './types';

export const dareLinear: MergeMethod = {
  name: 'dare-linear',
  summary: 'drop task-vector entries at random, rescale the rest, add them up',
  merge: (input) => mergeTaskVectors(input, { sparsify: 'random', consensus: false }),
  normalizeByDefault: false,
  uses: ['weight', 'density', 'lambda', 'seed', 'normalize'],
  models: { min: 1, max: Infinity },
};

export const dareTies: MergeMethod = {
  name: 'dare-ties',
  summary: 'drop task-vector entries at random, rescale the rest, elect signs as TIES',
  merge: (input) => mergeTaskVectors(input, { sparsify: 'random', consensus: true }),
  normalizeByDefault: false,
  uses: ['weight', 'density', 'lambda', 'seed', 'normalize'],
  models: { min: 1, max: Infinity },
};
