// Benchmark suites: the link (eval/suite.ts), the workflow with stand-in steps
// (workflow/suite-link.ts), and the summary table from stored runs (report service).
import { describe, expect, it } from 'vitest';
import { freshDb, openRows, ScriptedEngine, storeSplit, syntheticRows } from './support/db';
import type { RunRecord, SuiteRecord } from '../../src/lib/db/database';
import { Runner } from '../../src/lib/eval/runner';
import { runIdFor } from '../../src/lib/eval/spec';
import {
  memberSpec,
  parseSuiteLink,
  suiteIdFor,
  suiteLinkFor,
  type SuiteMember,
} from '../../src/lib/eval/suite';
import type { RunSpec } from '../../src/lib/eval/types';
import { followSuiteLink } from '../../src/lib/workflow/suite-link';
import { ReportService } from '../../src/lib/report/service';
import { suiteToCsv } from '../../src/lib/report/suite-summary';
import type { ModelRef } from '../../src/lib/engines/model-ref';

const RUN = 'model=demo:tiny-random&engine=wllama&method=choice&prompt=zero-shot&subset=first&n=3';
const QA = 'https://example.org/data/qa.jsonl';

describe('suite links', () => {
  it('reads each member as the run link of its split, with the shared parameters', () => {
    const link = parseSuiteLink(
      `mode=suite&suite=cmexam:val,${encodeURIComponent(QA)}&mirror=https://m.example/&${RUN}&autostart=1`,
    );
    expect(link.problems).toEqual([]);
    expect(link.autostart).toBe(true);
    const [val, qa] = link.members!;
    expect(val.dataset).toEqual({ kind: 'cmexam', split: 'val', mirror: 'https://m.example/' });
    expect(val.spec).toMatchObject({ splitId: 'cmexam/val', method: 'choice' });
    expect(val.spec.subset).toMatchObject({ mode: 'first', n: 3 });
    expect(qa.dataset).toEqual({ kind: 'url', url: QA, split: null });
    expect(qa.spec.splitId).toBe('custom/qa');
    // A choice suite keeps max_tokens for its open members.
    const withMax = parseSuiteLink(
      `mode=suite&suite=cmexam:val,${encodeURIComponent(QA)}&${RUN}&max_tokens=9`,
    );
    expect(withMax.problems).toEqual([]);
    expect(memberSpec(withMax.members![1], 'custom/qa', 'open').generation.maxTokens).toBe(9);
    expect(parseSuiteLink(suiteLinkFor(withMax.members!, false)).members![1].openMaxTokens).toBe(9);
    // A URL with its own comma survives the round trip.
    const comma = 'https://example.org/a,b.jsonl';
    const withComma = parseSuiteLink(
      `mode=suite&suite=cmexam:val,${encodeURIComponent(comma)}&${RUN}`,
    );
    expect(withComma.members!.map((m) => m.ref)).toEqual(['cmexam:val', comma]);
    expect(
      parseSuiteLink(suiteLinkFor(withComma.members!, false)).members!.map((m) => m.ref),
    ).toEqual(['cmexam:val', comma]);
    // Written back, it reads as the same members.
    const again = parseSuiteLink(suiteLinkFor(link.members!, false));
    expect(again.members!.map((m) => m.spec)).toEqual(link.members!.map((m) => m.spec));
  });

  it("bench:<name> names a listed benchmark file by its official address, CMB's key included", () => {
    const link = parseSuiteLink(
      `mode=suite&suite=cmexam:test,bench:cmb-test,bench:huatuo26m-test&${RUN}`,
    );
    expect(link.problems).toEqual([]);
    const [, cmb, huatuo] = link.members!;
    expect(cmb.dataset).toEqual({
      kind: 'url',
      url: 'https://huggingface.co/datasets/FreedomIntelligence/CMB/resolve/main/CMB-Exam/CMB-test/CMB-test-choice-question-merge.json',
      split: 'cmb-test',
      answers:
        'https://raw.githubusercontent.com/FreedomIntelligence/CMB/main/data/CMB-test-choice-answer.json',
    });
    expect(cmb.spec.splitId).toBe('custom/cmb-test');
    expect(huatuo.spec.splitId).toBe('custom/huatuo26m-test');
    expect(parseSuiteLink(`mode=suite&suite=bench:nope&${RUN}`).problems[0]).toContain(
      '"bench:nope" is neither',
    );
  });

  it('lists every problem: no members, a bad member, dataset given, a bad run parameter', () => {
    expect(parseSuiteLink(`mode=suite&${RUN}`).problems[0]).toContain('needs suite=');
    const bad = parseSuiteLink(`mode=suite&suite=cmexam:dev,ftp://x&dataset=cmexam&${RUN}&n=0`);
    expect(bad.members).toBeNull();
    const text = bad.problems.join('\n');
    expect(text).toContain('not with dataset=');
    expect(text).toContain('"cmexam:dev" is neither');
    expect(text).toContain('"ftp://x" is neither');
    expect(parseSuiteLink(`mode=suite&suite=cmexam:val,cmexam:val&${RUN}`).problems).toEqual([
      'A suite member is listed twice.',
    ]);
    expect(parseSuiteLink(`mode=suite&suite=cmexam:val&${RUN}&n=0`).problems[0]).toMatch(
      /^cmexam:val: /,
    );
  });

  it('an open member is run with method open (cot → zero-shot), a choice member as linked', () => {
    const [m] = parseSuiteLink(
      `mode=suite&suite=cmexam:val&${RUN.replace('choice', 'generate')}&prompt=cot`.replace(
        '&prompt=zero-shot',
        '',
      ),
    ).members!;
    const open = memberSpec(m, 'custom/qa', 'open');
    expect(open).toMatchObject({ splitId: 'custom/qa', method: 'open', prompt: 'zero-shot' });
    expect(memberSpec(m, 'cmexam/val', 'choice')).toMatchObject({
      method: 'generate',
      prompt: 'cot',
    });
  });
});

