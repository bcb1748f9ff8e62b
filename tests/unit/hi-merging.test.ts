// The Hi-Merging search as a pure procedure over scores (merge/hi-merging.ts) and its driver
// (workflow/hi-merging.ts), with scores chosen by hand so that every rule is exercised.
import { describe, expect, it } from 'vitest';
import type { MergedModelRecord, MergeSearchRecord } from '../../src/lib/db/database';
import {
  hiMergingBudget,
  hiMergingProblems,
  hiMergingRecipe,
  layerOperation,
  nextHiMergingStep,
  type HiMergingConfig,
  type HiMergingParams,
} from '../../src/lib/merge/hi-merging';
import {
  valueAt,
  layerFraction,
  recipeProblems,
  type MergeRecipe,
} from '../../src/lib/merge/recipe';
import { defaultSpec } from '../../src/lib/eval/spec';
import { followHiMerging } from '../../src/lib/workflow/hi-merging';

const config: HiMergingConfig = {
  models: 2,
  layers: 3,
  densities: [0.3, 0.5],
  weights: [0.7, 1],
  stepLimit: 5,
};

/**
 * Scores by point key. Grid: the best is density 0.5, weight 0.7 (0.70). Layers (base 0.50):
 * layer 0: singles 0.60, 0.55, merged 0.65 → max(0.50, 0.60) − 0.65 < 0, no conflict;
 * layer 1: singles 0.60, 0.40, merged 0.45 → degree 0.15, fine-tune 1 alone hurts → drop it;
 * layer 2: singles 0.45, 0.40, merged 0.30 → degree 0.20, both hurt → rescale.
 * Refinement in order of degree: layer 2 (rescale) scores 0.75 > 0.70, kept; layer 1 (drop)
 * scores 0.74 ≤ 0.75, not kept, and the search stops.
 */
const SCORES: Record<string, number> = {
  base: 0.5,
  'grid:0.3:0.7': 0.6,
  'grid:0.3:1': 0.62,
  'grid:0.5:0.7': 0.7,
  'grid:0.5:1': 0.7, // a tie: the first in grid order wins
  'single:0:0': 0.6,
  'single:0:1': 0.55,
  'merged:0': 0.65,
  'single:1:0': 0.6,
  'single:1:1': 0.4,
  'merged:1': 0.45,
  'single:2:0': 0.45,
  'single:2:1': 0.4,
  'merged:2': 0.3,
  'refine:0': 0.75,
  'refine:1': 0.74,
};

function runSearch(cfg: HiMergingConfig, scores: Record<string, number>) {
  const known = new Map<string, number>();
  const asked: string[] = [];
  const params = new Map<string, HiMergingParams | null>();
  for (let guard = 0; guard < 100; guard++) {
    const next = nextHiMergingStep(cfg, known);
    if (next.kind === 'done') return { asked, result: next.result, params };
    asked.push(next.point.key);
    params.set(next.point.key, next.point.params);
    known.set(next.point.key, scores[next.point.key]);
  }
  throw new Error('the search did not end');
}

