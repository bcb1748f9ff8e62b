// The results file (src/lib/report/results.ts) and the HTML report (src/lib/report/html.ts), on
// hand-made run and answer records (synthetic text, no CMExam content).
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { AnswerRecord, RunRecord } from '../../src/lib/db/database';
import { canonicalJson, defaultSpec } from '../../src/lib/eval/spec';
import type { RunSpec } from '../../src/lib/eval/types';
import { resultsToHtml } from '../../src/lib/report/html';
import {
  answersOf,
  buildResults,
  parseResults,
  RESULTS_FORMAT,
  RESULTS_VERSION,
  ResultsFileError,
  scoringRecordOf,
  unshardedSpec,
  type QuestionFacts,
  type ResultsFile,
} from '../../src/lib/report/results';
import { recordsToCsv, resultsToMarkdown } from '../../src/lib/report/tables';
import { scoreRecords } from '../../src/lib/scoring';

const NASTY =
  'Answer: <script>alert(1)</script> <img src=x onerror="alert(2)"> see https://evil.example/x.js';

function spec(over: Partial<RunSpec> = {}): RunSpec {
  return { ...defaultSpec('custom/synthetic', 'demo:tiny-random', 'wllama'), ...over };
}

function run(s: RunSpec = spec({ method: 'generate' }), answers = 3): RunRecord {
  return {
    id: 'abcdef0123456789',
    spec: s,
    status: 'done',
    total: 4,
    skipped: 0,
    totals: {
      done: answers,
      correct: 1,
      parsed: 2,
      errors: 0,
      promptTokens: 300,
      completionTokens: 90,
      prefillTpsSum: 200,
      decodeTpsSum: 40,
      rateSamples: 2,
      latencyMsSum: 600,
    },
    model: 'Tiny | model',
    device: 'wllama CPU, 2 threads',
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:05:05.000Z',
    activeMs: 60_000,
    error: null,
  };
}

function answer(
  row: number,
  gold: string,
  prediction: string,
  over: Partial<AnswerRecord> = {},
): AnswerRecord {
  const status = prediction === '' ? 'unparsed' : 'parsed';
  return {
    runId: 'abcdef0123456789',
    questionId: `custom/synthetic/${row}`,
    row,
    promptHash: `hash${row}`,
    calls: [
      {
        kind: 'answer',
        messages: [{ role: 'user', content: `合成题 ${row}` }],
        templateHash: 't1',
        raw: `答案：${prediction}`,
        promptTokens: 100,
        completionTokens: 30,
        timings: {
          timeToFirstTokenMs: 10 + row,
          prefillTokensPerSecond: 100,
          decodeTokensPerSecond: 20,
          totalMs: 200,
        },
      },
    ],
    raw: `答案：${prediction}`,
    prediction,
    status,
    extractionRule: status === 'parsed' ? 'answer-prefix' : null,
    gold,
    correct: status === 'parsed' && prediction === gold,
    optionProbs: null,
    explanation: `合成解释${row}`,
    promptTokens: 100,
    completionTokens: 30,
    latencyMs: 200,
    attempts: 1,
    error: null,
    createdAt: '2025-01-02T03:04:30.000Z',
    ...over,
  };
}

const ANSWERS: AnswerRecord[] = [
  answer(0, 'A', 'A'),
  answer(1, 'C', 'B', { raw: 'B, "quoted", and\nnew line', explanation: "=cmd|' /C calc'!A0" }),
  answer(3, 'BD', '', { raw: NASTY, explanation: '' }),
];

const FACTS: Record<number, QuestionFacts> = {
  0: {
    reference: '合成参考解释零',
    annotations: { 'Disease Group': '甲组', 'Difficulty level': '1' },
  },
  1: {
    reference: '合成参考解释一',
    annotations: { 'Disease Group': '乙组, 含逗号', 'Difficulty level': '2' },
  },
  3: { reference: '', annotations: { 'Disease Group': '甲组', 'Difficulty level': '1' } },
};
const facts = (a: AnswerRecord) => FACTS[a.row];

function build(r: RunRecord = run(), answers: AnswerRecord[] = ANSWERS): ResultsFile {
  const explains = r.spec.method === 'generate';
  const score = scoreRecords(
    answers.map((a) => scoringRecordOf(a, facts(a), explains)),
    { protocol: 'cmexam-char' },
  );
  return buildResults({
    run: r,
    answers,
    facts,
    score,
    dataset: {
      split_id: 'custom/synthetic',
      rows: 4,
      sha256: '0'.repeat(64),
      source_url: null,
      source_name: 'synthetic.csv',
    },
    generatorVersion: '0.1.0',
    now: new Date('2025-01-03T00:00:00.000Z'),
  });
}

