// The `open` method end to end in the lib: an open split driven by the run loop (in-memory
// IndexedDB, scripted engine), its prompts, the refusals, the link, and the report service's
// open scores computed by hand.
import { describe, expect, it } from 'vitest';
import { freshDb, openRows, ScriptedEngine, storeSplit, syntheticRows } from './support/db';
import type { ModelRef } from '../../src/lib/engines/model-ref';
import { Runner } from '../../src/lib/eval/runner';
import { canonicalSpec, defaultSpec, runIdFor, specProblems } from '../../src/lib/eval/spec';
import { parseRunLink, runLinkFor } from '../../src/lib/eval/link';
import type { RunSpec } from '../../src/lib/eval/types';
import { english } from '../../src/lib/i18n/translate';
import { ReportService } from '../../src/lib/report/service';

const DEMO: ModelRef = { kind: 'demo', engine: 'wllama', model: 'demo:tiny-random' };

function openSpec(over: Partial<RunSpec> = {}): RunSpec {
  const base = defaultSpec('custom/qa', 'demo:tiny-random', 'wllama');
  return canonicalSpec({
    ...base,
    method: 'open',
    generation: { maxTokens: 64, temperature: 0 },
    ...over,
  });
}

async function setup() {
  const db = freshDb();
  await storeSplit(db, 'custom/qa', openRows(4), 'sha-qa', { kind: 'open', shape: 'open-jsonl' });
  await storeSplit(db, 'cmexam/val', syntheticRows(3));
  const engine = new ScriptedEngine();
  const runner = new Runner(db, () => ({ engine, ref: DEMO }), db);
  return { db, engine, runner };
}

describe('method open', () => {
  it('asks each open item in free text (context first) and stores the whole reply', async () => {
    const { db, engine, runner } = await setup();
    engine.generatedFor = (prompt) => (prompt.includes('开放题1') ? '参考 答案1' : '');
    const s = openSpec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    expect(await runner.drive(id, () => {})).toBe('done');
    const answers = await db.answers.where('runId').equals(id).sortBy('row');
    expect(answers.map((a) => [a.row, a.explanation, a.raw, a.prediction, a.correct])).toEqual([
      [0, '', '', '', false],
      [1, '参考 答案1', '参考 答案1', '', false],
      [2, '', '', '', false],
      [3, '', '', '', false],
    ]);
    expect(answers[1].extractionRule).toBe('open');
    // Item 1 has a context: it comes before the question; item 0 has none.
    expect(engine.prompts[1]).toContain('病例1的背景\n\n问题：开放题1：如何处理');
    expect(engine.prompts[0]).toContain('问题：开放题0：如何处理');
    expect(engine.prompts[0]).not.toContain('选项');
  });

  it('few-shot takes examples with their first reference from another open split', async () => {
    const { db, engine, runner } = await setup();
    await storeSplit(db, 'custom/shots', openRows(3, '示例题'), 'sha-shots', { kind: 'open' });
    const s = openSpec({ prompt: 'few-shot', k: 2, shotsSplitId: 'custom/shots' });
    const id = await runIdFor(s);
    await runner.create(id, s);
    expect(await runner.drive(id, () => {})).toBe('done');
    const shown = engine.prompts[0];
    expect(shown.match(/示例题\d/g)).toHaveLength(2);
    expect(shown).toMatch(/参考答案\d/);
  });

  it('refuses method open on choice questions and choice methods on open items', async () => {
    const { runner } = await setup();
    const onChoice = { ...openSpec(), splitId: 'cmexam/val' };
    await expect(runner.create(await runIdFor(onChoice), onChoice)).rejects.toThrow(
      'Method open answers open-ended items, and cmexam/val holds choice questions',
    );
    const choice = canonicalSpec({ ...openSpec(), method: 'choice' });
    await expect(runner.create(await runIdFor(choice), choice)).rejects.toThrow(
      'custom/qa holds open-ended items without options: use method open.',
    );
    expect(specProblems(openSpec({ circular: true })).map((p) => english(p))).toEqual([
      'Circular evaluation rotates the options, and method open has none: use it with choice or generate.',
    ]);
  });

  it('links: method open carries max_tokens only, and reads back as the same run', () => {
    const s = openSpec();
    const query = runLinkFor(
      s,
      { kind: 'url', url: 'https://example.org/qa.jsonl', split: 'qa' },
      false,
    );
    expect(query).toContain('method=open');
    expect(query).toContain('max_tokens=64');
    expect(query).not.toContain('extract=');
    expect(query).not.toContain('multi=');
    expect(parseRunLink(query).spec).toEqual(s);
    const bad = parseRunLink(query.replace('max_tokens=64', 'multi=skip&circular=1'));
    expect(bad.problems.join(' ')).toContain('rotates the options');
  });
});