describe('the Hi-Merging procedure', () => {
  it('asks the base, the grid, each layer alone, then refines conflicted layers while the score rises', () => {
    const { asked, result, params } = runSearch(config, SCORES);
    expect(asked).toEqual([
      'base',
      'grid:0.3:0.7',
      'grid:0.3:1',
      'grid:0.5:0.7',
      'grid:0.5:1',
      'single:0:0',
      'single:0:1',
      'merged:0',
      'single:1:0',
      'single:1:1',
      'merged:1',
      'single:2:0',
      'single:2:1',
      'merged:2',
      'refine:0',
      'refine:1',
    ]);
    expect(asked.length).toBeLessThanOrEqual(hiMergingBudget(config)); // 1 + 4 + 9 + 5 = 19
    expect(hiMergingBudget(config)).toBe(19);
    expect(result.best).toEqual({ density: 0.5, weight: 0.7, score: 0.7 });
    expect(result.layers.map((l) => [l.layer, l.op, l.dropped])).toEqual([
      [0, null, []],
      [1, 'drop', [1]],
      [2, 'rescale', []],
    ]);
    expect(result.layers[1].degree).toBeCloseTo(0.15, 12);
    expect(result.layers[2].degree).toBeCloseTo(0.2, 12);
    expect(result.steps).toEqual([
      { step: 0, layer: 2, op: 'rescale', score: 0.75, kept: true },
      { step: 1, layer: 1, op: 'drop', score: 0.74, kept: false },
    ]);
    expect(result.stoppedBy).toBe('no-improvement');
    expect(result.finalScore).toBe(0.75);
    // The kept step only: λ halved at layer 2; layer 1's drop was reverted.
    expect(result.final.lambda).toEqual([1, 1, 0.5]);
    expect(result.final.weights).toEqual([
      [0.7, 0.7, 0.7],
      [0.7, 0.7, 0.7],
    ]);
    expect(result.final.outside).toEqual({ lambda: 1, weights: [0.7, 0.7], densities: [0.5, 0.5] });

    // What each point merges.
    // The base, written as every point is: λ 0 everywhere.
    expect(params.get('base')).toMatchObject({ lambda: [0, 0, 0], outside: { lambda: 0 } });
    expect(params.get('single:1:0')).toEqual({
      method: 'task-arithmetic',
      models: [0],
      weights: [[1, 1, 1]],
      densities: [[1, 1, 1]],
      lambda: [0, 1, 0],
      outside: { lambda: 0, weights: [1], densities: [1] },
    });
    expect(params.get('merged:1')).toMatchObject({
      method: 'ties',
      models: [0, 1],
      densities: [
        [0.5, 0.5, 0.5],
        [0.5, 0.5, 0.5],
      ],
      lambda: [0, 1, 0],
      outside: { lambda: 0 },
    });
    // The second step tries the drop on top of the kept rescale.
    expect(params.get('refine:1')).toMatchObject({
      lambda: [1, 1, 0.5],
      weights: [
        [0.7, 0.7, 0.7],
        [0.7, 0, 0.7],
      ],
    });
  });

  it('stops at the step limit, and when no layer conflicts', () => {
    const limited = runSearch({ ...config, stepLimit: 1 }, SCORES);
    expect(limited.result.steps).toHaveLength(1);
    expect(limited.result.stoppedBy).toBe('step-limit');
    const calm = { ...SCORES, 'merged:1': 0.9, 'merged:2': 0.9 };
    const none = runSearch(config, calm);
    expect(none.result.steps).toEqual([]);
    expect(none.result.stoppedBy).toBe('no-conflicts');
    expect(none.result.final.lambda).toEqual([1, 1, 1]);
  });

  it('gives the same next point from the same scores (a reload goes on where it was)', () => {
    const { asked } = runSearch(config, SCORES);
    for (let k = 0; k < asked.length; k++) {
      const known = new Map(asked.slice(0, k).map((key) => [key, SCORES[key]]));
      const next = nextHiMergingStep(config, known);
      expect(next.kind === 'evaluate' && next.point.key).toBe(asked[k]);
    }
  });

  it('chooses the operation from the layer scores', () => {
    expect(layerOperation(0.5, [0.6, 0.7], 0.55)).toMatchObject({ op: 'prune' });
    expect(layerOperation(0.5, [0.6, 0.4], 0.45)).toMatchObject({ op: 'drop', dropped: [1] });
    expect(layerOperation(0.5, [0.4, 0.3], 0.2)).toMatchObject({ op: 'rescale' });
    // Equal to the better of base and singles is no conflict.
    expect(layerOperation(0.5, [0.6, 0.4], 0.6)).toMatchObject({ op: null });
  });

  it('names what is wrong with a configuration', () => {
    expect(hiMergingProblems(config)).toEqual([]);
    expect(
      hiMergingProblems({ models: 1, layers: 0, densities: [0], weights: [], stepLimit: -1 }),
    ).toHaveLength(5);
  });
});

describe('recipes of points', () => {
  it('per-layer lists reach each layer exactly, and tensors outside the layers their own values', () => {
    const lambda = [0, 0, 0, 1, 0, 0, 0];
    for (let i = 0; i < 7; i++) expect(valueAt(lambda, layerFraction(i, 7))).toBe(lambda[i]);
    const list = Array.from({ length: 49 }, (_, i) => i / 7);
    for (let i = 0; i < 49; i++) expect(valueAt(list, layerFraction(i, 49))).toBe(list[i]);
    const { asked, params } = runSearch(config, SCORES);
    const recipe = hiMergingRecipe(
      params.get(asked.find((k) => k === 'single:2:1')!)!,
      { base: 'base.gguf', models: ['a.gguf', 'b.gguf'] },
      0,
      'q8_0',
    );
    expect(recipe.models).toEqual([{ source: 'b.gguf', weight: [1, 1, 1], density: [1, 1, 1] }]);
    expect(recipe.outside).toEqual({ lambda: 0, weights: [1], densities: [1] });
    expect(recipeProblems(recipe)).toEqual([]);
    expect(recipeProblems({ ...recipe, outside: { weights: [1, 2] } })[0]).toContain(
      '2 values for 1 models',
    );
  });
});

