import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { answersOf, DATA, expectRunDone, expectStatus, MIRROR, readDb } from './helpers';

const run = promisify(execFile);
const HUATUO = `${DATA}/fixtures/huatuo.jsonl`;

test.describe.configure({ timeout: 180_000 });

test('an open-ended run on a Huatuo-shaped file: the report equals the score CLI on the same outputs', async ({
  page,
}) => {
  const link =
    `/?dataset=${encodeURIComponent(HUATUO)}&split=huatuo-fixture&model=demo:tiny-random` +
    '&engine=wllama&method=open&prompt=zero-shot&max_tokens=8&autostart=1';
  await page.goto(link);
  const runId = await expectRunDone(page, 6);
  const answers = await answersOf<{
    row: number;
    explanation: string;
    raw: string;
    status: string;
  }>(page, runId);
  expect(answers).toHaveLength(6);
  for (const a of answers) {
    expect(a.status).toBe('parsed');
    expect(a.explanation).toBe(a.raw); // the whole output is the answer
  }

  await page.getByTestId('step-results').click();
  await page.getByTestId('results-run').selectOption(runId);
  const metrics = page.getByTestId('open-metrics');
  await expect(metrics).toBeVisible();
  await expect(page.getByTestId('report-protocol')).toHaveText('qilin-open');
  await expect(metrics).toHaveAttribute('data-n', '6');
  await expect(page.getByTestId('open-paper-rows')).toContainText('Qilin-Med (DPO)');
  await expect(page.getByTestId('open-breakdown').first()).toHaveAttribute('data-column', 'source');

  // The same outputs through `npm run score` on the same file.
  const dir = await mkdtemp(join(tmpdir(), 'open-e2e-'));
  const dataset = join(dir, 'huatuo.jsonl');
  await writeFile(dataset, await (await fetch(HUATUO)).text());
  const predictions = join(dir, 'outputs.jsonl');
  await writeFile(
    predictions,
    answers.map((a) => JSON.stringify({ row: a.row, output: a.explanation })).join('\n') + '\n',
  );
  for (const protocol of ['qilin-open', 'open-char']) {
    if (protocol === 'open-char') {
      await page.getByTestId('results-open-protocol').selectOption('open-char');
      await expect(page.getByTestId('report-protocol')).toHaveText('open-char');
    }
    const { stdout } = await run('node', [
      '--import',
      'tsx',
      'scripts/score-cli.ts',
      '--dataset',
      dataset,
      '--predictions',
      predictions,
      '--protocol',
      protocol,
    ]);
    const cli = JSON.parse(stdout).metrics as Record<string, number>;
    const shown = page.getByTestId('open-metrics');
    for (const [attr, key] of [
      ['data-bleu1', 'bleu1'],
      ['data-bleu2', 'bleu2'],
      ['data-bleu4', 'bleu4'],
      ['data-rouge1', 'rouge1'],
      ['data-rouge2', 'rouge2'],
      ['data-rougel', 'rougeL'],
      ['data-distinct1', 'distinct1'],
      ['data-distinct2', 'distinct2'],
      ['data-empty', 'empty'],
    ] as const) {
      const value = Number(await shown.getAttribute(attr));
      expect(value, `${protocol} ${key}`).toBeCloseTo(cli[key], 9);
    }
  }

  // The exported results file carries the open scores, each output and its references.
  await page.getByTestId('results-tab-report').click();
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const exported = JSON.parse(await readFile((await file.path())!, 'utf8'));
  expect(exported.open.protocol).toBe('open-char');
  expect(exported.open.metrics.n).toBe(6);
  const byRow = new Map(answers.map((a) => [a.row, a.explanation]));
  for (const r of exported.records) {
    expect(r.explanation).toBe(byRow.get(r.row));
    expect(r.references.length).toBeGreaterThan(0);
  }
  expect(exported.records.find((r: { row: number }) => r.row === 5).references).toHaveLength(2);

  // The inspector shows an answer's own scores beside its references.
  await page.getByTestId('results-tab-inspector').click();
  await page.getByTestId('inspector-row').first().getByRole('button').click();
  await expect(page.getByTestId('inspector-open-scores')).toBeVisible();
  await expect(page.getByTestId('inspector-reference').first()).toContainText('合成参考答案');
});

test('a suite over a CMExam split and an open file resumes after a reload and sums up per model', async ({
  page,
}) => {
  const suite =
    `/?mode=suite&suite=cmexam:val,${encodeURIComponent(HUATUO)}&mirror=${encodeURIComponent(MIRROR)}` +
    '&model=demo:tiny-random&engine=wllama&method=choice&prompt=zero-shot&subset=first&n=40' +
    '&max_tokens=8&autostart=1';
  await page.goto(suite);
  const status = page.getByTestId('suite-status');
  const members = page.getByTestId('suite-member');
  await expect(members.nth(0)).not.toHaveAttribute('data-run-id', '', { timeout: 120_000 });
  const firstRun = (await members.nth(0).getAttribute('data-run-id'))!;
  // Reload in the middle of the first run: some of its answers are stored, not all.
  await expect
    .poll(async () => (await answersOf(page, firstRun)).length, { timeout: 120_000 })
    .toBeGreaterThanOrEqual(3);
  const before = await answersOf<{ questionId: string; createdAt: string }>(page, firstRun);
  expect(before.length).toBeLessThan(40);
  await page.reload();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await expect(status).toHaveAttribute('data-runs-done', '2');
  expect(await members.nth(0).getAttribute('data-run-id')).toBe(firstRun);
  const secondRun = (await members.nth(1).getAttribute('data-run-id'))!;
  // The answers stored before the reload were kept, not asked again; both runs are complete.
  const after = await answersOf<{ questionId: string; createdAt: string }>(page, firstRun);
  expect(after).toHaveLength(40);
  const kept = new Map(after.map((a) => [a.questionId, a.createdAt]));
  for (const a of before) expect(kept.get(a.questionId)).toBe(a.createdAt);
  expect(await answersOf(page, secondRun)).toHaveLength(6);

  await page.getByTestId('step-results').click();
  await page.getByTestId('results-tab-suite').click();
  const row = page.getByTestId('suite-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-model', 'demo:tiny-random');
  const cells = row.getByTestId('suite-cell');
  await expect(cells).toHaveCount(2);
  await expect(cells.nth(0)).toHaveAttribute('data-run-id', firstRun);
  await expect(cells.nth(1)).toHaveAttribute('data-run-id', secondRun);
  // The choice cell's accuracy is the stored answers' (correct / 40).
  const correct = (await answersOf<{ correct: boolean }>(page, firstRun)).filter(
    (a) => a.correct,
  ).length;
  expect(Number(await cells.nth(0).getAttribute('data-accuracy'))).toBeCloseTo(correct / 40, 12);
  expect(await cells.nth(1).getAttribute('data-rouge1')).not.toBe('');
});