/** The file as text, edited as a hand would: `edit` receives the parsed JSON. */
function edited(edit: (data: any) => void): string {
  const data = JSON.parse(JSON.stringify(build()));
  edit(data);
  return JSON.stringify(data);
}

function refusal(text: string): ResultsFileError {
  try {
    parseResults(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ResultsFileError);
    return err as ResultsFileError;
  }
  throw new Error('parseResults accepted the file');
}

describe('buildResults and parseResults', () => {
  it('writes the header, run, scores and one record per answer', () => {
    const file = build();
    expect(file.format).toBe(RESULTS_FORMAT);
    expect(file.version).toBe(RESULTS_VERSION);
    expect(file.generator).toBe('cmexam-browser 0.1.0');
    expect(file.exported_at).toBe('2025-01-03T00:00:00.000Z');
    expect(file.run).toMatchObject({ total: 4, done: 3, engine: 'wllama', active_ms: 60_000 });
    // 3 answers in 60 s; rates are the means of the engine's samples; TTFT of the last calls.
    expect(file.run.performance).toEqual({
      questions_per_minute: 3,
      prefill_tokens_per_second: 100,
      decode_tokens_per_second: 20,
      time_to_first_token_ms: (10 + 11 + 13) / 3,
      mean_latency_ms: 200,
      prompt_tokens: 300,
      completion_tokens: 90,
    });
    // One right of three (the unparsed one counts as wrong under cmexam-char).
    expect(file.metrics).toMatchObject({ n: 3, correct: 1, parsed: 2, unparsed: 1 });
    expect(file.metrics.accuracy).toBeCloseTo(1 / 3, 12);
    expect(file.records.map((r) => [r.row, r.gold, r.prediction, r.correct])).toEqual([
      [0, 'A', 'A', true],
      [1, 'C', 'B', false],
      [3, 'BD', '', false],
    ]);
    expect(file.records[0]).toMatchObject({
      question_id: 'custom/synthetic/0',
      explanation: '合成解释0',
      reference: '合成参考解释零',
      calls: [{ kind: 'answer', template_hash: 't1', raw: '答案：A' }],
    });
  });

  it('writes no explanations for the choice method', () => {
    const file = build(run(spec({ method: 'choice' })));
    expect(file.records.every((r) => r.explanation === null)).toBe(true);
    expect(file.metrics.bleu1).toBeNull();
  });

  it('round-trips through JSON unchanged', () => {
    const file = build();
    expect(parseResults(JSON.stringify(file, null, 1))).toEqual(file);
    const circular = build(run(spec({ circular: true })), [
      answer(0, 'A', 'A', {
        optionProbs: { A: 0.7, B: 0.3 },
        rotations: [
          {
            shift: 0,
            prediction: 'A',
            correct: true,
            optionProbs: null,
            raw: 'A',
            promptTokens: 1,
            completionTokens: 1,
          },
          {
            shift: 1,
            prediction: 'B',
            correct: false,
            optionProbs: null,
            raw: 'B',
            promptTokens: 1,
            completionTokens: 1,
          },
        ],
      }),
    ]);
    expect(parseResults(JSON.stringify(circular))).toEqual(circular);
    expect(circular.records[0].rotations).toHaveLength(2);
  });

  it("gives back answers that score to the file's own numbers", () => {
    const file = parseResults(JSON.stringify(build()));
    const answers = answersOf(file, 'imported');
    expect(answers.map((a) => [a.questionId, a.prediction, a.status, a.correct])).toEqual(
      ANSWERS.map((a) => [a.questionId, a.prediction, a.status, a.correct]),
    );
    const again = scoreRecords(
      answers.map((a) => scoringRecordOf(a, a.source!, true)),
      { protocol: 'cmexam-char' },
    );
    expect(again.metrics).toEqual(file.metrics);
    expect(again.breakdowns).toEqual(file.breakdowns);
  });
});

