// The app side of merging: merged models as model references, parameters as typed, the plan of
// "Merge and evaluate" and the workflow that drives it (with recorded steps, no page).
import { describe, expect, it } from 'vitest';
import type {
  MergedModelRecord,
  MergeEvaluationRecord,
  RunRecord,
} from '../../src/lib/db/database';
import {
  mergedModelSpec,
  modelName,
  modelSpecOf,
  parseModelRef,
  refOfModelSpec,
  sameModel,
} from '../../src/lib/engines/model-ref';
import { memberRunSpec, planMergeEvaluation } from '../../src/lib/merge/evaluation';
import { parseLayerValue } from '../../src/lib/merge/recipe';
import { refOfSource } from '../../src/lib/merge/service';
import { defaultSpec } from '../../src/lib/eval/spec';
import type { RunSpec } from '../../src/lib/eval/types';
import { followMergeEvaluation } from '../../src/lib/workflow/merge-evaluate';

const ID = '0123456789abcdef';

describe('merged models as model references', () => {
  it('reads merged:<16 hex> and refuses anything else, naming the reference', () => {
    expect(parseModelRef(`merged:${ID}`).ref).toEqual({
      kind: 'merged',
      engine: 'wllama',
      model: `merged:${ID}`,
      mergedId: ID,
    });
    for (const bad of ['merged:', 'merged:0123', `merged:${ID.toUpperCase()}`, `merged:${ID}0`]) {
      const parsed = parseModelRef(bad);
      expect(parsed.ref).toBeNull();
      expect(parsed.problems[0]).toContain(bad);
    }
  });

  it('resolves to its file in wllama, and reads back from the spec as the same model', () => {
    const file = new File([new Uint8Array(4)], 'x.gguf');
    const ref = parseModelRef(`merged:${ID}`).ref!;
    const spec = modelSpecOf(ref, { base: 'http://x/', mergedFile: { id: ID, file, label: 'm' } });
    expect(spec).toEqual(mergedModelSpec(ID, file, 'm'));
    expect(spec).toMatchObject({ backend: 'wllama', id: `merged:${ID}`, label: 'm' });
    expect(sameModel(refOfModelSpec(spec), ref)).toBe(true);
    // A local file of the same name is another model.
    expect(sameModel(parseModelRef('file:x.gguf').ref, ref)).toBe(false);
    expect(modelName(ref)).toBe(`merged:${ID}`);
  });

  it('names the model when its file is not in this browser', () => {
    const ref = parseModelRef(`merged:${ID}`).ref!;
    expect(() => modelSpecOf(ref, { base: 'http://x/' })).toThrow(`merged:${ID}`);
    const other = new File([], 'y.gguf');
    expect(() =>
      modelSpecOf(ref, {
        base: 'http://x/',
        mergedFile: { id: 'ffffffffffffffff', file: other, label: 'y' },
      }),
    ).toThrow(/not in this browser/);
  });

  it('names each kind of merge source as a run does', () => {
    const file = new File([], 'a.gguf');
    expect(refOfSource({ kind: 'file', name: 'a.gguf', file })).toBe('file:a.gguf');
    expect(refOfSource({ kind: 'url', name: 'u', url: 'https://h/x.gguf' })).toBe(
      'https://h/x.gguf',
    );
    expect(refOfSource({ kind: 'merged', name: 'm', id: ID, fileName: 'f.gguf' })).toBe(
      `merged:${ID}`,
    );
    for (const ref of ['file:a.gguf', 'https://h/x.gguf', `merged:${ID}`])
      expect(parseModelRef(ref).ref).not.toBeNull();
  });
});

describe('parameters as typed', () => {
  it('reads one number or a list over layers, and nothing else', () => {
    expect(parseLayerValue('0.5')).toBe(0.5);
    expect(parseLayerValue(' 0.2, 0.8 ')).toEqual([0.2, 0.8]);
    expect(parseLayerValue('0 0.5 1')).toEqual([0, 0.5, 1]);
    expect(parseLayerValue('-1')).toBe(-1);
    expect(parseLayerValue('')).toBeNull();
    expect(parseLayerValue('0.5, x')).toBeNull();
    expect(parseLayerValue('1e400')).toBeNull();
  });
});

function merged(): MergedModelRecord {
  return {
    id: ID,
    hash: `${ID}${'0'.repeat(48)}`,
    label: 'ties-01234567',
    fileName: 'f.gguf',
    bytes: 10,
    createdAt: '2026-12-03T00:00:00.000Z',
    seconds: 1,
    recipe: {
      method: 'ties',
      base: 'base.gguf',
      models: [
        { source: 'a.gguf', weight: 0.6, density: 0.5 },
        { source: 'b.gguf', weight: 0.4, density: 0.5 },
      ],
      lambda: 1,
      t: 0.5,
      seed: 0,
      outType: 'q8_0',
    },
    parents: [
      { role: 'base', name: 'base.gguf', ref: 'file:base.gguf', hash: 'h0', bytes: 1 },
      { role: 'model', name: 'a.gguf', ref: 'file:a.gguf', hash: 'h1', bytes: 1 },
      { role: 'model', name: 'b.gguf', ref: 'https://h/b.gguf', hash: 'h2', bytes: 1 },
    ],
    outputTypes: { q8_0: 3 },
  };
}

