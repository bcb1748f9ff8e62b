// The Hi-Merging search (hierarchical iterative merging, "Training-free LLM Merging for
// Multi-task Learning"), as a pure procedure over validation scores. The paper's public material
// fixes its shape; what it leaves open we choose, and docs/merging.md lists each rule:
//
// 1. Model-wise: every point of a density × weight grid, the same values for every fine-tune
//    (as the authors' scripts), merged with TIES without normalising (so the weight scales the
//    task vectors; normalised, equal weights would cancel) and evaluated; the base is evaluated
//    too, written in the same output type as every point. The best point (first in grid order on
//    a tie) gives the starting parameters.
// 2. Layer-wise contribution: for each layer i, the base plus one fine-tune's layer-i delta alone
//    (task arithmetic, weight 1), and the base plus the TIES merge of layer i alone at the best
//    grid point; every other tensor is the base's.
// 3. Conflicts: layer i is conflicted when its merged score is below the better of the base and
//    its best single-model score; the degree is that gap. The operation: `drop` the fine-tunes
//    whose layer alone scores below the base when at least one other does not; `rescale` (λ × ½
//    at that layer) when every fine-tune's layer alone scores below the base; `prune` (density
//    × ½ for every fine-tune at that layer) when no layer alone scores below the base but merging
//    them hurts.
// 4. Iterative: conflicted layers in order of degree (then layer index); each step applies one
//    layer's operation and is evaluated; it is kept when the score rises strictly, and the search
//    stops at the first step that does not (reverting it), at the step limit, or when no
//    conflicted layer is left. The final merge has the kept per-layer parameters.
//
// `nextHiMergingStep` replays the procedure from the scores known so far and returns the next
// point to evaluate, or the result: a stored search goes on after a reload from its scores.

import type { MergeOutputType } from './ggml-types';
import type { MergeMethodName } from './methods/types';
import type { MergeRecipe } from './recipe';
import { msg, type Message } from '../i18n/translate';

export interface HiMergingConfig {
  /** Fine-tunes besides the base (the grid is shared by all of them). */
  models: number;
  /** Layers of the base (`<arch>.block_count`). */
  layers: number;
  densities: readonly number[];
  weights: readonly number[];
  /** Most refinement steps (evaluations) in stage 2. */
  stepLimit: number;
}

/** Per-layer parameters of one point: index [model][layer], [layer]. */
export interface HiMergingParams {
  method: Extract<MergeMethodName, 'ties' | 'task-arithmetic'>;
  /** The fine-tunes taking part, by index; `weights` and `densities` follow this order. */
  models: number[];
  weights: number[][];
  densities: number[][];
  lambda: number[];
  /** For tensors outside the layers. */
  outside: { lambda: number; weights: number[]; densities: number[] };
}

export type HiMergingStage = 'base' | 'grid' | 'single' | 'merged' | 'refine';

export interface HiMergingPoint {
  /** Stable within one search: `base`, `grid:<d>:<w>`, `single:<layer>:<model>`, … */
  key: string;
  stage: HiMergingStage;
  params: HiMergingParams;
  /** What it is, for the page: grid values, layer and model, the step's operation. */
  about: {
    density?: number;
    weight?: number;
    layer?: number;
    model?: number;
    op?: LayerOperation;
    step?: number;
  };
}

export type LayerOperation = 'drop' | 'rescale' | 'prune';

export interface LayerAnalysis {
  layer: number;
  /** The base plus one fine-tune's layer delta alone, per fine-tune. */
  single: number[];
  /** The base plus the merged layer alone. */
  merged: number;
  /** max(base, best single) − merged; > 0 is a conflict. */
  degree: number;
  op: LayerOperation | null;
  /** For `drop`: the fine-tunes dropped at this layer. */
  dropped: number[];
}

export interface RefineStep {
  step: number;
  layer: number;
  op: LayerOperation;
  score: number;
  kept: boolean;
}

export interface HiMergingResult {
  base: number;
  grid: { density: number; weight: number; score: number }[];
  best: { density: number; weight: number; score: number };
  layers: LayerAnalysis[];
  steps: RefineStep[];
  final: HiMergingParams;
  finalScore: number;
  stoppedBy: 'no-improvement' | 'step-limit' | 'no-conflicts';
}

