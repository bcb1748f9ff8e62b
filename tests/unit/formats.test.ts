import { describe, expect, it } from 'vitest';
import { parseDataset, parseDatasetFiles, type ParseSummary } from '../../src/lib/dataset/parse';
import { DatasetError } from '../../src/lib/dataset/errors';
import { readAnswerKey, looksLikeAnswerKey } from '../../src/lib/dataset/formats/cmb';
import { subjectFromName } from '../../src/lib/dataset/formats/cmmlu';
import type { BenchmarkFormat, DatasetRow } from '../../src/lib/dataset/types';
import { chunksOf } from './fixtures';
import * as F from './formats/fixtures';

async function parse(
  text: string,
  name: string,
  extra: { shape?: BenchmarkFormat; answerKey?: ReadonlyMap<string, string> } = {},
): Promise<{ rows: DatasetRow[]; summary: ParseSummary }> {
  const rows: DatasetRow[] = [];
  const summary = await parseDataset(chunksOf(text, 7), { name, ...extra }, (b) => {
    rows.push(...b);
  });
  return { rows, summary };
}

async function failure(text: string, name: string, shape?: BenchmarkFormat): Promise<DatasetError> {
  try {
    await parse(text, name, { shape });
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('CMB-Exam', () => {
  it('reads options objects (empty options dropped), multi answers as letter sets, the rest as annotations', async () => {
    const { rows, summary } = await parse(JSON.stringify(F.CMB_QUESTIONS), 'CMB-val-merge.json');
    expect(summary).toMatchObject({ shape: 'cmb', kind: 'choice', format: 'json', rows: 2 });
    expect(rows[0].options.map((o) => o.key).join('')).toBe('ABCD'); // E was ''
    expect(rows[0]).toMatchObject({ answer: 'B', multi: false });
    expect(rows[1]).toMatchObject({ answer: 'AC', multi: true, explanation: '虚构解释。' });
    expect(rows[1].annotations).toEqual({
      exam_type: '医师考试',
      exam_class: '执业医师',
      exam_subject: '外科',
      question_type: '多项选择题',
    });
    expect(summary.annotationColumns).toEqual([
      'exam_type',
      'exam_class',
      'exam_subject',
      'question_type',
    ]);
  });

  it("fills the test split's gold answers from the answer key that ships apart, by id", async () => {
    const key = readAnswerKey(JSON.stringify(F.CMB_KEY), 'CMB-test-choice-answer.json');
    expect([...key]).toEqual([
      ['1', 'C'],
      ['2', 'DB'],
    ]);
    const { rows } = await parse(JSON.stringify(F.CMB_TEST), 'CMB-test.json', { answerKey: key });
    expect(rows.map((r) => r.answer)).toEqual(['C', 'BD']); // 'DB' sorted, as a set
    // The id only matches the key: it is not kept as an annotation (one group per item).
    expect(rows[1].annotations.id).toBeUndefined();
    // Without the key the questions import with blank answers.
    const bare = await parse(JSON.stringify(F.CMB_TEST), 'CMB-test.json');
    expect(bare.rows.map((r) => r.blankAnswer)).toEqual([true, true]);
    // The key is part of the split's content: another key (or none) is another hash.
    const hashWith = async (keyText: string) =>
      (
        await parseDataset(
          chunksOf(JSON.stringify(F.CMB_TEST), 64),
          {
            name: 'CMB-test.json',
            answerKey: readAnswerKey(keyText, 'k.json'),
            answerKeyBytes: new TextEncoder().encode(keyText),
          },
          () => {},
        )
      ).sha256;
    const keyText = JSON.stringify(F.CMB_KEY);
    expect(await hashWith(keyText)).toBe(await hashWith(keyText));
    expect(await hashWith(keyText)).not.toBe(bare.summary.sha256);
    expect(await hashWith(keyText.replace('"DB"', '"D"'))).not.toBe(await hashWith(keyText));
  });

  it('recognises the answer key alone and says to import it with the questions', async () => {
    expect(looksLikeAnswerKey(JSON.stringify(F.CMB_KEY, null, 2))).toBe(true);
    expect(looksLikeAnswerKey(JSON.stringify(F.CMB_TEST))).toBe(false);
    const err = await failure(JSON.stringify(F.CMB_KEY), 'CMB-test-choice-answer.json');
    expect(err.message).toContain("CMB's answer key");
    expect(() => readAnswerKey('[{"id": 1}]', 'k.json')).toThrow('item 0');
  });
});

describe('MedQA', () => {
  it('takes answer_idx as the gold and reports an item whose answer text disagrees', async () => {
    const { rows, summary } = await parse(F.jsonl(F.MEDQA_LINES), 'test.jsonl');
    expect(summary).toMatchObject({ shape: 'medqa', kind: 'choice', format: 'jsonl' });
    expect(rows.map((r) => [r.row, r.answer])).toEqual([
      [0, 'C'],
      [2, 'E'],
    ]);
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0].row).toBe(1);
    expect(summary.problems[0].message).toContain('answer_idx B is "乙" but answer is "甲"');
    expect(rows[0].annotations).toEqual({ meta_info: '卷一' });
    expect(rows[1].annotations.meta_info).toBe('{"unit":2}'); // an object kept as JSON text
  });
});