describe('parseResults refuses', () => {
  it('text that is not JSON', () => {
    expect(refusal('{"format": "cmexam-eval-results",').message).toMatch(/not valid JSON/);
  });

  it('another format', () => {
    const err = refusal(edited((d) => (d.format = 'something-else')));
    expect(err.message).toContain('"something-else"');
    expect(err.message).toContain(RESULTS_FORMAT);
    expect(refusal('[1, 2]').message).toContain('"format" is missing');
  });

  it('a newer version, asking for an update', () => {
    expect(refusal(edited((d) => (d.version = 2))).message).toMatch(/version 2, newer .*update/);
    expect(refusal(edited((d) => (d.version = '1'))).message).toMatch(/unknown version "1"/);
  });

  it('a record whose verdict disagrees with its letters', () => {
    const err = refusal(edited((d) => (d.records[1].correct = true)));
    expect(err.problems).toEqual([
      'records[1].correct: expected false (gold "C", prediction "B"), found true',
    ]);
    const unparsed = refusal(
      edited((d) => {
        d.records[0].status = 'unparsed'; // A = A, but not parsed: never correct
      }),
    );
    expect(unparsed.problems[0]).toMatch(/^records\[0\]\.correct: expected false/);
  });

  it('missing or mistyped fields, each named by its path', () => {
    const err = refusal(
      edited((d) => {
        delete d.run.id;
        delete d.records[0].raw_output;
        d.records[2].row = -1;
        d.records[1].prediction = 'b?';
        delete d.run.spec.subset;
      }),
    );
    expect(err.message).toMatch(/^This results file is damaged:/);
    expect(err.problems).toEqual([
      'run.id: expected a string, found undefined',
      'run.spec: "subset" must be an object, not missing.',
      'records[0].raw_output: expected a string, found undefined',
      'records[1].prediction: expected option letters (A–Z) or "", found "b?"',
      'records[2].row: expected a whole number ≥ 0, found -1',
    ]);
    expect(refusal(edited((d) => delete d.records)).problems).toEqual([
      'records: expected an array, found undefined',
    ]);
  });

  it('duplicate question ids', () => {
    const err = refusal(edited((d) => (d.records[2].question_id = d.records[0].question_id)));
    expect(err.problems).toEqual([
      'records[2].question_id: expected a unique id, found "custom/synthetic/0"',
    ]);
  });

  it('more answers than the run has questions', () => {
    const err = refusal(edited((d) => (d.run.total = 2)));
    expect(err.problems).toEqual(['records: 3 answers for a run of 2 questions']);
  });
});