export type HiMergingNext =
  | { kind: 'evaluate'; point: HiMergingPoint; partial: Partial<HiMergingResult> }
  | { kind: 'done'; result: HiMergingResult };

/** Problems with a configuration; empty when it can run. */
export function hiMergingProblems(config: HiMergingConfig): Message[] {
  const problems: Message[] = [];
  const distinct = (list: readonly number[]) => new Set(list).size === list.length;
  if (!Number.isInteger(config.models) || config.models < 2) problems.push(msg('hmNeedModels'));
  if (!Number.isInteger(config.layers) || config.layers < 1) problems.push(msg('hmNoLayers'));
  if (config.densities.length === 0 || config.densities.some((d) => !(d > 0 && d <= 1)))
    problems.push(msg('hmBadDensities'));
  if (config.weights.length === 0 || config.weights.some((w) => !Number.isFinite(w)))
    problems.push(msg('hmBadWeights'));
  if (!distinct(config.densities) || !distinct(config.weights)) problems.push(msg('hmDuplicates'));
  if (!Number.isInteger(config.stepLimit) || config.stepLimit < 0) problems.push(msg('hmBadSteps'));
  return problems;
}

/** How many evaluations a search takes at most (the base, the grid, the analysis, the steps). */
export function hiMergingBudget(config: HiMergingConfig): number {
  return (
    1 +
    config.densities.length * config.weights.length +
    config.layers * (config.models + 1) +
    config.stepLimit
  );
}

const fill = (n: number, v: number) => Array.from({ length: n }, () => v);

/** Every fine-tune at density d and weight w, at every layer and outside them (TIES, λ 1). */
export function uniformParams(
  config: HiMergingConfig,
  density: number,
  weight: number,
): HiMergingParams {
  const all = Array.from({ length: config.models }, (_, j) => j);
  return {
    method: 'ties' as const,
    models: all,
    weights: all.map(() => fill(config.layers, weight)),
    densities: all.map(() => fill(config.layers, density)),
    lambda: fill(config.layers, 1),
    outside: {
      lambda: 1,
      weights: fill(config.models, weight),
      densities: fill(config.models, density),
    },
  };
}

/** Only layer `layer` of `from` changes the base: λ is 0 at every other layer and outside. */
function layerAlone(from: HiMergingParams, layer: number): HiMergingParams {
  return {
    ...from,
    lambda: from.lambda.map((_, i) => (i === layer ? from.lambda[i] : 0)),
    outside: { ...from.outside, lambda: 0 },
  };
}

/** The base itself, written as every point is (λ 0 everywhere), so its score is comparable. */
function baseAlone(config: HiMergingConfig): HiMergingParams {
  return {
    method: 'task-arithmetic',
    models: [0],
    weights: [fill(config.layers, 1)],
    densities: [fill(config.layers, 1)],
    lambda: fill(config.layers, 0),
    outside: { lambda: 0, weights: [1], densities: [1] },
  };
}

function singleLayer(config: HiMergingConfig, layer: number, model: number): HiMergingParams {
  const lambda = fill(config.layers, 0);
  lambda[layer] = 1;
  return {
    method: 'task-arithmetic',
    models: [model],
    weights: [fill(config.layers, 1)],
    densities: [fill(config.layers, 1)],
    lambda,
    outside: { lambda: 0, weights: [1], densities: [1] },
  };
}

/** The operation for a layer from its scores (the rule in this module's header). */
export function layerOperation(
  base: number,
  single: readonly number[],
  merged: number,
): { degree: number; op: LayerOperation | null; dropped: number[] } {
  const degree = Math.max(base, ...single) - merged;
  if (!(degree > 0)) return { degree, op: null, dropped: [] };
  const hurting = single.flatMap((s, j) => (s < base ? [j] : []));
  if (hurting.length === single.length) return { degree, op: 'rescale', dropped: [] };
  if (hurting.length > 0) return { degree, op: 'drop', dropped: hurting };
  return { degree, op: 'prune', dropped: [] };
}

function applyOperation(p: HiMergingParams, a: LayerAnalysis): HiMergingParams {
  const i = a.layer;
  const next: HiMergingParams = {
    ...p,
    weights: p.weights.map((w) => [...w]),
    densities: p.densities.map((d) => [...d]),
    lambda: [...p.lambda],
  };
  if (a.op === 'drop') for (const j of a.dropped) next.weights[j][i] = 0;
  else if (a.op === 'rescale') next.lambda[i] = p.lambda[i] / 2;
  else if (a.op === 'prune') for (const d of next.densities) d[i] = d[i] / 2;
  return next;
}