describe('following a suite link', () => {
  function fakeSteps(kinds: Record<string, 'choice' | 'open'>, stopAt?: number) {
    const created: RunSpec[] = [];
    const driven: string[] = [];
    const saved: SuiteRecord[] = [];
    const statuses = new Map<string, RunRecord['status']>();
    return {
      created,
      driven,
      saved,
      statuses,
      steps: {
        importSplit: async (d: NonNullable<SuiteMember['dataset']>) =>
          d.kind === 'cmexam' ? `cmexam/${d.split}` : 'custom/qa',
        splitKind: (id: string) => kinds[id] ?? 'choice',
        ensureModel: async () => {},
        createRun: async (spec: RunSpec) => {
          created.push(spec);
          const id = await runIdFor(spec);
          return { id, spec, status: statuses.get(id) ?? 'pending' } as RunRecord;
        },
        driveRun: async (id: string) => {
          driven.push(id);
          const status = driven.length === stopAt ? 'paused' : 'done';
          statuses.set(id, status);
          return { id, status } as RunRecord;
        },
        saveSuite: async (s: SuiteRecord) => void saved.push(s),
        storedSuite: async (id: string) => saved.find((s) => s.id === id),
      },
    };
  }

  it('creates every run, drives them in turn, stops where one stops, and goes on when opened again', async () => {
    const link = parseSuiteLink(
      `mode=suite&suite=cmexam:val,${encodeURIComponent(QA)},cmexam:test&${RUN}`,
    );
    const f = fakeSteps({ 'custom/qa': 'open' }, 2);
    const input = { members: link.members!, autostart: true, query: 'q' };
    const first = await followSuiteLink(input, f.steps);
    expect(first.ok && first.stoppedAt).toBe(f.driven[1]);
    expect(f.created.map((s) => [s.splitId, s.method])).toEqual([
      ['cmexam/val', 'choice'],
      ['custom/qa', 'open'],
      ['cmexam/test', 'choice'],
    ]);
    expect(f.driven).toHaveLength(2); // the second stopped: the third waits
    const suite = f.saved[0];
    expect(suite.id).toBe(await suiteIdFor(link.members!));
    expect(suite.members.map((m) => m.splitId)).toEqual(['cmexam/val', 'custom/qa', 'cmexam/test']);
    // Opened again: the same runs (ids), the done one skipped.
    const again = await followSuiteLink(input, f.steps);
    expect(again.ok && again.stoppedAt).toBeNull();
    expect(f.driven.slice(2)).toEqual([suite.members[1].runId, suite.members[2].runId]);
    expect(f.saved[1].createdAt).toBe(suite.createdAt);
  });

  it('a stored split without an address is a member by its id (the Run step), never a link', async () => {
    const link = parseSuiteLink(`mode=suite&suite=cmexam:val&${RUN}`);
    const local: SuiteMember = {
      ref: 'stored:custom/mine',
      dataset: null,
      splitId: 'custom/mine',
      spec: { ...link.members![0].spec, splitId: 'custom/mine' },
      openMaxTokens: null,
    };
    const f = fakeSteps({ 'custom/mine': 'open' });
    const result = await followSuiteLink(
      { members: [link.members![0], local], autostart: false, query: '' },
      f.steps,
    );
    expect(result.ok).toBe(true);
    expect(f.created.map((s) => [s.splitId, s.method])).toEqual([
      ['cmexam/val', 'choice'],
      ['custom/mine', 'open'],
    ]);
    expect(() => suiteLinkFor([link.members![0], local], false)).toThrow('has no link');
    // A suite whose method is open runs its choice members by choice.
    const open = { ...local, spec: { ...local.spec, method: 'open' as const } };
    expect(memberSpec(open, 'cmexam/val', 'choice').method).toBe('choice');
  });

  it('few-shot: the CMExam examples split is imported once; open members ask zero-shot', async () => {
    const link = parseSuiteLink(
      `mode=suite&suite=cmexam:val,${encodeURIComponent(QA)}&mirror=https://m.example/&` +
        RUN.replace('zero-shot', 'few-shot') +
        '&k=2&shots=train',
    );
    expect(link.problems).toEqual([]);
    const f = fakeSteps({ 'custom/qa': 'open' });
    const imported: [string, string | null][] = [];
    await followSuiteLink(
      { members: link.members!, autostart: false, query: 'q' },
      {
        ...f.steps,
        importCmexamSplit: async (split, mirror) => void imported.push([split, mirror]),
      },
    );
    expect(imported).toEqual([['train', 'https://m.example/']]);
    expect(f.created.map((s) => [s.method, s.prompt, s.k, s.shotsSplitId])).toEqual([
      ['choice', 'few-shot', 2, 'cmexam/train'],
      ['open', 'zero-shot', 0, null],
    ]);
  });

  it('names the member whose split could not be imported', async () => {
    const link = parseSuiteLink(`mode=suite&suite=cmexam:val&${RUN}`);
    const f = fakeSteps({});
    const result = await followSuiteLink(
      { members: link.members!, autostart: true, query: 'q' },
      { ...f.steps, importSplit: async () => null },
    );
    expect(result).toMatchObject({ ok: false, stage: 'dataset', member: 'cmexam:val' });
  });
});

