// task-arithmetic: θ_base + λ·Σ wᵢ·(θᵢ − θ_base), as mergekit's `task_arithmetic` (no
// sparsification, no sign consensus, normalisation off by default). See task-vectors.ts.

import { mergeTaskVectors } from './task-vectors';
import type { MergeMethod } from './types';

export const taskArithmetic: MergeMethod = {
  name: 'task-arithmetic',
  summary: 'base + λ · weighted sum of the task vectors',
  merge: (input) => mergeTaskVectors(input, { sparsify: 'none', consensus: false }),
  normalizeByDefault: false,
  uses: ['weight', 'lambda', 'normalize'],
  models: { min: 1, max: Infinity },
};