function template(): RunSpec {
  const spec = defaultSpec('cmexam/val', 'demo:tiny-random', 'wllama');
  spec.subset = { ...spec.subset, mode: 'first', n: 5 };
  return spec;
}

describe('the plan of Merge and evaluate', () => {
  it('gives the merge, its base and each fine-tune one spec that differs only in the model', async () => {
    const plan = await planMergeEvaluation(merged(), template(), 'now');
    expect(plan.members.map((m) => [m.role, m.ref, m.runId])).toEqual([
      ['merge', `merged:${ID}`, null],
      ['base', 'file:base.gguf', null],
      ['model', 'file:a.gguf', null],
      ['model', 'https://h/b.gguf', null],
    ]);
    expect(plan.spec.model).toBe(`merged:${ID}`);
    const specs = plan.members.map((m) => memberRunSpec(plan.spec, m.ref));
    for (const s of specs) {
      expect({ ...s, model: '' }).toEqual({ ...specs[0], model: '' });
      expect(s.engine).toBe('wllama');
      expect(s.subset.n).toBe(5);
    }
    // The same merge on the same questions is the same evaluation; other questions another.
    expect((await planMergeEvaluation(merged(), template(), 'later')).id).toBe(plan.id);
    const other = template();
    other.subset.n = 6;
    expect((await planMergeEvaluation(merged(), other)).id).not.toBe(plan.id);
  });
});

function fakeSteps(opts: { failModel?: string; stopAt?: string; done?: string[] } = {}) {
  const log: string[] = [];
  const saved: MergeEvaluationRecord[] = [];
  const runs = new Map<string, RunRecord>();
  const steps = {
    ensureModel: async (spec: RunSpec) => {
      log.push(`load ${spec.model}`);
      if (spec.model === opts.failModel) throw new Error(`cannot load ${spec.model}`);
    },
    createRun: async (spec: RunSpec) => {
      log.push(`create ${spec.model}`);
      const id = `run-${spec.model}`;
      const status = opts.done?.includes(spec.model) ? 'done' : 'created';
      const run = runs.get(id) ?? ({ id, spec, status } as unknown as RunRecord);
      runs.set(id, run);
      return run;
    },
    driveRun: async (runId: string) => {
      log.push(`drive ${runId}`);
      const run = runs.get(runId)!;
      const status = run.spec.model === opts.stopAt ? 'paused' : 'done';
      const after = { ...run, status } as RunRecord;
      runs.set(runId, after);
      return after;
    },
    save: async (e: MergeEvaluationRecord) => {
      saved.push(e);
    },
  };
  return { steps, log, saved };
}

describe('following Merge and evaluate', () => {
  it('creates every run first, remembers them, then loads and drives each in turn', async () => {
    const plan = await planMergeEvaluation(merged(), template());
    const f = fakeSteps({ done: ['file:a.gguf'] });
    const result = await followMergeEvaluation(plan, f.steps);
    expect(result).toMatchObject({ ok: true, stoppedAt: null });
    expect(f.log).toEqual([
      `create merged:${ID}`,
      'create file:base.gguf',
      'create file:a.gguf',
      'create https://h/b.gguf',
      `load merged:${ID}`,
      `drive run-merged:${ID}`,
      'load file:base.gguf',
      'drive run-file:base.gguf',
      // a.gguf's run was done already: neither loaded nor asked again.
      'load https://h/b.gguf',
      'drive run-https://h/b.gguf',
    ]);
    expect(f.saved).toHaveLength(1);
    expect(f.saved[0].members.map((m) => m.runId)).toEqual([
      `run-merged:${ID}`,
      'run-file:base.gguf',
      'run-file:a.gguf',
      'run-https://h/b.gguf',
    ]);
  });

  it('stops at a run that does not finish, and at a model that cannot be loaded, naming it', async () => {
    const plan = await planMergeEvaluation(merged(), template());
    const paused = fakeSteps({ stopAt: 'file:base.gguf' });
    expect(await followMergeEvaluation(plan, paused.steps)).toMatchObject({
      ok: true,
      stoppedAt: 'file:base.gguf',
    });
    expect(paused.log.filter((l) => l.startsWith('drive'))).toHaveLength(2);

    const missing = fakeSteps({ failModel: 'file:a.gguf' });
    const result = await followMergeEvaluation(plan, missing.steps);
    expect(result).toMatchObject({ ok: false, member: 'a.gguf', error: 'cannot load file:a.gguf' });
    expect(missing.log).not.toContain('drive run-file:a.gguf');
    expect(missing.log).not.toContain('load https://h/b.gguf');
  });
});
