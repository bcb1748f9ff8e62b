import { readFile, writeFile } from 'node:fs/promises';
import { expect, test, type Download, type Page } from '@playwright/test';
import { answersOf, expectRunDone, link, type StoredAnswer } from './helpers';

// Two real runs with the tiny model, then the Results step: minutes on 2 cores.
test.describe.configure({ timeout: 300_000 });

interface ExportedResults {
  format: string;
  version: number;
  run: { id: string; spec: { method: string }; total: number };
  metrics: Record<string, number | string | null>;
  breakdowns: Record<string, unknown>;
  records: {
    question_id: string;
    row: number;
    gold: string;
    prediction: string;
    correct: boolean;
    raw_output: string;
    option_probs: Record<string, number> | null;
    explanation: string | null;
    error: string | null;
  }[];
}

async function download(page: Page, testId: string): Promise<Download> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(testId).click(),
  ]);
  return file;
}

async function downloadText(page: Page, testId: string): Promise<string> {
  return readFile((await (await download(page, testId)).path())!, 'utf8');
}

async function openResults(page: Page, runId: string): Promise<void> {
  await page.getByTestId('step-results').click();
  await page.getByTestId('results-run').selectOption(runId);
  await expect(page.getByTestId('report')).toBeVisible();
}

/** Accuracy the way CMExam counts it, from the answers stored in IndexedDB. */
function accuracyOf(answers: StoredAnswer[], gold: Map<string, string>): number {
  return answers.filter((a) => a.prediction !== '' && a.prediction === gold.get(a.questionId))
    .length;
}

