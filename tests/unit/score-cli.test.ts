// `npm run score` (scripts/score-cli.ts) on a synthetic dataset written here (no CMExam content):
// numbers checked against hand arithmetic, a results file from buildResults giving the same
// output as the JSONL of the same answers, and every refusal.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnswerRecord, RunRecord } from '../../src/lib/db/database';
import { defaultSpec } from '../../src/lib/eval/spec';
import type { Method } from '../../src/lib/eval/types';
import { buildResults, scoringRecordOf, type QuestionFacts } from '../../src/lib/report/results';
import { scoreRecords } from '../../src/lib/scoring';
import { runScoreCli } from '../../scripts/score-cli';
import { syntheticCsv, TEST_HEADER } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cmexam-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS = 'A 甲项\nB 乙项\nC 丙项\nD 丁项\nE 戊项';
// Question, Options, Answer, Explanation, Disease Group, Area of Competency, Clinical
// Department, Medical Discipline, Difficulty level.
const ROWS: string[][] = [
  ['合成题零', OPTIONS, 'A', '甲乙丙丁', '甲组', '能力一', '科一', '学科一', '1.0'],
  ['合成题一', OPTIONS, 'B', '戊己庚辛', '甲组', '能力一', '科一', '学科一', '2.0'],
  ['合成题二', OPTIONS, 'C', '', '乙组', '能力一', '科一', '学科一', '1.0'],
  ['合成题三', OPTIONS, 'ABD', '多选的解释', '乙组', '能力一', '科一', '学科一', '2.0'],
  ['合成题四', OPTIONS, 'E', '第五题解释', '乙组', '能力一', '科一', '学科一', '1.0'],
  ['合成题五', OPTIONS, 'D', '第六题解释', '甲组', '能力一', '科一', '学科一', '3.0'],
  ['坏行', 'no letters here', 'A', '', '甲组', '能力一', '科一', '学科一', '1.0'],
];
const GOLD = ['A', 'B', 'C', 'ABD', 'E', 'D'];
const DATASET = join(dir, 'synthetic.csv');
writeFileSync(DATASET, syntheticCsv('\n', ROWS, TEST_HEADER));

// Rows 0–4 answered: 0 right, 1 wrong (C for B), 2 unparsed, 3 right (written "d,b,a"), 4 right.
// Row 5 has no prediction; row 6 is a row the parser refuses.
const PREDICTIONS = [
  { row: 0, answer: 'A' },
  { row: 1, answer: 'C' },
  { row: 2, answer: '' },
  { row: 3, answer: 'd,b,a' },
  { row: 4, answer: 'e' },
];
const LETTERS = ['A', 'C', '', 'ABD', 'E'];

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const jsonl = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

async function score(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runScoreCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

async function scored(...argv: string[]) {
  const r = await score(...argv);
  expect(r.stderr).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  return { ...r, out: JSON.parse(r.stdout) };
}

/** Wilson 95% interval, written out again for the checks. */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [c - h, Math.min(1, c + h)];
}

