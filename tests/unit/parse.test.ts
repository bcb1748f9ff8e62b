import { describe, expect, it } from 'vitest';
import { parseDataset, type ParseSummary } from '../../src/lib/dataset/parse';
import { DatasetError } from '../../src/lib/dataset/errors';
import type { DatasetRow } from '../../src/lib/dataset/types';
import { chunksOf, csvRow, HEADER, SYNTHETIC_ROWS, syntheticCsv, TEST_HEADER } from './fixtures';

async function parse(
  input: string | Uint8Array,
  chunk = 1 << 16,
  name = 'file.csv',
): Promise<{ rows: DatasetRow[]; summary: ParseSummary }> {
  const rows: DatasetRow[] = [];
  const summary = await parseDataset(chunksOf(input, chunk), { name, chunkRows: 2 }, (b) => {
    // Every batch is one aligned chunk of data rows.
    expect(new Set(b.map((r) => Math.floor(r.row / 2))).size).toBe(1);
    rows.push(...b);
  });
  return { rows, summary };
}

async function parseError(input: string | Uint8Array, name = 'file.csv'): Promise<DatasetError> {
  try {
    await parse(input, 1 << 16, name);
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
  throw new Error('expected the parse to fail');
}

describe('CSV parsing', () => {
  it('reads every synthetic case with flags and options split on the first space', async () => {
    const { rows, summary } = await parse(syntheticCsv());
    expect(summary.rows).toBe(5);
    expect(summary.problemCount).toBe(0);
    expect(rows.map((r) => r.row)).toEqual([0, 1, 2, 3, 4]);
    expect(rows[0].options[2]).toEqual({ key: 'C', text: '丙 指标' });
    expect(rows[1].options.map((o) => o.key).join('')).toBe('ABCD');
    expect(rows[1].blankExplanation).toBe(true);
    expect(rows[2]).toMatchObject({ answer: 'ABD', multi: true });
    expect(rows[3]).toMatchObject({ answer: '', blankAnswer: true, multi: false });
    expect(rows[4].options.map((o) => o.key).join('')).toBe('BCDE');
    expect(rows[4].explanation).toBe('Text with "quotes", commas, and\nnew lines.');
    expect(summary.stats).toMatchObject({
      answer_length_histogram: { '0': 1, '1': 3, '3': 1 },
      option_count_histogram: { '5': 3, '4': 2 },
      option_sets: { ABCDE: 3, ABCD: 1, BCDE: 1 },
      blank_answers: 1,
      blank_explanations: 1,
      multi_answer: 1,
    });
  });

  it('gives the same rows whatever the chunk boundaries (every split point of a small file)', async () => {
    const text = syntheticCsv();
    const whole = (await parse(text)).rows;
    const size = new TextEncoder().encode(text).length;
    for (const chunk of [1, 2, 3, 7, 13, 64, size - 1]) {
      expect((await parse(text, chunk)).rows).toEqual(whole);
    }
  });

  it('tolerates a byte-order mark and CRLF line ends, and hashes the bytes', async () => {
    const plain = await parse(syntheticCsv());
    const crlf = await parse('\uFEFF' + syntheticCsv('\r\n'), 5);
    expect(crlf.rows.map((r) => [r.question, r.answer, r.options.length])).toEqual(
      plain.rows.map((r) => [r.question, r.answer, r.options.length]),
    );
    expect(crlf.summary.columns[0]).toBe('Question');
    expect(crlf.summary.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(crlf.summary.sha256).not.toBe(plain.summary.sha256);
  });

  it('matches headers by name, not position, and keeps extra columns as annotations', async () => {
    const text =
      'Explanation,Answer,Note,Options,Question\n' +
      csvRow(['解释', 'B', '备注一', 'A 甲\nB 乙', '题干']) +
      '\n';
    const { rows, summary } = await parse(text);
    expect(rows[0]).toMatchObject({ question: '题干', answer: 'B', explanation: '解释' });
    expect(rows[0].annotations).toEqual({ Note: '备注一' });
    expect(summary.annotationColumns).toEqual(['Note']);
  });

  it('normalises difficulty read as a float and counts annotations', async () => {
    const text = syntheticCsv(
      '\n',
      [
        [...SYNTHETIC_ROWS[0], '肿瘤', '疾病治疗', '外科', '临床医学', '1.0'],
        [...SYNTHETIC_ROWS[1], '不符合', '医学基础知识', '内科', '中医学', '3'],
      ],
      TEST_HEADER,
    );
    const { rows, summary } = await parse(text);
    expect(rows[0].annotations['Difficulty level']).toBe('1');
    expect(summary.stats.annotation_counts['Area of Competency']).toEqual({
      疾病治疗: 1,
      医学基础知识: 1,
    });
  });

  it('reports malformed rows by data row and imports the others', async () => {
    const text = [
      HEADER,
      csvRow(SYNTHETIC_ROWS[0]),
      csvRow(['', 'A 甲\nB 乙', 'A', '']), // row 1: empty question
      csvRow(['题', 'A 甲\nB 乙', 'F', '']), // row 2: answer not an option
      csvRow(['题', 'no letters here', 'A', '']), // row 3: options unreadable
      'only,two', // row 4: field count
      csvRow(SYNTHETIC_ROWS[2]),
    ].join('\n');
    const { rows, summary } = await parse(text);
    expect(rows.map((r) => r.row)).toEqual([0, 5]);
    expect(summary.dataRows).toBe(6);
    expect(summary.problems.map((p) => p.row)).toEqual([1, 2, 3, 4]);
    expect(summary.problems[1].message).toContain('F');
    expect(summary.problems[3].message).toContain('2 fields');
  });

  it('names every missing column', async () => {
    const err = await parseError('Question,Explanation\nq,e\n');
    expect(err.code).toBe('missing-columns');
    expect(err.message).toContain('Options, Answer');
  });

  it('rejects HTML pages, archives, empty files and header-only files', async () => {
    expect((await parseError('<!DOCTYPE html><html><body>404</body></html>')).message).toContain(
      'HTML page',
    );
    expect((await parseError(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))).message).toContain('ZIP');
    expect((await parseError('')).code).toBe('empty');
    expect((await parseError(HEADER + '\n')).message).toContain('no data rows');
  });

  it('rejects bytes that are not UTF-8, naming the offset', async () => {
    const good = new TextEncoder().encode(syntheticCsv());
    // Offset 20 is inside the ASCII header; 0xB2 0xE2 is GBK, not UTF-8.
    const bad = new Uint8Array([...good.slice(0, 20), 0xb2, 0xe2, ...good.slice(20)]);
    const err = await parseError(bad);
    expect(err.code).toBe('encoding');
    expect(err.message).toContain('not valid UTF-8 (invalid byte at offset 20)');
  });

  it('fails when no row is usable', async () => {
    const err = await parseError(HEADER + '\n' + csvRow(['q', 'x', 'A', '']) + '\n');
    expect(err.code).toBe('no-valid-rows');
  });
});

describe('JSON and JSONL', () => {
  const objects = [
    {
      Question: '题一',
      Options: [
        { key: 'A', value: '甲' },
        { key: 'B', value: '乙 丙' },
      ],
      Answer: 'B',
      Explanation: '解释',
      'Difficulty level': 2.0,
    },
    { Question: '题二', Options: 'A 一\nB 二\nC 三', Answer: 'AC', Explanation: '' },
  ];

  it('imports the Hugging Face shape with Options as {key, value} objects', async () => {
    const { rows, summary } = await parse(JSON.stringify(objects), 7, 'x.json');
    expect(summary.format).toBe('json');
    expect(rows[0].options).toEqual([
      { key: 'A', text: '甲' },
      { key: 'B', text: '乙 丙' },
    ]);
    expect(rows[0].annotations['Difficulty level']).toBe('2');
    expect(rows[1]).toMatchObject({ answer: 'AC', multi: true, blankExplanation: true });
  });

  it('imports JSONL and reports a broken line by row', async () => {
    const text = [JSON.stringify(objects[0]), '{broken', JSON.stringify(objects[1])].join('\n');
    const { rows, summary } = await parse(text, 5, 'x.jsonl');
    expect(summary.format).toBe('jsonl');
    expect(rows.map((r) => r.row)).toEqual([0, 2]);
    expect(summary.problems).toEqual([{ row: 1, message: 'is not valid JSON' }]);
  });
});