test('a run produces a report; its JSON re-imports elsewhere to the same numbers; the HTML report opens offline', async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Two runs over the same first 20 questions, so they pair up in the comparison.
  await page.goto(link('subset=first&n=20&method=choice&prompt=zero-shot&multi=constrained'));
  const choiceId = await expectRunDone(page, 20);
  await page.goto(link('subset=first&n=20&method=generate&prompt=zero-shot&max_tokens=12'));
  const generateId = await expectRunDone(page, 20);

  await openResults(page, choiceId);
  await expect(page.getByTestId('report-protocol')).toHaveText('cmexam-char');
  await expect(page.getByTestId('metric-n')).toHaveText('20');
  const exported = JSON.parse(await downloadText(page, 'export-json')) as ExportedResults;
  expect(exported.format).toBe('cmexam-eval-results');
  expect(exported.version).toBe(1);
  expect(exported.run.id).toBe(choiceId);
  expect(exported.records).toHaveLength(20);

  // The report's accuracy is the stored answers' exact matches over all 20 questions.
  const answers = await answersOf(page, choiceId);
  const gold = new Map(exported.records.map((r) => [r.question_id, r.gold]));
  const correct = accuracyOf(answers, gold);
  expect(exported.metrics.accuracy).toBeCloseTo(correct / 20, 12);
  expect(exported.metrics.protocol).toBe('cmexam-char');
  await expect(page.getByTestId('metric-accuracy')).toHaveText(
    `${((correct / 20) * 100).toFixed(1)}%`,
  );
  for (const r of exported.records) {
    expect(Object.values(r.option_probs ?? {}).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    expect(r.explanation).toBeNull();
  }

  // Switching protocol re-scores: the jieba protocol counts accuracy over parsed answers.
  await page.getByTestId('results-protocol').selectOption('cmexam-jieba');
  await expect(page.getByTestId('report-protocol')).toHaveText('cmexam-jieba');
  await page.getByTestId('results-protocol').selectOption('cmexam-char');
  await expect(page.getByTestId('report-protocol')).toHaveText('cmexam-char');

  // The inspector lists exactly the unparsed answers of the generate run under that filter.
  await page.getByTestId('results-run').selectOption(generateId);
  await expect(
    page.getByTestId('text-metrics').or(page.getByTestId('text-metrics-none')),
  ).toBeVisible();
  const generated = await answersOf(page, generateId);
  await page.getByTestId('results-tab-inspector').click();
  await page.getByTestId('inspector-filter').selectOption('unparsed');
  const unparsed = generated.filter((a) => a.status === 'unparsed').length;
  await expect(page.getByTestId('inspector-count')).toHaveText(`${unparsed} questions`);
  await page.getByTestId('inspector-filter').selectOption('all');
  await expect(page.getByTestId('inspector-row')).toHaveCount(20);
  await page.getByTestId('inspector-row').first().getByRole('button').click();
  await expect(page.getByTestId('inspector-raw')).toHaveText(
    generated.find((a) => a.questionId === exported.records[0].question_id)!.raw,
  );

  // Leaderboard: both runs and the paper's nine rows.
  await page.getByTestId('results-tab-leaderboard').click();
  await expect(page.getByTestId('board-run')).toHaveCount(2);
  await expect(page.getByTestId('board-paper')).toHaveCount(9);
  await page.getByTestId('sort-model').click();
  await expect(page.getByTestId('leaderboard').locator('th[aria-sort="ascending"]')).toHaveCount(1);

  // Compare: McNemar over the 20 questions both runs answered.
  await page.getByTestId('results-tab-compare').click();
  await page.getByTestId('compare-a').selectOption(choiceId);
  await page.getByTestId('compare-b').selectOption(generateId);
  await expect(page.getByTestId('mcnemar')).toContainText('Paired on 20 questions');

  // The HTML report: no script, no request, charts inline; it opens with the network blocked.
  await page.getByTestId('results-tab-report').click();
  await page.getByTestId('results-run').selectOption(choiceId);
  await expect(page.getByTestId('metric-n')).toHaveText('20');
  const html = await downloadText(page, 'export-html');
  expect(html).not.toContain('<script');
  const htmlPath = testInfo.outputPath('report.html');
  await writeFile(htmlPath, html);
  await context.close();

  const offline = await browser.newContext({ offline: true });
  const requests: string[] = [];
  offline.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  const viewer = await offline.newPage();
  await viewer.goto(`file://${htmlPath}`);
  await expect(viewer.locator('h1')).toContainText('cmexam/val');
  expect(await viewer.locator('figure svg').count()).toBeGreaterThanOrEqual(1);
  await expect(viewer.locator('table.records tbody tr')).toHaveCount(20);
  expect(requests).toEqual([]);
  await offline.close();

  // Another browser profile: import the JSON; the report shows the same numbers.
  const other = await browser.newContext();
  const page2 = await other.newPage();
  await page2.goto('/#results');
  const jsonPath = testInfo.outputPath('results.json');
  await writeFile(jsonPath, JSON.stringify(exported));
  await page2.getByTestId('import-results-input').setInputFiles(jsonPath);
  await expect(page2.getByTestId('results-notice')).toContainText('Imported 1 run');
  await expect(page2.getByTestId('metric-n')).toHaveText('20');
  const again = JSON.parse(await downloadText(page2, 'export-json')) as ExportedResults;
  expect(again.metrics).toEqual(exported.metrics);
  expect(again.breakdowns).toEqual(exported.breakdowns);
  expect(again.records.map((r) => [r.question_id, r.prediction, r.correct])).toEqual(
    exported.records.map((r) => [r.question_id, r.prediction, r.correct]),
  );

  // A hand-edited file is refused with the reason, and nothing is stored from it.
  const mangled = structuredClone(exported);
  mangled.records[3].correct = !mangled.records[3].correct;
  const mangledPath = testInfo.outputPath('mangled.json');
  await writeFile(mangledPath, JSON.stringify(mangled));
  await page2.getByTestId('import-results-input').setInputFiles(mangledPath);
  await expect(page2.getByTestId('results-error')).toContainText('records[3].correct');
  await expect(page2.getByTestId('results-run').locator('option')).toHaveCount(1);
  // Without its split here, the imported run is read-only: shown with the reason, no Resume.
  await page2.getByTestId('step-run').click();
  await expect(page2.getByTestId('run-row')).toHaveAttribute('data-pin', 'absent');
  await expect(page2.getByTestId('run-pin')).toContainText('read-only');
  await expect(page2.getByTestId('run-resume')).toHaveCount(0);
  await other.close();
});