function searchRecord(cfg: HiMergingConfig): MergeSearchRecord {
  return {
    id: 'abcdef0123456789',
    createdAt: 'now',
    updatedAt: 'now',
    status: 'running',
    error: null,
    config: cfg,
    base: { name: 'base.gguf', ref: 'file:base.gguf' },
    models: [
      { name: 'a.gguf', ref: 'file:a.gguf' },
      { name: 'b.gguf', ref: 'file:b.gguf' },
    ],
    seed: 0,
    outType: 'q8_0',
    spec: defaultSpec('cmexam/val', 'file:base.gguf', 'wllama'),
    points: [],
    result: null,
    finalMergedId: null,
  };
}

type FakeMerge = {
  recipe: MergeRecipe;
  label: string;
  madeFor?: { search: string; point: string };
};

/** Merged ids of the fakes, unique across them. */
let fakeIds = 0;

/** A step that never ends: the tab was closed while it was under way. */
const never = () => new Promise<never>(() => {});

/**
 * Steps that merge into a table keyed by the recipe (the same recipe is the same merged model, as
 * content hashes make it) and score each merge by its point. `cutAt`: that evaluation never
 * finishes (the tab closed while its run was going). `closeAt` closes the tab (the step never
 * returns) right after a point's merge is stored, or right before its merge is removed.
 */
function fakeSteps(
  scores: Record<string, number>,
  cutAt = Infinity,
  known = new Map<string, FakeMerge>(),
  closeAt: { afterMerge?: string; beforeDiscard?: string } = {},
) {
  const merged = known;
  const evaluated: string[] = [];
  const discarded: string[] = [];
  const saved: MergeSearchRecord[] = [];
  const ids = new Map<string, string>();
  // The point each merged model was last merged for (a user's merge keeps its own label).
  const askedFor = new Map<string, string>();
  const steps = {
    merge: async (
      recipe: MergeRecipe,
      label: string,
      _refs: { base: string; models: string[] },
      madeFor: { search: string; point: string },
    ) => {
      const json = JSON.stringify(recipe);
      const found = [...merged.entries()].find(([, m]) => JSON.stringify(m.recipe) === json);
      const existed = found !== undefined;
      const id = found?.[0] ?? ids.get(json) ?? String(fakeIds++).padStart(16, '0');
      ids.set(json, id);
      if (!found) merged.set(id, { recipe, label, madeFor });
      askedFor.set(id, madeFor.point);
      if (madeFor.point === closeAt.afterMerge) return never();
      return { record: { id, madeFor: merged.get(id)!.madeFor } as MergedModelRecord, existed };
    },
    leftovers: async () =>
      [...merged.entries()].flatMap(([id, m]) =>
        m.madeFor?.search === 'abcdef0123456789' ? [{ id, point: m.madeFor.point }] : [],
      ),
    evaluate: async (ref: string) => {
      const key = askedFor.get(ref.slice('merged:'.length))!;
      evaluated.push(key);
      if (evaluated.length === cutAt) return null;
      return { runId: `run-${key}`, score: scores[key] };
    },
    discard: async (id: string) => {
      const m = merged.get(id);
      if (!m) return;
      if (m.madeFor?.point === closeAt.beforeDiscard) return never();
      discarded.push(m.label);
      merged.delete(id);
    },
    save: async (s: MergeSearchRecord) => {
      saved.push(structuredClone(s));
    },
    stopped: () => false,
  };
  return { steps, merged, evaluated, discarded, saved };
}

/** Follows a search until a step never returns; what the store holds then. */
async function followUntilClosed(
  start: MergeSearchRecord,
  f: ReturnType<typeof fakeSteps>,
): Promise<MergeSearchRecord> {
  void followHiMerging(start, f.steps);
  for (let i = 0; i < 1000; i++) await Promise.resolve();
  return f.saved.at(-1)!;
}

/** The first grid point's parameters, as the search asks for them. */
function nextGridParams(): HiMergingParams {
  const next = nextHiMergingStep(config, new Map([['base', 0.5]]));
  if (next.kind !== 'evaluate' || !next.point.params) throw new Error('expected a grid point');
  return next.point.params;
}

