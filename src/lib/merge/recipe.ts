// A merge recipe: the method, its parameters (per model, and per layer as a list), the output
// type. Lists over layers are interpolated as mergekit's gradients (config.py evaluate_setting,
// plan.py plan_slice): layer i of n reads the list at t = i/(n−1) (t = 1 for a single layer),
// linearly between neighbouring points; tensors outside the layers (embeddings, final norm,
// output) read t = 0, the list's first value.

import type { MergeOutputType } from './ggml-types';
import { MERGE_METHODS } from './methods/registry';
import { MergeParameterError, type MergeMethodName } from './methods/types';

export type LayerValue = number | readonly number[];

export interface RecipeModel {
  /** File name or URL, as the user gave it. */
  source: string;
  weight: LayerValue;
  density: LayerValue;
}

export interface MergeRecipe {
  method: MergeMethodName;
  base: string;
  models: RecipeModel[];
  lambda: LayerValue;
  t: LayerValue;
  /** Absent: the method's default (mergekit's registry). */
  normalize?: boolean;
  /**
   * Values for the tensors outside the layers (embeddings, final norm, output), instead of each
   * list's first value (mergekit's rule). `weights` and `densities` are per model. Used by the
   * Hi-Merging search, whose per-layer changes must not reach the embeddings.
   */
  outside?: { lambda?: number; weights?: number[]; densities?: number[] };
  seed: number;
  outType: MergeOutputType;
}

/** The gradient position of a tensor's layer (undefined: outside the layers). */
export function layerFraction(layer: number | undefined, layerCount: number): number {
  if (layer === undefined) return 0;
  if (layerCount <= 1) return 1;
  return layer / (layerCount - 1);
}

export function valueAt(value: LayerValue, fraction: number): number {
  if (typeof value === 'number') return value;
  if (value.length === 1) return value[0];
  const s = fraction * (value.length - 1);
  // A list with one value per layer gives each layer its own value exactly.
  const nearest = Math.round(s);
  if (Math.abs(s - nearest) < 1e-9) return value[nearest];
  const i0 = Math.floor(s);
  const i1 = Math.min(value.length - 1, i0 + 1);
  const f = s - i0;
  return (1 - f) * value[i0] + f * value[i1];
}

/** Every problem with a recipe, in words; empty when it can run. */
export function recipeProblems(recipe: MergeRecipe): string[] {
  const problems: string[] = [];
  const method = MERGE_METHODS[recipe.method];
  if (method === undefined) return [`unknown merge method ${String(recipe.method)}`];
  const n = recipe.models.length;
  if (n < method.models.min || n > method.models.max) {
    problems.push(
      method.models.min === method.models.max
        ? `${recipe.method} takes exactly ${method.models.min} fine-tune besides the base, got ${n}`
        : `${recipe.method} needs at least ${method.models.min} fine-tune, got ${n}`,
    );
  }
  const check = (label: string, v: LayerValue, lo: number, hi: number) => {
    const values = typeof v === 'number' ? [v] : [...v];
    if (values.length === 0) problems.push(`${label}: an empty list`);
    for (const x of values) {
      if (!Number.isFinite(x) || x < lo || x > hi) {
        problems.push(`${label} must be a number in [${lo}, ${hi}], got ${x}`);
        break;
      }
    }
  };
  recipe.models.forEach((m, i) => {
    check(`weight of model ${i + 1}`, m.weight, -Infinity, Infinity);
    check(`density of model ${i + 1}`, m.density, 0, 1);
  });
  check('lambda', recipe.lambda, -Infinity, Infinity);
  if (recipe.outside) {
    const o = recipe.outside;
    if (o.lambda !== undefined) check('lambda outside the layers', o.lambda, -Infinity, Infinity);
    for (const [label, list, lo, hi] of [
      ['weights', o.weights, -Infinity, Infinity],
      ['densities', o.densities, 0, 1],
    ] as const) {
      if (list === undefined) continue;
      if (list.length !== n)
        problems.push(`${label} outside the layers: ${list.length} values for ${n} models`);
      list.forEach((v, i) =>
        check(`${label.slice(0, -1)} of model ${i + 1} outside the layers`, v, lo, hi),
      );
    }
  }
  check('t', recipe.t, 0, 1);
  if (!Number.isInteger(recipe.seed) || recipe.seed < 0 || recipe.seed > 0xffffffff) {
    problems.push(`seed must be an integer in [0, 2^32), got ${recipe.seed}`);
  }
  return problems;
}

export function assertRecipe(recipe: MergeRecipe): void {
  const problems = recipeProblems(recipe);
  if (problems.length > 0) throw new MergeParameterError(problems.join('; '));
}

/**
 * A parameter as typed: one number, or numbers separated by commas or spaces (a list over
 * layers). Null when any part is not a number.
 */
export function parseLayerValue(text: string): LayerValue | null {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return null;
  const values = parts.map(Number);
  if (values.some((v) => !Number.isFinite(v))) return null;
  return values.length === 1 ? values[0] : values;
}
