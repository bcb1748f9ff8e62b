// slerp: spherical interpolation between the base (t = 0) and one fine-tune (t = 1), per tensor,
// as mergekit's merge_methods/slerp.py: the angle comes from the two tensors normalised by their
// (flattened) norms, each normalised only when its norm exceeds 1e-8; when |cos θ| > 0.9995 the
// tensors are near-parallel and plain linear interpolation is used; otherwise
// sin((1−t)θ)/sin θ · v0 + sin(tθ)/sin θ · v1 on the original, unnormalised tensors.

import type { MergeMethod, TensorMergeInput } from './types';

export const DOT_THRESHOLD = 0.9995;
const NORM_EPS = 1e-8;

export function mergeSlerp({ base: v0, models, t }: TensorMergeInput): Float32Array {
  const v1 = models[0];
  const n = v0.length;
  let n0 = 0;
  let n1 = 0;
  let dot = 0;
  for (let i = 0; i < n; i++) {
    n0 += v0[i] * v0[i];
    n1 += v1[i] * v1[i];
    dot += v0[i] * v1[i];
  }
  n0 = Math.sqrt(n0);
  n1 = Math.sqrt(n1);
  const cos = dot / (n0 > NORM_EPS ? n0 : 1) / (n1 > NORM_EPS ? n1 : 1);
  const out = new Float32Array(n);
  let a: number;
  let b: number;
  if (Math.abs(cos) > DOT_THRESHOLD) {
    a = 1 - t;
    b = t;
  } else {
    const theta = Math.acos(cos);
    const sin = Math.sin(theta);
    a = Math.sin((1 - t) * theta) / sin;
    b = Math.sin(t * theta) / sin;
  }
  for (let i = 0; i < n; i++) out[i] = a * v0[i] + b * v1[i];
  return out;
}

export const slerp: MergeMethod = {
  name: 'slerp',
  summary: 'spherical interpolation between the base (t = 0) and one fine-tune (t = 1)',
  merge: mergeSlerp,
  normalizeByDefault: false,
  uses: ['t'],
  models: { min: 1, max: 1 },
};