describe('following a Hi-Merging search', () => {
  it('evaluates every point once, keeps only the final merge, and a search cut short goes on from its scores', async () => {
    // The 7th evaluation (single:0:1) is cut short: its merge is left, recorded on its point.
    const f = fakeSteps(SCORES, 7);
    const stopped = await followHiMerging(searchRecord(config), f.steps);
    expect(stopped.status).toBe('stopped');
    expect(stopped.points.map((p) => [p.key, p.score])).toEqual([
      ['base', 0.5],
      ['grid:0.3:0.7', 0.6],
      ['grid:0.3:1', 0.62],
      ['grid:0.5:0.7', 0.7],
      ['grid:0.5:1', 0.7],
      ['single:0:0', 0.6],
      ['single:0:1', null],
    ]);
    expect([...f.merged.values()].map((m) => m.label)).toEqual(['hi-merging single:0:1']);
    const g = fakeSteps(SCORES, Infinity, f.merged);
    const done = await followHiMerging(stopped, g.steps);
    expect(done.status).toBe('done');
    // Only the point cut short is asked again; the 6 scored before are not.
    expect(g.evaluated[0]).toBe('single:0:1');
    expect(g.evaluated).toHaveLength(16 - 6);
    expect(done.result?.finalScore).toBe(0.75);
    // Every point's merge was removed once scored, the one made before the cut too; the final
    // one is kept and named.
    expect(g.discarded).toEqual(g.evaluated.map((k) => `hi-merging ${k}`));
    expect([...g.merged.keys()]).toEqual([done.finalMergedId]);
    const final = g.merged.get(done.finalMergedId!)!;
    expect(final.label).toBe('hi-merging-abcdef01');
    expect(final.recipe.lambda).toEqual([1, 1, 0.5]);
    expect(final.recipe.models.map((m) => m.source)).toEqual(['a.gguf', 'b.gguf']);
    expect(done.points.every((p) => p.runId === `run-${p.key}`)).toBe(true);
  });

  it('leaves a merge the user had made before alone', async () => {
    const user = fakeSteps(SCORES);
    const grid = hiMergingRecipe(
      { ...nextGridParams() },
      { base: 'base.gguf', models: ['a.gguf', 'b.gguf'] },
      0,
      'q8_0',
    );
    user.merged.set('0000000000000099', { recipe: grid, label: 'my own merge' });
    const ownId = '0000000000000099';
    // Cut short while that point's run is going (the 2nd evaluation), then continued.
    const f = fakeSteps(SCORES, 2, user.merged);
    const cut = await followHiMerging(searchRecord(config), f.steps);
    expect(cut.points.find((p) => p.key === 'grid:0.3:0.7')).toMatchObject({
      mergedId: ownId,
      own: false,
      score: null,
    });
    const g = fakeSteps(SCORES, Infinity, f.merged);
    const done = await followHiMerging(cut, g.steps);
    expect(done.status).toBe('done');
    expect([...f.discarded, ...g.discarded]).not.toContain('hi-merging grid:0.3:0.7');
    expect(g.merged.has(ownId)).toBe(true);
  });

  it('a tab closed between a score and the removal of its merge: the merge goes when the search goes on', async () => {
    const f = fakeSteps(SCORES, Infinity, undefined, { beforeDiscard: 'grid:0.3:1' });
    const cut = await followUntilClosed(searchRecord(config), f);
    // Stored: base, grid:0.3:0.7 and grid:0.3:1 scored; grid:0.3:1's merge still there.
    expect(cut.points.map((p) => [p.key, p.score])).toEqual([
      ['base', 0.5],
      ['grid:0.3:0.7', 0.6],
      ['grid:0.3:1', 0.62],
    ]);
    expect([...f.merged.values()].map((m) => m.label)).toEqual(['hi-merging grid:0.3:1']);
    const g = fakeSteps(SCORES, Infinity, f.merged);
    const done = await followHiMerging({ ...cut, status: 'stopped' }, g.steps);
    expect(done.status).toBe('done');
    expect(g.evaluated).toHaveLength(16 - 3);
    expect(g.discarded[0]).toBe('hi-merging grid:0.3:1');
    expect([...g.merged.keys()]).toEqual([done.finalMergedId]);
  });

  it('a tab closed between a merge and its point being recorded: the search knows the merge as its own', async () => {
    const f = fakeSteps(SCORES, Infinity, undefined, { afterMerge: 'grid:0.5:0.7' });
    const cut = await followUntilClosed(searchRecord(config), f);
    // The merge is stored, its point is not.
    expect(cut.points.map((p) => p.key)).toEqual(['base', 'grid:0.3:0.7', 'grid:0.3:1']);
    expect([...f.merged.values()].map((m) => m.label)).toEqual(['hi-merging grid:0.5:0.7']);
    const g = fakeSteps(SCORES, Infinity, f.merged);
    const done = await followHiMerging({ ...cut, status: 'stopped' }, g.steps);
    expect(done.points.find((p) => p.key === 'grid:0.5:0.7')).toMatchObject({ own: true });
    expect(g.discarded).toContain('hi-merging grid:0.5:0.7');
    expect([...g.merged.keys()]).toEqual([done.finalMergedId]);
  });

  it('ends as an error, naming it, when a merge fails', async () => {
    const f = fakeSteps(SCORES);
    f.steps.merge = async () => {
      throw new Error('a.gguf: HTTP 404');
    };
    const failed = await followHiMerging(searchRecord(config), f.steps);
    expect(failed).toMatchObject({ status: 'error', error: 'a.gguf: HTTP 404' });
    // The first merge (the base, re-encoded) failed: nothing was evaluated.
    expect(failed.points).toEqual([]);
  });
});
