// Synthetic CMExam-shaped rows written for these tests (no CMExam content).
export const HEADER = 'Question,Options,Answer,Explanation';
export const TEST_HEADER =
  'Question,Options,Answer,Explanation,Disease Group,Area of Competency,Clinical Department,Medical Discipline,Difficulty level';

export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(fields: string[]): string {
  return fields.map(csvField).join(',');
}

/** Five synthetic questions covering: A–E, four options (ABCD, BCDE), multi-answer, blank answer, blank explanation, spaces in option text. */
export const SYNTHETIC_ROWS: string[][] = [
  [
    '测试题一：下列哪项是虚构的指标',
    'A 甲指标\nB 乙指标\nC 丙 指标\nD 丁指标\nE 戊指标',
    'C',
    '虚构解释，丙 指标正确（C对）。',
  ],
  ['测试题二：四个选项的题', 'A 选一\nB 选二\nC 选三\nD 选四', 'B', ''],
  ['测试题三：多选题', 'A 其一\nB 其二\nC 其三\nD 其四\nE 其五', 'ABD', '多选解释。'],
  ['测试题四：答案缺失', 'A 一\nB 二\nC 三\nD 四\nE 五', '', '没有答案的题。'],
  [
    '测试题五：从B开始的选项',
    'B 乙\nC 丙\nD 丁\nE 戊',
    'E',
    'Text with "quotes", commas, and\nnew lines.',
  ],
];

export function syntheticCsv(eol = '\n', rows = SYNTHETIC_ROWS, header = HEADER): string {
  return [header, ...rows.map(csvRow)].join(eol) + eol;
}

export async function* chunksOf(
  text: string | Uint8Array,
  size: number,
): AsyncIterable<Uint8Array> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}