describe('the suite summary', () => {
  it('a row per model, a cell per member: accuracy for choice, BLEU/ROUGE for open', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(3));
    await storeSplit(db, 'custom/qa', openRows(2), 'sha-qa', { kind: 'open' });
    const engine = new ScriptedEngine();
    engine.generatedFor = (p) => (p.includes('开放题0') ? '参考答案0' : '');
    const ref: ModelRef = { kind: 'demo', engine: 'wllama', model: 'demo:tiny-random' };
    const runner = new Runner(db, () => ({ engine, ref }), db);
    const link = parseSuiteLink(`mode=suite&suite=cmexam:val,${encodeURIComponent(QA)}&${RUN}`);
    const specs = [
      memberSpec(link.members![0], 'cmexam/val', 'choice'),
      memberSpec(link.members![1], 'custom/qa', 'open'),
    ];
    const ids: string[] = [];
    for (const s of specs) {
      const id = await runIdFor(s);
      await runner.create(id, s);
      await runner.drive(id, () => {});
      ids.push(id);
    }
    const suiteId = await suiteIdFor(link.members!);
    await db.suites.put({
      id: suiteId,
      createdAt: 'now',
      updatedAt: 'now',
      query: 'q',
      members: [
        { ref: 'cmexam:val', splitId: 'cmexam/val', runId: ids[0] },
        { ref: QA, splitId: 'custom/qa', runId: ids[1] },
      ],
    });
    const service = new ReportService(db, async () => (t: string) => [...t], 'test');
    const s = await service.suiteSummary(suiteId);
    expect(s.splits).toEqual(['cmexam/val', 'custom/qa']);
    expect(s.rows).toHaveLength(1);
    const [choice, open] = s.rows[0].cells;
    // The scripted engine always says A: rows 0–2 have gold A, B, C → 1 of 3.
    expect(choice?.accuracy).toBeCloseTo(1 / 3, 12);
    // ROUGE-1: item 0 ≈ 1, item 1 0 → 50.
    expect(open?.rouge1).toBeCloseTo(50, 5);
    const csv = suiteToCsv(s).split('\n');
    expect(csv[0]).toContain('cmexam/val accuracy %');
    expect(csv[1]).toContain('33.33');
    expect(JSON.parse(await service.exportSuite(suiteId, 'json')).format).toBe('cmexam-eval-suite');
  });
});