describe('CMMLU', () => {
  it('drops the unnamed index column and takes the subject from the file name', async () => {
    const { rows, summary } = await parse(F.CMMLU_ANATOMY, 'data/test/anatomy.csv');
    expect(summary).toMatchObject({ shape: 'cmmlu', kind: 'choice', format: 'csv', rows: 2 });
    expect(rows[1]).toMatchObject({ question: '虚构解剖题二，含逗号', answer: 'D' });
    expect(rows[1].options).toEqual([
      { key: 'A', text: '一' },
      { key: 'B', text: '二' },
      { key: 'C', text: '三' },
      { key: 'D', text: '四' },
    ]);
    expect(rows[0].annotations).toEqual({ subject: 'anatomy' });
    expect(subjectFromName('https://x/data/test/college_medicine.csv?download=1')).toBe(
      'college_medicine',
    );
  });

  it('imports several subject files as one split, rows numbered on, hash over both', async () => {
    const rows: DatasetRow[] = [];
    const summary = await parseDatasetFiles(
      [
        { name: 'anatomy.csv', chunks: chunksOf(F.CMMLU_ANATOMY, 5) },
        { name: 'virology.csv', chunks: chunksOf(F.CMMLU_VIROLOGY, 5) },
      ],
      {},
      (b) => void rows.push(...b),
    );
    expect(rows.map((r) => [r.row, r.annotations.subject])).toEqual([
      [0, 'anatomy'],
      [1, 'anatomy'],
      [2, 'virology'],
    ]);
    expect(summary.stats.annotation_counts.subject).toEqual({ anatomy: 2, virology: 1 });
    const together = await parse(F.CMMLU_ANATOMY + F.CMMLU_VIROLOGY.replace(/^.*\n/, ''), 'x.csv');
    expect(summary.sha256).not.toBe(together.summary.sha256);
  });

  it('refuses a second file of another benchmark, naming both', async () => {
    await expect(
      parseDatasetFiles(
        [
          { name: 'anatomy.csv', chunks: chunksOf(F.CMMLU_ANATOMY, 64) },
          { name: 'medqa.jsonl', chunks: chunksOf(F.jsonl(F.MEDQA_LINES), 64) },
        ],
        {},
        () => {},
      ),
    ).rejects.toThrow('medqa.jsonl is a MedQA file, but the files imported with it are CMMLU');
  });
});

describe('MLEC-QA', () => {
  it('reads qtext, options and a letter or a list of letters', async () => {
    const { rows, summary } = await parse(JSON.stringify(F.MLEC_ITEMS), 'Clinic_test.json');
    expect(summary).toMatchObject({ shape: 'mlec-qa', kind: 'choice' });
    expect(rows.map((r) => r.answer)).toEqual(['D', 'AE']);
    expect(rows[1].annotations).toEqual({ qtype: 'X型题' });
  });
});

describe('open-ended shapes', () => {
  it('Huatuo-26M: a list of answers is several references; a list of questions is joined', async () => {
    const { rows, summary } = await parse(F.jsonl(F.HUATUO_LINES), 'test_datasets.jsonl');
    expect(summary).toMatchObject({ shape: 'huatuo', kind: 'open', rows: 2 });
    expect(summary.stats.open_items).toBe(2);
    expect(rows[0]).toMatchObject({
      kind: 'open',
      question: '虚构问题：头痛怎么办？',
      references: ['虚构回答：多休息。'],
      options: [],
    });
    expect(rows[1]).toMatchObject({
      question: '虚构问题第一句。\n第二句？',
      references: ['参考一', '参考二'],
    });
  });

  it('CMB-Clin: one item per QA pair, its context the case and the earlier pairs', async () => {
    const { rows, summary } = await parse(JSON.stringify(F.CMB_CLIN), 'CMB-Clin-qa.json');
    expect(summary).toMatchObject({ shape: 'cmb-clin', kind: 'open', rows: 3, dataRows: 3 });
    expect(rows.map((r) => r.row)).toEqual([0, 1, 2]);
    expect(rows[0]).toMatchObject({
      question: '初步诊断是什么？',
      context: '患者，男，虚构主诉。',
      references: ['虚构诊断。'],
    });
    expect(rows[1].context).toBe('患者，男，虚构主诉。\n\n问：初步诊断是什么？\n答：虚构诊断。');
    expect(rows[1].annotations).toEqual({ turn: '2', id: 'c1', title: '虚构病例甲' });
    expect(rows[2].annotations).toMatchObject({ id: 'c2', turn: '1' });
  });

  it('generic JSONL and CSV: question with answer or reference, optional context', async () => {
    const { rows, summary } = await parse(F.jsonl(F.OPEN_JSONL), 'qa.jsonl');
    expect(summary).toMatchObject({ shape: 'open-jsonl', kind: 'open' });
    expect(rows[1]).toMatchObject({ references: ['参考答案二'], context: '背景' });
    expect(rows[0].annotations).toEqual({ source: '甲站' });
    const csv = await parse('question,answer\n开放题,"参考，答案"\n', 'qa.csv');
    expect(csv.rows[0]).toMatchObject({ kind: 'open', references: ['参考，答案'] });
  });
});

