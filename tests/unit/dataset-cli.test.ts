import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runDatasetCli } from '../../scripts/dataset-cli';
import { syntheticCsv, TEST_HEADER, SYNTHETIC_ROWS } from './fixtures';
import * as F from './formats/fixtures';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cmexam-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function inspect(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runDatasetCli(['inspect', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('npm run dataset -- inspect', () => {
  it('prints statistics, annotation counts and problems as one JSON object', async () => {
    const file = join(dir, 'annotated.csv');
    const rows = SYNTHETIC_ROWS.map((r, i) => [
      ...r,
      '肿瘤',
      '疾病治疗',
      '内科',
      '临床医学',
      `${(i % 2) + 1}.0`,
    ]);
    rows.push(['坏行', 'not options', 'A', '', '肿瘤', '疾病治疗', '内科', '临床医学', '1.0']);
    writeFileSync(file, syntheticCsv('\n', rows, TEST_HEADER));
    const { code, stdout } = await inspect(file);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      rows: 5,
      columns: TEST_HEADER.split(','),
      answer_length_histogram: { '0': 1, '1': 3, '3': 1 },
      option_count_histogram: { '4': 2, '5': 3 },
      blank_answers: 1,
      blank_explanations: 1,
    });
    expect(report.annotation_counts['Difficulty level']).toEqual({ '1': 3, '2': 2 });
    expect(report.annotation_counts['Disease Group']).toEqual({ 肿瘤: 5 });
    expect(report.problems).toEqual([
      { row: 5, message: expect.stringContaining('option line 1') },
    ]);
  }, 30_000);

  it('exits non-zero with the reason for a file that is not a dataset', async () => {
    const file = join(dir, 'page.csv');
    writeFileSync(file, '<!DOCTYPE html><html></html>');
    const html = await inspect(file);
    expect(html.code).toBe(1);
    expect(html.stderr).toContain('HTML page');
    const missing = await inspect(join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such file');
  }, 30_000);
});

describe('npm run dataset -- inspect on other benchmarks', () => {
  it('reports the detected format and kind of each shape', async () => {
    const cases: [string, string, string, string][] = [
      ['cmb-val.json', JSON.stringify(F.CMB_QUESTIONS), 'cmb', 'choice'],
      ['medqa.jsonl', F.jsonl(F.MEDQA_LINES), 'medqa', 'choice'],
      ['anatomy.csv', F.CMMLU_ANATOMY, 'cmmlu', 'choice'],
      ['mlec.json', JSON.stringify(F.MLEC_ITEMS), 'mlec-qa', 'choice'],
      ['huatuo.jsonl', F.jsonl(F.HUATUO_LINES), 'huatuo', 'open'],
      ['clin.json', JSON.stringify(F.CMB_CLIN), 'cmb-clin', 'open'],
      ['qa.jsonl', F.jsonl(F.OPEN_JSONL), 'open-jsonl', 'open'],
    ];
    for (const [name, text, format, kind] of cases) {
      writeFileSync(join(dir, name), text);
      const { code, stdout } = await inspect(join(dir, name));
      expect(code, name).toBe(0);
      expect(JSON.parse(stdout), name).toMatchObject({ format, kind });
    }
  }, 30_000);

  it("takes CMB's answer key beside the questions, in either order, and several CMMLU subjects", async () => {
    writeFileSync(join(dir, 'CMB-test.json'), JSON.stringify(F.CMB_TEST));
    writeFileSync(join(dir, 'CMB-test-choice-answer.json'), JSON.stringify(F.CMB_KEY));
    const { stdout } = await inspect(
      join(dir, 'CMB-test-choice-answer.json'),
      join(dir, 'CMB-test.json'),
    );
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      format: 'cmb',
      rows: 2,
      blank_answers: 0,
      answer_length_histogram: { '1': 1, '2': 1 },
      answer_key: join(dir, 'CMB-test-choice-answer.json'),
    });
    writeFileSync(join(dir, 'virology.csv'), F.CMMLU_VIROLOGY);
    writeFileSync(join(dir, 'anatomy.csv'), F.CMMLU_ANATOMY);
    const subjects = JSON.parse(
      (await inspect(join(dir, 'virology.csv'), join(dir, 'anatomy.csv'))).stdout,
    );
    expect(subjects.rows).toBe(3);
    expect(subjects.annotation_counts.subject).toEqual({ anatomy: 2, virology: 1 });
    const forced = await inspect(join(dir, 'anatomy.csv'), '--format', 'huatuo');
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain('Not a Huatuo-26M file: it lacks questions, answers.');
  }, 30_000);
});

describe('npm run dataset as a process', () => {
  it('prints the report on stdout and exits 0; a usage error exits 2', async () => {
    const file = join(dir, 'process.csv');
    writeFileSync(file, syntheticCsv());
    const { stdout } = await run('node', [
      '--import',
      'tsx',
      'scripts/dataset-cli.ts',
      'inspect',
      file,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({
      rows: 5,
      format: 'cmexam',
      kind: 'choice',
      file_format: 'csv',
    });
    expect(await inspect('')).toMatchObject({ code: 2 });
  }, 30_000);
});