/**
 * The next point to evaluate given the scores so far (by point key), or the search's result.
 * Deterministic: the same configuration and scores always give the same answer.
 */
export function nextHiMergingStep(
  config: HiMergingConfig,
  scores: ReadonlyMap<string, number>,
): HiMergingNext {
  const partial: Partial<HiMergingResult> = {};
  const ask = (point: HiMergingPoint): HiMergingNext => ({ kind: 'evaluate', point, partial });

  const base = scores.get('base');
  if (base === undefined)
    return ask({ key: 'base', stage: 'base', params: baseAlone(config), about: {} });
  partial.base = base;

  const grid: HiMergingResult['grid'] = [];
  for (const density of config.densities) {
    for (const weight of config.weights) {
      const key = `grid:${density}:${weight}`;
      const score = scores.get(key);
      if (score === undefined) {
        partial.grid = grid;
        return ask({
          key,
          stage: 'grid',
          params: uniformParams(config, density, weight),
          about: { density, weight },
        });
      }
      grid.push({ density, weight, score });
    }
  }
  partial.grid = grid;
  const best = grid.reduce((a, b) => (b.score > a.score ? b : a));
  partial.best = best;
  const start = uniformParams(config, best.density, best.weight);

  const layers: LayerAnalysis[] = [];
  partial.layers = layers;
  for (let i = 0; i < config.layers; i++) {
    const single: number[] = [];
    for (let j = 0; j < config.models; j++) {
      const key = `single:${i}:${j}`;
      const score = scores.get(key);
      if (score === undefined)
        return ask({
          key,
          stage: 'single',
          params: singleLayer(config, i, j),
          about: { layer: i, model: j },
        });
      single.push(score);
    }
    const key = `merged:${i}`;
    const merged = scores.get(key);
    if (merged === undefined)
      return ask({ key, stage: 'merged', params: layerAlone(start, i), about: { layer: i } });
    layers.push({ layer: i, single, merged, ...layerOperation(base, single, merged) });
  }

  const conflicted = layers
    .filter((l) => l.op !== null)
    .sort((a, b) => b.degree - a.degree || a.layer - b.layer);
  const steps: RefineStep[] = [];
  partial.steps = steps;
  let current = start;
  let currentScore = best.score;
  let stoppedBy: HiMergingResult['stoppedBy'] =
    conflicted.length === 0 ? 'no-conflicts' : 'step-limit';
  for (let k = 0; k < Math.min(config.stepLimit, conflicted.length); k++) {
    const layer = conflicted[k];
    const candidate = applyOperation(current, layer);
    const key = `refine:${k}`;
    const score = scores.get(key);
    if (score === undefined)
      return ask({
        key,
        stage: 'refine',
        params: candidate,
        about: { layer: layer.layer, op: layer.op!, step: k },
      });
    const kept = score > currentScore;
    steps.push({ step: k, layer: layer.layer, op: layer.op!, score, kept });
    if (!kept) {
      stoppedBy = 'no-improvement';
      break;
    }
    current = candidate;
    currentScore = score;
    if (k === conflicted.length - 1) stoppedBy = 'no-conflicts';
  }
  return {
    kind: 'done',
    result: {
      base,
      grid,
      best,
      layers,
      steps,
      final: current,
      finalScore: currentScore,
      stoppedBy,
    },
  };
}

/** The merge recipe of a point: the fine-tunes it uses with their per-layer lists. */
export function hiMergingRecipe(
  params: HiMergingParams,
  names: { base: string; models: readonly string[] },
  seed: number,
  outType: MergeOutputType,
): MergeRecipe {
  return {
    method: params.method,
    base: names.base,
    models: params.models.map((j, k) => ({
      source: names.models[j],
      weight: params.weights[k],
      density: params.densities[k],
    })),
    lambda: params.lambda,
    t: 0.5,
    // Weights scale the task vectors: normalised, equal weights would cancel out.
    normalize: false,
    seed,
    outType,
    outside: {
      lambda: params.outside.lambda,
      weights: params.outside.weights,
      densities: params.outside.densities,
    },
  };
}