describe('detection and bad input', () => {
  it('a file of no known shape names CMExam columns and every other shape', async () => {
    const err = await failure(F.jsonl([{ prompt: 'x', completion: 'y' }]), 'x.jsonl');
    expect(err.code).toBe('missing-columns');
    expect(err.message).toContain('Missing columns: Question, Options, Answer');
    for (const shape of [
      'CMB-Exam (question, option',
      'MedQA (',
      'CMMLU (,Question',
      'Huatuo-26M (questions, answers)',
      'CMB-Clin (',
    ]) {
      expect(err.message).toContain(shape);
    }
  });

  it('a shape chosen by the user that the file lacks names what it expected and found', async () => {
    const err = await failure(F.jsonl(F.HUATUO_LINES), 'x.jsonl', 'medqa');
    expect(err.message).toBe(
      'Not a MedQA file: it lacks question, options, answer_idx. Its fields are: "questions", "answers".',
    );
  });

  it('a CMB-Clin case without pairs and a MLEC-QA item with an unknown letter are row problems', async () => {
    const clin = await parse(
      JSON.stringify([{ id: 'x', description: 'd', QA_pairs: [] }, ...F.CMB_CLIN]),
      'c.json',
    );
    expect(clin.summary.problems[0]).toEqual({
      row: 0,
      message: 'QA_pairs is not a list of {question, solution}',
    });
    expect(clin.rows.map((r) => r.row)).toEqual([1, 2, 3]);
    const mlec = await parse(
      JSON.stringify([{ ...F.MLEC_ITEMS[0], answer: 'F' }, F.MLEC_ITEMS[1]]),
      'm.json',
    );
    expect(mlec.summary.problems[0].message).toContain('names F, which is not an option');
  });

  it('CMExam files still parse as before, as cmexam/choice', async () => {
    const { summary } = await parse('Question,Options,Answer\n题,"A 甲\nB 乙",A\n', 'v.csv');
    expect(summary).toMatchObject({ shape: 'cmexam', kind: 'choice', format: 'csv', rows: 1 });
  });
});

describe('files chosen together', () => {
  it('are one split for CMMLU subjects or a CMB answer key, else a split each', async () => {
    const { groupFiles, planFiles } = await import('../../src/lib/dataset/file-set');
    const key = JSON.stringify(F.CMB_KEY);
    const test = JSON.stringify(F.CMB_TEST);
    expect(groupFiles([F.CMMLU_ANATOMY, F.CMMLU_VIROLOGY])).toEqual([[0, 1]]);
    expect(groupFiles([test, key])).toEqual([[0, 1]]);
    expect(groupFiles([F.jsonl(F.MEDQA_LINES), F.CMMLU_ANATOMY])).toEqual([[0], [1]]);
    expect(groupFiles(['Question,Options,Answer\n', 'Question,Options,Answer\n'])).toEqual([
      [0],
      [1],
    ]);
    // The key is read first; the questions in name order.
    expect(
      planFiles([
        { name: 'z.csv', head: F.CMMLU_VIROLOGY },
        { name: 'key.json', head: key },
        { name: 'a.csv', head: F.CMMLU_ANATOMY },
      ]),
    ).toEqual({ answerKey: 1, questions: [2, 0] });
    expect(() =>
      planFiles([
        { name: 'k1.json', head: key },
        { name: 'k2.json', head: key },
      ]),
    ).toThrow('More than one answer key');
  });
});

describe('benchmark sources', () => {
  it('every listed file is a direct address; a Hugging Face mirror replaces only that host', async () => {
    const { BENCHMARK_SOURCES, mirroredUrl } = await import('../../src/lib/dataset/benchmarks');
    for (const b of BENCHMARK_SOURCES) {
      expect(b.licence).not.toBe('');
      for (const f of b.files) {
        expect(f.url).toMatch(
          /^https:\/\/(huggingface\.co\/datasets\/[^/]+\/[^/]+\/resolve\/main\/|raw\.githubusercontent\.com\/)/,
        );
      }
    }
    const hf = 'https://huggingface.co/datasets/org/name/resolve/main/a.json';
    expect(mirroredUrl(hf, 'https://hf-mirror.example')).toBe(
      'https://hf-mirror.example/datasets/org/name/resolve/main/a.json',
    );
    expect(
      mirroredUrl('https://raw.githubusercontent.com/x/y/main/a.csv', 'https://m.example/'),
    ).toBe('https://raw.githubusercontent.com/x/y/main/a.csv');
    expect(mirroredUrl(hf, '')).toBe(hf);
  });
});