describe('recordsToCsv', () => {
  const csv = recordsToCsv(build());

  it('starts with a byte-order mark and ends lines with CRLF', () => {
    expect(csv.startsWith('\ufeffquestion_id,row,gold,prediction,status,correct,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('quotes commas, quotes and new lines, and reads back to the same values', () => {
    expect(csv).toContain('"B, ""quoted"", and\nnew line"');
    const rows = Papa.parse<Record<string, string>>(csv.slice(1), {
      header: true,
      skipEmptyLines: true,
    }).data;
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]).slice(-2)).toEqual(['Disease Group', 'Difficulty level']);
    expect(rows[1]).toMatchObject({
      question_id: 'custom/synthetic/1',
      row: '1',
      gold: 'C',
      prediction: 'B',
      status: 'parsed',
      correct: 'false',
      raw_output: 'B, "quoted", and\nnew line',
      'Disease Group': '乙组, 含逗号',
      'Difficulty level': '2',
    });
    expect(rows[0]).toMatchObject({
      raw_output: '答案：A',
      explanation: '合成解释0',
      correct: 'true',
    });
    expect(rows[2]).toMatchObject({ raw_output: NASTY, prediction: '', status: 'unparsed' });
  });

  it('neutralises text a spreadsheet would run as a formula', () => {
    expect(csv).toContain(`"'=cmd|' /C calc'!A0"`);
    const rows = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data;
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('writes option probabilities as JSON in one cell', () => {
    const file = build(run(spec()), [answer(0, 'A', 'A', { optionProbs: { A: 0.75, B: 0.25 } })]);
    const [row] = Papa.parse<Record<string, string>>(recordsToCsv(file).slice(1), {
      header: true,
      skipEmptyLines: true,
    }).data;
    expect(JSON.parse(row.option_probs)).toEqual({ A: 0.75, B: 0.25 });
  });
});

describe('resultsToMarkdown', () => {
  it('has the title, the headline row and a table per annotation', () => {
    const md = resultsToMarkdown(build());
    expect(md).toContain('## Tiny \\| model on custom/synthetic');
    expect(md).toContain('Protocol `cmexam-char`; 3 questions; method generate, prompt zero-shot.');
    expect(md).toContain('| n | accuracy % | 95% CI | weighted F1 % |');
    expect(md).toMatch(/^\| 3 \| 33\.3 \| \d+\.\d–\d+\.\d \| /m);
    expect(md).toContain('### Disease Group');
    expect(md).toContain('### Difficulty level');
    expect(md).toMatch(/^\| 甲组 \| 2 \| 50\.0 \| /m);
  });

  it('is written in the chosen language (English by default)', () => {
    const zh = resultsToMarkdown(build(), 'zh');
    expect(zh).toContain('## Tiny \\| model · custom/synthetic');
    expect(zh).toContain('评测协议 `cmexam-char`；3 道题；方法 generate，提示 zero-shot。');
    expect(zh).toContain('| n | 准确率 % | 95% 置信区间 | 加权 F1 % | 未解析 |');
    expect(zh).toContain('| 取值 | n | 准确率 % | 95% 置信区间 | 加权 F1 % |');
    expect(zh).not.toContain('accuracy %');
    expect(resultsToMarkdown(build(), 'en')).toBe(resultsToMarkdown(build()));
  });
});

describe('unshardedSpec', () => {
  const shard = (index: number, count: number, over: Partial<RunSpec> = {}) =>
    spec({ ...over, subset: { ...spec().subset, shard: { index, count } } });

  it('makes shard 1/1', () => {
    expect(unshardedSpec(shard(2, 3)).subset.shard).toEqual({ index: 1, count: 1 });
  });

  it('is the same for every shard of one spec, and differs between specs', () => {
    const keys = [1, 2, 3].map((i) => canonicalJson(unshardedSpec(shard(i, 3))));
    expect(new Set(keys).size).toBe(1);
    expect(canonicalJson(unshardedSpec(shard(1, 3, { seed: 7 })))).not.toBe(keys[0]);
    expect(canonicalJson(unshardedSpec(shard(1, 3, { prompt: 'cot' })))).not.toBe(keys[0]);
  });

  it('is canonical: fields the run ignores do not split a group', () => {
    const a = shard(1, 2);
    const b = shard(2, 2, { k: 5 }); // k is ignored unless few-shot
    expect(canonicalJson(unshardedSpec(a))).toBe(canonicalJson(unshardedSpec(b)));
  });
});

describe('resultsToHtml in a language', () => {
  it('has English headings by default and Chinese ones for zh', () => {
    const en = resultsToHtml(build(), {});
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('<h2>Metrics (protocol cmexam-char)</h2>');
    expect(en).toContain('<h2>Answers</h2>');
    expect(en).toContain('<h2>Reference rows: CMExam paper, official test split</h2>');
    const zh = resultsToHtml(build(), {}, 'zh');
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('<h2>指标（评测协议 cmexam-char）</h2>');
    expect(zh).toContain('<h2>作答明细</h2>');
    expect(zh).toContain('<h2>参考结果：CMExam 论文，官方测试集</h2>');
    expect(zh).toContain('人类志愿者');
    expect(zh).not.toContain('<h2>Answers</h2>');
  });
});

describe('resultsToHtml', () => {
  const html = resultsToHtml(build(), {
    'Accuracy by difficulty':
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
  });

  // The markup's tags: escaped text has no '<', so model output is never among them.
  const tags = html.match(/<[^>]*>/g) ?? [];

  it('escapes model output: no script, no live element from the text', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#60;img src=x onerror=&#34;alert(2)&#34;&#62;');
    expect(html).toContain('Tiny | model');
    // Every real tag is one of the report's own: no event handler attribute anywhere.
    for (const tag of tags) expect(tag).not.toMatch(/\son\w+\s*=/i);
  });

  it('references nothing outside the file', () => {
    // No attribute or CSS loads anything; a URL appears only as text (escaped model output)
    // or as the SVG namespace name, which loads nothing.
    for (const tag of tags)
      expect(tag).not.toMatch(/\s(src|href|action|poster|srcset|xlink:href|data)\s*=/i);
    expect(html).not.toMatch(/url\(|@import|<link|<iframe|<object|<embed|<base/i);
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>&]*/g)].map((m) => m[0]);
    for (const url of urls)
      expect(['http://www.w3.org/2000/svg', 'https://evil.example/x.js']).toContain(url);
    expect(html).toContain('see https://evil.example/x.js</td>');
  });

  it('carries a content security policy that allows no script and no request', () => {
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });
});
