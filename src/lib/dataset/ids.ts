/** The three official CMExam splits and their files in the dataset repository. */
export const CMEXAM_SPLITS = {
  train: { file: 'train.csv', rows: 54497 },
  val: { file: 'val.csv', rows: 6811 },
  test: { file: 'test_with_annotations.csv', rows: 6811 },
} as const;
export type CmexamSplit = keyof typeof CMEXAM_SPLITS;

export const DEFAULT_CMEXAM_BASE =
  'https://raw.githubusercontent.com/williamliujl/CMExam/main/data/';

export function isCmexamSplit(s: string): s is CmexamSplit {
  return Object.hasOwn(CMEXAM_SPLITS, s);
}

/** `cmexam/val` for official splits, `custom/<file stem>` for a user's file. */
export function splitIdFor(dataset: string, split: string): string {
  return `${dataset}/${split}`;
}

/** A question's id is stable across re-imports of the same file: split and data row. */
export function questionId(splitId: string, row: number): string {
  return `${splitId}/${row}`;
}

export function parseQuestionId(id: string): { splitId: string; row: number } | null {
  const m = /^(.+)\/(\d+)$/.exec(id);
  return m ? { splitId: m[1], row: Number(m[2]) } : null;
}

/** A readable split name for a user's file or URL: its file name without extension. */
export function customSplitName(nameOrUrl: string): string {
  let name = nameOrUrl.split(/[\\/]/).pop() ?? nameOrUrl;
  if (/^https?:\/\//i.test(nameOrUrl)) {
    try {
      name = decodeURIComponent(new URL(nameOrUrl).pathname.split('/').pop() ?? '');
    } catch {
      // keep the plain last path segment
    }
  }
  const stem = name.replace(/\.(csv|jsonl|ndjson|json|txt)$/i, '').trim();
  return stem.replace(/[^\p{L}\p{N}_.-]+/gu, '-').replace(/^-+|-+$/g, '') || 'dataset';
}

/** The URL of an official split under a base URL (the official repository or a mirror). */
export function cmexamUrl(base: string, split: CmexamSplit): string {
  const b = base.endsWith('/') ? base : base + '/';
  return new URL(CMEXAM_SPLITS[split].file, b).href;
}

/**
 * The split name for files imported together: the first questions file by name (an answer key
 * is not one), with the number of the other questions files (`anatomy-and-2`).
 */
export function splitNameForFiles(questionNames: readonly string[]): string {
  const sorted = [...questionNames].sort();
  const others = sorted.length - 1;
  return others > 0 ? `${customSplitName(sorted[0])}-and-${others}` : customSplitName(sorted[0]);
}
