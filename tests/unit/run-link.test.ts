// What a run link does, step by step (src/lib/workflow/run-link.ts), with the steps recorded.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/db/database';
import { parseRunLink } from '../../src/lib/eval/link';
import type { RunSpec } from '../../src/lib/eval/types';
import { followRunLink, type RunLinkSteps } from '../../src/lib/workflow/run-link';

function steps(over: Partial<RunLinkSteps> = {}) {
  const log: string[] = [];
  const s: RunLinkSteps = {
    importSplit: async (r) => {
      log.push(`import ${r.kind === 'cmexam' ? r.split : r.url}`);
      return r.kind === 'cmexam' ? `cmexam/${r.split}` : 'custom/x';
    },
    importCmexamSplit: async (split, mirror) => void log.push(`shots ${split} ${mirror}`),
    ensureModel: async (spec) => void log.push(`model ${spec.model}`),
    createRun: async (spec: RunSpec) => {
      log.push(`create ${spec.splitId}`);
      return { id: 'run1', status: 'pending' } as RunRecord;
    },
    driveRun: async (id) => void log.push(`drive ${id}`),
    ...over,
  };
  return { s, log };
}

const parsed = (q: string) => {
  const link = parseRunLink(q);
  expect(link.problems).toEqual([]);
  return { ...link, spec: link.spec!, dataset: link.dataset! };
};

describe('followRunLink', () => {
  it('imports, imports the examples, loads the model, creates and starts, in that order', async () => {
    const { s, log } = steps();
    const link = parsed(
      'dataset=cmexam&split=val&mirror=http://m/&model=demo:tiny-random&method=choice&prompt=few-shot&k=2&autostart=1',
    );
    expect(await followRunLink(link, s)).toMatchObject({ ok: true, run: { id: 'run1' } });
    expect(log).toEqual([
      'import val',
      'shots train http://m/',
      'model demo:tiny-random',
      'create cmexam/val',
      'drive run1',
    ]);
  });

  it('without autostart it stops at the created run; a failed step says which and why', async () => {
    const { s, log } = steps();
    await followRunLink(
      parsed('dataset=cmexam&split=val&model=demo:tiny-random&method=choice&prompt=zero-shot'),
      s,
    );
    expect(log).toEqual(['import val', 'model demo:tiny-random', 'create cmexam/val']);

    const failing = steps({
      ensureModel: async () => {
        throw new Error("This run's model demo:tiny-random could not be loaded: 404");
      },
    });
    const r = await followRunLink(
      parsed(
        'dataset=cmexam&split=val&model=demo:tiny-random&method=choice&prompt=zero-shot&autostart=1',
      ),
      failing.s,
    );
    expect(r).toEqual({
      ok: false,
      stage: 'model',
      error: "This run's model demo:tiny-random could not be loaded: 404",
    });
    expect(failing.log).toEqual(['import val']);
  });

  it('a split that could not be imported stops the link before any model is loaded', async () => {
    const { s, log } = steps({ importSplit: async () => null });
    const r = await followRunLink(
      parsed('dataset=cmexam&split=val&model=demo:tiny-random&method=choice&prompt=zero-shot'),
      s,
    );
    expect(r).toMatchObject({ ok: false, stage: 'dataset' });
    expect(log).toEqual([]);
  });
});