test("files dropped together are one split: CMMLU's subjects, and CMB's questions with their answer key", async ({
  page,
}) => {
  await page.goto('/');
  const csv = (rows: string) => Buffer.from(`,Question,A,B,C,D,Answer\n${rows}`);
  await page.getByTestId('file-input').setInputFiles([
    { name: 'virology.csv', mimeType: 'text/csv', buffer: csv('0,合成病毒题,甲,乙,丙,丁,B\n') },
    {
      name: 'anatomy.csv',
      mimeType: 'text/csv',
      buffer: csv('0,合成解剖题一,甲,乙,丙,丁,A\n1,合成解剖题二,甲,乙,丙,丁,C\n'),
    },
  ]);
  const cmmlu = page.getByTestId('custom-anatomy-and-1');
  await expect(cmmlu.getByTestId('split-shape')).toHaveAttribute('data-shape', 'cmmlu');
  const question = (id: number, type: string) => ({
    id,
    exam_type: '护理考试',
    exam_class: '护士',
    exam_subject: '基础护理',
    question: `合成CMB题${id}`,
    question_type: type,
    option: { A: '甲', B: '乙', C: '丙', D: '丁' },
  });
  await page.getByTestId('file-input').setInputFiles([
    {
      name: 'CMB-test-choice-answer.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify([
          { id: 1, answer: 'B' },
          { id: 2, answer: 'DA' },
        ]),
      ),
    },
    {
      name: 'CMB-test.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify([question(1, '单项选择题'), question(2, '多项选择题')])),
    },
  ]);
  const cmb = page.getByTestId('custom-CMB-test');
  await expect(cmb.getByTestId('split-shape')).toHaveAttribute('data-shape', 'cmb');
  const db = await readDb(page);
  const byId = new Map(db.splits.map((s) => [s.id, s]));
  expect(byId.get('custom/anatomy-and-1')?.rows).toBe(3);
  // The answer key filled the gold answers: one single, one multi (as a letter set).
  expect(byId.get('custom/CMB-test')?.stats.answer_length_histogram).toEqual({ '1': 1, '2': 1 });
});

test("a link downloads CMB's test questions with their answer key from its own address", async ({
  page,
}) => {
  const questions = `${DATA}/fixtures/cmb-test.json`;
  const answers = `${DATA}/fixtures/cmb-test-answers.json`;
  await page.goto(
    `/?dataset=${encodeURIComponent(questions)}&split=cmb-fixture&answers=${encodeURIComponent(answers)}`,
  );
  await expectStatus(page, 'ready', 2);
  const split = (await readDb(page)).splits.find((s) => s.id === 'custom/cmb-fixture')!;
  // Key C for item 1 and DB (a set: BD) for item 2: one single, one double answer, none blank.
  expect(split.stats.answer_length_histogram).toEqual({ '1': 1, '2': 1 });
  expect((split as unknown as { answerKeyUrl: string }).answerKeyUrl).toBe(answers);
});

test('the Run step runs the form over ticked splits as a suite', async ({ page }) => {
  await page.goto(`/?dataset=${encodeURIComponent(HUATUO)}&split=huatuo-ui`);
  await expectStatus(page, 'ready', 6);
  const cmb = `${DATA}/fixtures/cmb-test.json`;
  const key = `${DATA}/fixtures/cmb-test-answers.json`;
  await page.goto(
    `/?dataset=${encodeURIComponent(cmb)}&split=cmb-ui&answers=${encodeURIComponent(key)}`,
  );
  await expectStatus(page, 'ready', 2);
  await page.getByTestId('step-model').click();
  await page.getByTestId('load-demo').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  await page.getByTestId('step-run').click();
  await page.getByTestId('run-n').fill('2');
  await page.locator('summary', { hasText: 'Run as a suite' }).click();
  await page.locator('[data-testid="suite-split"][data-split-id="custom/cmb-ui"]').check();
  await page.locator('[data-testid="suite-split"][data-split-id="custom/huatuo-ui"]').check();
  await page.getByTestId('suite-start').click();
  const status = page.getByTestId('suite-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(status).toHaveAttribute('data-runs-done', '2');
  const runIds = await page
    .getByTestId('suite-member')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')!));
  // The CMB split by the form's method (choice; its multi-answer item left out by multi=skip),
  // the open one by method open (both items).
  expect(await answersOf(page, runIds[0])).toHaveLength(1);
  expect(await answersOf(page, runIds[1])).toHaveLength(2);
  await page.getByTestId('step-results').click();
  await page.getByTestId('results-tab-suite').click();
  await expect(page.getByTestId('suite-cell')).toHaveCount(2);
});