describe('npm run score: predictions JSONL', () => {
  const predictions = write('predictions.jsonl', jsonl(PREDICTIONS));

  it('cmexam-char: every question counts, unparsed is wrong', async () => {
    const { out, stderr } = await scored('--dataset', DATASET, '--predictions', predictions);
    expect(Object.keys(out)).toEqual([
      'metrics',
      'breakdowns',
      'breakdown_summary',
      'difficulty',
      'calibration',
      'position_bias',
      'circular',
    ]);
    const m = out.metrics;
    // n = 5 (rows 0–4); correct = rows 0, 3, 4 = 3; parsed = 4 (row 2 empty).
    expect(m).toMatchObject({ protocol: 'cmexam-char', n: 5, correct: 3, parsed: 4, unparsed: 1 });
    expect(m.accuracy).toBeCloseTo(3 / 5, 12);
    expect(m.accuracy_all).toBeCloseTo(3 / 5, 12);
    expect(m.accuracy_parsed).toBeCloseTo(3 / 4, 12);
    expect(m.unparsed_rate).toBeCloseTo(1 / 5, 12);
    expect([m.accuracy_ci_low, m.accuracy_ci_high]).toEqual(
      wilson(3, 5).map((x) => expect.closeTo(x, 12)),
    );
    // Weighted F1 over (gold, predicted label) = (A,A) (B,C) (C,无答案) (ABD,ABD) (E,E); every
    // gold label has support 1: F1 A = 1, B = 0 (never predicted), C = 0 (its one prediction
    // is row 1's, gold B), ABD = 1, E = 1 → (1+0+0+1+1)/5. Precision: A 1, B 0, C 0, ABD 1,
    // E 1 → 3/5; recall likewise 3/5.
    expect(m.weighted_f1).toBeCloseTo(3 / 5, 12);
    expect(m.weighted_precision).toBeCloseTo(3 / 5, 12);
    expect(m.weighted_recall).toBeCloseTo(3 / 5, 12);
    // No line has an "explanation": no text metrics, as for the choice method.
    expect([m.bleu1, m.bleu4, m.rouge1, m.rouge2, m.rougeL]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    // 甲组: rows 0 (right), 1 (wrong) → 1/2; 乙组: rows 2 (unparsed), 3, 4 (right) → 2/3.
    expect(out.breakdowns['Disease Group']['甲组']).toMatchObject({
      n: 2,
      correct: 1,
      accuracy: 0.5,
    });
    expect(out.breakdowns['Disease Group']['乙组']).toMatchObject({ n: 3, correct: 2 });
    expect(out.breakdowns['Disease Group']['乙组'].accuracy).toBeCloseTo(2 / 3, 12);
    // Difficulty (1.0 read as 1): level 1 = rows 0, 2, 4 → 2/3; level 2 = rows 1, 3 → 1/2;
    // level 3 only on row 5, which has no prediction.
    expect(Object.keys(out.difficulty)).toEqual(['1', '2']);
    expect(out.difficulty['1']).toMatchObject({ n: 3, correct: 2 });
    expect(out.difficulty['2']).toMatchObject({ n: 2, correct: 1, accuracy: 0.5 });
    expect(out.breakdown_summary['Disease Group']).toMatchObject({ values: 2 });
    expect(out.breakdown_summary['Disease Group'].macro_accuracy).toBeCloseTo(
      (1 / 2 + 2 / 3) / 2,
      12,
    );
    expect(out.breakdown_summary['Disease Group'].micro_accuracy).toBeCloseTo(3 / 5, 12);
    expect(out.calibration).toBeNull();
    expect(out.circular).toBeNull();
    expect(out.position_bias.predicted).toEqual({ A: 1, C: 1, E: 1, multi: 1, unparsed: 1 });
    // Row 5 has no prediction: scored as a shard, with a warning.
    expect(stderr).toContain('warning: 1 of the dataset');
    expect(stderr).toMatch(/scored 5 rows in \d+(\.\d+)? ms/);
  });

  it('cmexam-jieba: parsed answers only, jieba not loaded without explanations', async () => {
    const { out, stderr } = await scored(
      '--dataset',
      DATASET,
      '--predictions',
      predictions,
      '--protocol',
      'cmexam-jieba',
    );
    const m = out.metrics;
    // Parsed rows 0, 1, 3, 4: 3 right of 4. F1 A 1, B 0, ABD 1, E 1 over supports of 1 → 3/4.
    expect(m).toMatchObject({ protocol: 'cmexam-jieba', n: 5, correct: 3, parsed: 4 });
    expect(m.accuracy).toBeCloseTo(3 / 4, 12);
    expect(m.accuracy_all).toBeCloseTo(3 / 5, 12);
    expect(m.weighted_f1).toBeCloseTo(3 / 4, 12);
    expect(m.bleu1).toBeNull();
    // 乙组 under jieba: rows 3 and 4 (row 2 unparsed is left out) → 2/2.
    expect(out.breakdowns['Disease Group']['乙组']).toMatchObject({
      n: 2,
      correct: 2,
      accuracy: 1,
    });
    expect(stderr).not.toContain('jieba loaded');
  });

  it('scores explanations when the lines have them (character BLEU and ROUGE)', async () => {
    const file = write(
      'explained.jsonl',
      jsonl([
        { row: 0, answer: 'A', explanation: '甲乙丙丁' },
        { row: 1, answer: 'B', explanation: '戊己' },
      ]),
    );
    const { out, stderr } = await scored('--dataset', DATASET, '--predictions', file);
    const m = out.metrics;
    expect(stderr).toContain('warning: 4 of the dataset');
    expect(m.explanations_scored).toBe(2);
    // Characters: hypotheses 甲乙丙丁 + 戊己 (6), references 甲乙丙丁 + 戊己庚辛 (8). Every
    // n-gram of the hypotheses is in its reference, so p1 … p4 = 1 and BLEU-1 = BLEU-4 = the
    // brevity penalty exp(1 − 8/6).
    expect(m.bleu1).toBeCloseTo(100 * Math.exp(1 - 8 / 6), 9);
    expect(m.bleu4).toBeCloseTo(100 * Math.exp(1 - 8 / 6), 9);
    // ROUGE, mean over rows, prediction as hypothesis. Row 0 is exact (1). Row 1: ROUGE-1
    // P 2/2, R 2/4 → F 2/3; ROUGE-2 P 1/1, R 1/3 → F 1/2; ROUGE-L (LCS 2, β = P/R = 2):
    // F = (1+β²)PR/(R+β²P) = 5·0.5/4.5 = 5/9. (The script's F has a 1e-8 in its
    // denominator, hence 4 decimals.)
    expect(m.rouge1).toBeCloseTo((100 * (1 + 2 / 3)) / 2, 4);
    expect(m.rouge2).toBeCloseTo((100 * (1 + 1 / 2)) / 2, 4);
    expect(m.rougeL).toBeCloseTo((100 * (1 + 5 / 9)) / 2, 4);

    // A line without "explanation" then counts as an empty one: it enters the char protocol's
    // ROUGE with an empty hypothesis (its reference is not blank), so the mean drops.
    const mixed = write(
      'mixed.jsonl',
      jsonl([
        { row: 0, answer: 'A', explanation: '甲乙丙丁' },
        { row: 4, answer: 'E' },
      ]),
    );
    const r = await scored('--dataset', DATASET, '--predictions', mixed);
    expect(r.out.metrics.explanations_scored).toBe(2);
    expect(r.out.metrics.rouge1).toBeCloseTo(50, 4);
  });

  it('takes blank lines, a byte-order mark, null answers and extra keys', async () => {
    const file = write(
      'loose.jsonl',
      '\ufeff' +
        '{"row": 2, "answer": null, "raw": "…"}\n\n   \n' +
        '{"row": 0, "answer": " a "}\r\n',
    );
    const { out } = await scored('--dataset', DATASET, '--predictions', file);
    expect(out.metrics).toMatchObject({ n: 2, correct: 1, parsed: 1, unparsed: 1 });
  });

  it('warns about a letter that is not an option', async () => {
    const file = write('f.jsonl', jsonl([{ row: 0, answer: 'F' }]));
    const { out, stderr } = await scored('--dataset', DATASET, '--predictions', file);
    expect(stderr).toContain('1 predictions name a letter that is not an option');
    expect(out.metrics.correct).toBe(0);
  });
});

describe('npm run score: a results file', () => {
  const facts = (row: number): QuestionFacts => ({
    reference: ROWS[row][3],
    annotations: {
      'Disease Group': ROWS[row][4],
      'Area of Competency': ROWS[row][5],
      'Clinical Department': ROWS[row][6],
      'Medical Discipline': ROWS[row][7],
      'Difficulty level': ROWS[row][8].replace(/\.0$/, ''),
    },
  });

  function resultsFile(method: Method, explanations: string[] = []): string {
    const spec = { ...defaultSpec('custom/synthetic', 'demo:tiny-random', 'wllama'), method };
    const answers: AnswerRecord[] = LETTERS.map((prediction, row) => ({
      runId: 'r',
      questionId: `custom/synthetic/${row}`,
      row,
      promptHash: 'h',
      calls: [],
      raw: prediction,
      prediction,
      status: prediction ? 'parsed' : 'unparsed',
      extractionRule: null,
      gold: GOLD[row],
      correct: prediction !== '' && prediction === GOLD[row],
      optionProbs: null,
      explanation: explanations[row] ?? '',
      promptTokens: 0,
      completionTokens: 0,
      latencyMs: 0,
      attempts: 1,
      error: null,
      createdAt: '2025-01-01T00:00:00.000Z',
    }));
    const run: RunRecord = {
      id: '0123456789abcdef',
      spec,
      status: 'done',
      total: 6,
      skipped: 0,
      totals: {
        done: 5,
        correct: 3,
        parsed: 4,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        prefillTpsSum: 0,
        decodeTpsSum: 0,
        rateSamples: 0,
        latencyMsSum: 0,
      },
      model: 'demo',
      device: null,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      activeMs: 1000,
      error: null,
    };
    const explains = method === 'generate';
    const file = buildResults({
      run,
      answers,
      facts: (a) => facts(a.row),
      score: scoreRecords(
        answers.map((a) => scoringRecordOf(a, facts(a.row), explains)),
        { protocol: 'cmexam-char' },
      ),
      dataset: null,
      generatorVersion: 'test',
    });
    return JSON.stringify(file, null, 1);
  }

  it('gives the numbers of the JSONL of the same answers, and of the export', async () => {
    const path = write('choice.results.json', resultsFile('choice'));
    const predictions = write('same.jsonl', jsonl(PREDICTIONS));
    for (const protocol of ['cmexam-char', 'cmexam-jieba']) {
      const fromFile = await scored(
        '--dataset',
        DATASET,
        '--predictions',
        path,
        '--protocol',
        protocol,
      );
      const fromJsonl = await scored(
        '--dataset',
        DATASET,
        '--predictions',
        predictions,
        '--protocol',
        protocol,
      );
      expect(fromFile.stdout).toBe(fromJsonl.stdout);
    }
    const char = await scored('--dataset', DATASET, '--predictions', path);
    const exported = JSON.parse(resultsFile('choice'));
    expect(char.out.metrics).toEqual(exported.metrics);
    expect(char.out.breakdowns).toEqual(exported.breakdowns);
    expect(char.out.difficulty).toEqual(exported.difficulty);
    expect(char.stderr).toContain("the results file's own metrics agree");
  });

  it('scores explanations of a generate run as the JSONL with explanations', async () => {
    const texts = ['甲乙丙丁', '戊己', '随便', '多选', '第五'];
    const path = write('generate.results.json', resultsFile('generate', texts));
    const predictions = write(
      'generate.jsonl',
      jsonl(PREDICTIONS.map((p, i) => ({ ...p, explanation: texts[i] }))),
    );
    const a = await scored('--dataset', DATASET, '--predictions', path);
    const b = await scored('--dataset', DATASET, '--predictions', predictions);
    expect(a.out.metrics.bleu1).not.toBeNull();
    expect(a.stdout).toBe(b.stdout);
  });

  it('refuses a damaged file, and one made on another dataset', async () => {
    const data = JSON.parse(resultsFile('choice'));
    data.records[1].correct = true;
    const damaged = await score(
      '--dataset',
      DATASET,
      '--predictions',
      write('bad.json', JSON.stringify(data)),
    );
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toContain('records[1].correct: expected false');
    expect(damaged.stdout).toBe('');

    const other = JSON.parse(resultsFile('choice'));
    other.records[0].gold = 'B';
    other.records[0].correct = false;
    const r = await score(
      '--dataset',
      DATASET,
      '--predictions',
      write('other.json', JSON.stringify(other)),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('records[0] (custom/synthetic/0): gold answer "B"');
    expect(r.stderr).toContain('another dataset');

    const format = await score(
      '--dataset',
      DATASET,
      '--predictions',
      write('format.json', JSON.stringify({ format: 'something', version: 1 })),
    );
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('not a results file');
  });
});

describe('npm run score: refusals (exit status 2, the reason on stderr)', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"row": 0, "answer": "A"}\n{"row": 1, answer: B}\n', /line 2: not valid JSON/],
    ['an array line', '[0, "A"]\n', /line 1: expected an object/],
    [
      'a row not in the dataset',
      '{"row": 99, "answer": "A"}\n',
      /line 1: the dataset has no data row 99 \(its data rows are 0…6\)/,
    ],
    [
      'a row the parser refused',
      '{"row": 6, "answer": "A"}\n',
      /line 1: data row 6 of the dataset could not be read \(option line 1/,
    ],
    [
      'a row that is no number',
      '{"row": "3", "answer": "A"}\n',
      /line 1: "row" must be a 0-based data row number, found "3"/,
    ],
    [
      'a duplicate row',
      '{"row": 0, "answer": "A"}\n{"row": 1, "answer": "B"}\n{"row": 0, "answer": "C"}\n',
      /line 3: a second prediction for row 0 \(the first is on line 1\)/,
    ],
    [
      'an answer that is not letters',
      '{"row": 0, "answer": "A?"}\n',
      /line 1: "answer" must be option letters/,
    ],
    [
      'an answer that is a number',
      '{"row": 0, "answer": 1}\n',
      /line 1: "answer" must be option letters/,
    ],
    ['no answer', '{"row": 0}\n', /line 1: no "answer"/],
    [
      'an explanation that is no string',
      '{"row": 0, "answer": "A", "explanation": 3}\n',
      /line 1: "explanation" must be a string/,
    ],
    ['an empty file', '\n\n', /no predictions in the file/],
  ];
  for (const [name, text, message] of cases) {
    it(name, async () => {
      const path = write(`${name.replace(/\W+/g, '-')}.jsonl`, text);
      const r = await score('--dataset', DATASET, '--predictions', path);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(path);
    });
  }

  it('bad arguments', async () => {
    const predictions = write('ok.jsonl', jsonl(PREDICTIONS));
    const none = await score('--dataset', DATASET);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--dataset and --predictions are both needed');
    expect(none.stderr).toContain('usage: npm run score');
    const protocol = await score(
      '--dataset',
      DATASET,
      '--predictions',
      predictions,
      '--protocol',
      'bleu',
    );
    expect(protocol.code).toBe(2);
    expect(protocol.stderr).toContain('unknown protocol "bleu"');
    const option = await score('--dataset', DATASET, '--predictions', predictions, '--fast');
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--fast'");
    const missing = await score('--dataset', join(dir, 'nope.csv'), '--predictions', predictions);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const notData = await score('--dataset', predictions, '--predictions', predictions);
    expect(notData.code).toBe(2);
    expect(notData.stderr).toContain('cannot read');
  });

  it('--help prints the usage', async () => {
    const r = await score('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: npm run score -- --dataset <file> --predictions <file>');
    expect(r.stdout).toContain('cmexam-char | cmexam-jieba');
  });
});