test('shards run in two browsers merge into one run after import', async ({
  browser,
}, testInfo) => {
  const files: string[] = [];
  for (const shard of ['1/2', '2/2']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link(`subset=first&n=16&method=choice&prompt=zero-shot&shard=${shard}`));
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
      timeout: 120_000,
    });
    const runId = (await page.getByTestId('run-status').getAttribute('data-run-id'))!;
    await openResults(page, runId);
    const path = testInfo.outputPath(`shard-${shard.replace('/', '-of-')}.json`);
    await writeFile(path, await downloadText(page, 'export-json'));
    files.push(path);
    await context.close();
  }
  const shards = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as ExportedResults),
  );
  expect(shards[0].records.length + shards[1].records.length).toBe(16);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/#results');
  await page.getByTestId('import-results-input').setInputFiles(files);
  await expect(page.getByTestId('results-notice')).toContainText('Imported 2 runs');
  await page.getByTestId('merge-shards').click();
  await expect(page.getByTestId('results-notice')).toContainText('Merged 2 shards');
  await expect(page.getByTestId('metric-n')).toHaveText('16');
  const merged = JSON.parse(await downloadText(page, 'export-json')) as ExportedResults;
  const correct = shards.flatMap((s) => s.records).filter((r) => r.correct).length;
  expect(merged.metrics.accuracy).toBeCloseTo(correct / 16, 12);
  expect(new Set(merged.records.map((r) => r.question_id)).size).toBe(16);
  await context.close();
});

test('a circular run asks every rotation and reports accuracy per rotation', async ({ page }) => {
  await page.goto(link('subset=first&n=4&method=choice&prompt=zero-shot&circular=1'));
  const runId = await expectRunDone(page, 4);
  const answers = (await answersOf(page, runId)) as (StoredAnswer & {
    rotations?: { shift: number; prediction: string }[];
  })[];
  for (const a of answers) {
    const k = Object.keys(a.optionProbs ?? {}).length;
    expect(a.rotations?.map((r) => r.shift)).toEqual(Array.from({ length: k }, (_, i) => i));
    expect(a.rotations?.[0].prediction).toBe(a.prediction);
  }
  await openResults(page, runId);
  await expect(page.getByTestId('circular')).toContainText('correct under every rotation');
});

test('a dataset with annotations gets per-value accuracy with intervals, the difficulty curve and charts', async ({
  page,
}) => {
  const dataset = encodeURIComponent('http://127.0.0.1:4174/fixtures/annotated.csv');
  await page.goto(
    `/?dataset=${dataset}&split=annotated&model=demo:tiny-random&engine=wllama&method=choice&prompt=zero-shot&autostart=1`,
  );
  const runId = await expectRunDone(page, 24);
  await openResults(page, runId);
  const exported = JSON.parse(await downloadText(page, 'export-json')) as ExportedResults & {
    breakdowns: Record<string, Record<string, { n: number; accuracy: number; ci_low: number }>>;
    difficulty: Record<string, { n: number; accuracy: number }>;
  };
  // Per value: correct answers over that value's questions, from the records themselves.
  const groups = exported.breakdowns['Disease Group'];
  expect(Object.keys(groups).sort()).toEqual(['呼吸', '心血管', '消化']);
  for (const [value, cell] of Object.entries(groups)) {
    expect(cell.n).toBe(8);
    const rows = exported.records.filter(
      (r) =>
        (r as unknown as { annotations: Record<string, string> }).annotations['Disease Group'] ===
        value,
    );
    expect(cell.accuracy).toBeCloseTo(rows.filter((r) => r.correct).length / 8, 12);
    expect(cell.ci_low).toBeLessThanOrEqual(cell.accuracy);
  }
  expect(Object.keys(exported.difficulty).sort()).toEqual(['1', '2', '3']);
  await expect(page.getByTestId('breakdown')).toHaveCount(2);
  await expect(page.getByTestId('breakdown').first().locator('tbody tr')).toHaveCount(3);
  // Accuracy by value, the difficulty curve, the letter matrix and the reliability plot.
  await expect(page.locator('figure.chart svg')).toHaveCount(4);
  await expect(page.getByTestId('calibration')).toContainText('Brier');
  // The Results step speaks Chinese too.
  await page.getByTestId('language-toggle').click();
  await expect(page.getByTestId('results-tab-leaderboard')).toHaveText('排行榜');
  await expect(page.locator('#results-h')).toHaveText('结果');
});