describe('the report of an open run', () => {
  it('scores the stored replies against the references (qilin-open), by hand', async () => {
    const { db, engine, runner } = await setup();
    // Replies: item 0 its reference exactly, items 1–3 nothing.
    engine.generatedFor = (prompt) => (prompt.includes('开放题0') ? '参考答案0' : '');
    const s = openSpec();
    const id = await runIdFor(s);
    await runner.create(id, s);
    await runner.drive(id, () => {});
    // A stand-in word segmenter: one word per character.
    const service = new ReportService(db, async () => (t: string) => [...t], 'test');
    const report = await service.report(id, 'cmexam-char');
    const open = report.open!;
    // ROUGE-1 F: item 0 ≈ 1 (2/(2 + 1e-8)), items 1–3 0 → mean 25.
    expect(open.metrics.rouge1).toBeCloseTo(25, 5);
    // BLEU-1: 5 of 5 characters matched; output length 5, references 4 × 5 = 20 → BP e^(1 − 4).
    expect(open.metrics.bleu1).toBeCloseTo(100 * Math.exp(-3), 9);
    expect(open.metrics).toMatchObject({ n: 4, empty: 3, protocol: 'qilin-open' });
    expect(Object.keys(open.breakdowns.source)).toEqual(['甲站', '乙站']);
    const detail = await service.inspect(id, 'custom/qa/0', 'cmexam-char');
    expect(detail.question?.references).toEqual(['参考答案0']);
    expect(detail.openScores?.rouge1).toBeCloseTo(100, 5);
    const char = await service.report(id, 'cmexam-char', 'open-char');
    expect(char.open?.metrics.protocol).toBe('open-char');
    // The exports show the open figures, not accuracy.
    const md = await service.exportMarkdown(id, 'cmexam-char');
    expect(md).toContain('`qilin-open`');
    expect(md).toContain('| n | BLEU-1 | BLEU-2 | BLEU-4 | ROUGE-1 |');
    expect(md).toContain('### source');
    expect(md).not.toContain('accuracy');
    const html = await service.exportHtml(id, 'cmexam-char', {}, 'en', 'open-char');
    expect(html).toContain('Qilin-Med (DPO)');
    expect(html).toContain('open-char');
    const board = await service.leaderboard('cmexam-char');
    expect(board[0].open?.rouge1).toBeCloseTo(25, 5);
    // Its results file scores the same in another browser that has not stored the split.
    const exported = await service.exportResults(id, 'cmexam-char');
    const other = freshDb();
    const elsewhere = new ReportService(other, async () => (t: string) => [...t], 'test');
    expect(JSON.parse(exported).records[0].references).toEqual(['参考答案0']);
    const { runId } = await elsewhere.importResults(exported, 'open.json');
    const again = await elsewhere.report(runId, 'cmexam-char');
    expect(again.open?.metrics).toEqual(open.metrics);
  });
});

describe('pinning open items', () => {
  it("an open item's fingerprint covers its context and references; a choice one is as before", async () => {
    const { questionFingerprint } = await import('../../src/lib/eval/pin');
    const [item] = openRows(2).slice(1); // row 1 has a context
    const base = questionFingerprint(item);
    expect(questionFingerprint({ ...item, context: '另一个背景' })).not.toBe(base);
    expect(questionFingerprint({ ...item, references: ['另一个答案'] })).not.toBe(base);
    const [choice] = syntheticRows(1);
    // The choice fingerprint ignores the fields only open items have.
    expect(questionFingerprint({ ...choice, context: 'x' })).toBe(questionFingerprint(choice));
  });
});