describe('npm run score as a process', () => {
  const exec = promisify(execFile);
  async function cli(...argv: string[]) {
    try {
      const { stdout, stderr } = await exec('node', [
        '--import',
        'tsx',
        'scripts/score-cli.ts',
        ...argv,
      ]);
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }

  it('prints the JSON on stdout and exits 0', async () => {
    const predictions = write('process.jsonl', jsonl(PREDICTIONS));
    const ok = await cli('--dataset', DATASET, '--predictions', predictions);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).metrics).toMatchObject({ n: 5, correct: 3 });
    expect(ok.stderr).toMatch(/scored 5 rows in/);
    const bad = await score('--dataset', DATASET, '--predictions', write('p.jsonl', 'nope\n'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('line 1: not valid JSON');
  }, 30_000);
});

describe('npm run score with cmexam-jieba', () => {
  const cli = score;
  it('cmexam-jieba with explanations loads jieba and scores the words', async () => {
    const file = write(
      'explained-process.jsonl',
      jsonl([
        { row: 0, answer: 'A', explanation: '甲乙丙丁' },
        { row: 1, answer: 'B', explanation: '戊己' },
      ]),
    );
    const char = await cli('--dataset', DATASET, '--predictions', file);
    const jieba = await cli(
      '--dataset',
      DATASET,
      '--predictions',
      file,
      '--protocol',
      'cmexam-jieba',
    );
    expect(jieba.code).toBe(0);
    expect(jieba.stderr).toMatch(/jieba loaded in \d+ ms/);
    const m = JSON.parse(jieba.stdout).metrics;
    const c = JSON.parse(char.stdout).metrics;
    expect(m.explanations_scored).toBe(2);
    expect(m.bleu1).not.toBeNull();
    // ROUGE-N F is the same with hypothesis and reference swapped (jieba's crossed names).
    expect(m.rouge1).toBeCloseTo(c.rouge1, 6);
    expect(m.rouge2).toBeCloseTo(c.rouge2, 6);
    expect(m.rouge1_p).toBeCloseTo(c.rouge1_r, 6);
  }, 30_000);
});

describe('npm run score on open-ended items', () => {
  // Item 0's reference has 10 characters (多 twice); item 1's 4. Output 0 is the reference
  // with a space inside (removed before scoring), output 1 is empty.
  const HUATUO = write(
    'huatuo.jsonl',
    jsonl([
      { questions: '合成问题零', answers: '患者应多休息并多喝水', source: '甲' },
      { questions: '合成问题一', answers: '注意饮食', source: '乙' },
      { questions: '合成问题二', answers: '没有预测的题' },
    ]),
  );
  const OUTPUTS = write(
    'outputs.jsonl',
    jsonl([
      { row: 0, output: '患者应多休息 并多喝水' },
      { row: 1, output: '' },
    ]),
  );

  it('qilin-open by default: ROUGE, Distinct counts, length and empties, by hand', async () => {
    const { out, stderr } = await scored('--dataset', HUATUO, '--predictions', OUTPUTS);
    expect(stderr).toContain("1 of the dataset's 3 items have no prediction");
    const m = out.metrics;
    expect(m).toMatchObject({ protocol: 'qilin-open', n: 2, empty: 1, avg_length: 5 });
    // ROUGE per item: item 0 identical → F = 2/(2 + 1e-8) ≈ 1; item 1 "" → 0; mean 50.
    expect(m.rouge1).toBeCloseTo(50, 5);
    expect(m.rouge2).toBeCloseTo(50, 5);
    expect(m.rougeL).toBeCloseTo(50, 5);
    for (const key of ['bleu1', 'bleu2', 'bleu4', 'distinct1', 'distinct2']) {
      expect(typeof m[key], key).toBe('number');
    }
    expect(Object.keys(out)).toEqual(['metrics', 'breakdowns']);
    expect(out.breakdowns.source['乙']).toMatchObject({ n: 1, rouge1: 0, empty: 1 });
    expect(out.breakdowns.source['甲'].rouge1).toBeCloseTo(100, 5);
  }, 30_000);

  it('open-char: character BLEU, by hand', async () => {
    const { out } = await scored(
      '--dataset',
      HUATUO,
      '--predictions',
      OUTPUTS,
      '--protocol',
      'open-char',
    );
    // Every n-gram of output 0 is in its reference: p1..p4 = 1 (output 1 has none).
    // Lengths: output 10 + 0, references 10 + 4 → BP = exp(1 - 14/10) = e^-0.4.
    expect(out.metrics.bleu1).toBeCloseTo(100 * Math.exp(-0.4), 9);
    expect(out.metrics.bleu2).toBeCloseTo(100 * Math.exp(-0.4), 9);
    expect(out.metrics.bleu4).toBeCloseTo(100 * Math.exp(-0.4), 9);
  }, 30_000);

  it('refuses a choice protocol for open items, and lines without an output', async () => {
    const wrong = await score(
      '--dataset',
      HUATUO,
      '--predictions',
      OUTPUTS,
      '--protocol',
      'cmexam-char',
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      'holds open-ended items: score them with qilin-open or open-char',
    );
    const bad = write('bad-outputs.jsonl', jsonl([{ row: 0, answer: 'A' }]));
    const noOutput = await score('--dataset', HUATUO, '--predictions', bad);
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toContain('line 1: no "output"');
    const choice = await score(
      '--dataset',
      DATASET,
      '--predictions',
      OUTPUTS,
      '--protocol',
      'qilin-open',
    );
    expect(choice.stderr).toContain('holds choice questions');
  }, 30_000);
});

describe('npm run score on CMMLU: accuracy as the paper reports it', () => {
  it('adds "benchmark": per subject, and the mean over subjects', async () => {
    const data = write(
      'anatomy.csv',
      ',Question,A,B,C,D,Answer\n0,合成一,甲,乙,丙,丁,A\n1,合成二,甲,乙,丙,丁,B\n',
    );
    const predictions = write(
      'cmmlu.jsonl',
      jsonl([
        { row: 0, answer: 'A' },
        { row: 1, answer: 'C' },
      ]),
    );
    const { out } = await scored('--dataset', data, '--predictions', predictions);
    expect(out.benchmark).toMatchObject({
      benchmark: 'cmmlu',
      groups: [{ name: 'anatomy', n: 2, correct: 1, accuracy: 0.5 }],
      overall: { label: 'subjects', accuracy: 0.5 },
    });
    expect(out.metrics.accuracy).toBe(0.5);
  }, 30_000);
});
