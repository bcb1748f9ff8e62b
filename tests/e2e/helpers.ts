import { expect, type Page } from '@playwright/test';

export const DATA = 'http://127.0.0.1:4174';
export const MIRROR = `${DATA}/williamliujl/CMExam/main/data/`;

/** Figures from ../shared/cmexam/README.md for the validation split. */
export const VAL = {
  rows: 6811,
  sha256: '08ad2a7eb097892fe52c4ea3ecb857a4262538ac8e5acb777d0b87e0a4e4297e',
  bytes: 5119631,
  optionSets: { ABCDE: 6606, ABCD: 202, BCDE: 2, ABDE: 1 },
  answerLengths: { '0': 1, '1': 6600, '2': 35, '3': 96, '4': 61, '5': 18 },
  multi: 210,
  blankExplanations: 1039,
};

export const status = (page: Page) => page.getByTestId('dataset-status');

export async function expectStatus(page: Page, value: string, rows?: number): Promise<void> {
  await expect(status(page)).toHaveAttribute('data-status', value, { timeout: 60_000 });
  if (rows !== undefined) await expect(status(page)).toHaveAttribute('data-rows', String(rows));
}

export interface DbSnapshot {
  splits: {
    id: string;
    rows: number;
    importId: string;
    sha256: string;
    bytes: number;
    sourceUrl: string | null;
    importedAt: string;
    problemCount: number;
    problems: { row: number; message: string }[];
    stats: {
      option_sets: Record<string, number>;
      answer_length_histogram: Record<string, number>;
      multi_answer: number;
      blank_explanations: number;
    };
  }[];
  imports: number;
  questions: number;
  questionIds: string[];
}

/** Read the app's IndexedDB directly (not through the app) to check what is really stored. */
export async function readDb(page: Page, withIds = false): Promise<DbSnapshot> {
  return page.evaluate(async (withIds) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = <T>(store: string, op: 'getAll' | 'count' | 'getAllKeys') =>
      new Promise<T>((resolve, reject) => {
        if (!db.objectStoreNames.contains(store)) return resolve((op === 'count' ? 0 : []) as T);
        const req = db.transaction(store).objectStore(store)[op]();
        req.onsuccess = () => resolve(req.result as T);
        req.onerror = () => reject(req.error);
      });
    const splits = await all<DbSnapshot['splits']>('splits', 'getAll');
    const imports = await all<number>('imports', 'count');
    // Questions are stored in chunk records of many rows each.
    const chunks = await all<{ rows: { row: number }[] }[]>('questionChunks', 'getAll');
    const questions = chunks.reduce((n, c) => n + c.rows.length, 0);
    const questionIds: string[] = [];
    if (withIds) {
      const byImport = new Map(splits.map((s) => [s.importId, s.id]));
      for (const c of chunks as unknown as { importId: string; rows: { row: number }[] }[]) {
        for (const r of c.rows) questionIds.push(`${byImport.get(c.importId) ?? '?'}/${r.row}`);
      }
    }
    db.close();
    return { splits, imports, questions, questionIds };
  }, withIds);
}

/** Wait until nothing half-written is left: no open import and no orphan rows. */
export async function expectClean(page: Page, expectedQuestions: number): Promise<void> {
  await expect
    .poll(async () => {
      const db = await readDb(page);
      return { imports: db.imports, questions: db.questions };
    })
    .toEqual({ imports: 0, questions: expectedQuestions });
}

// Runs with the demo tiny model on the validation split, set up by a link.
const runBase = `dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}&model=demo:tiny-random&engine=wllama`;
export const link = (params: string) => `/?${runBase}&${params}&autostart=1`;
export const runStatus = (page: Page) => page.getByTestId('run-status');

export async function expectRunDone(page: Page, total: number): Promise<string> {
  await expect(runStatus(page)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(runStatus(page)).toHaveAttribute('data-done', String(total));
  await expect(runStatus(page)).toHaveAttribute('data-total', String(total));
  return (await runStatus(page).getAttribute('data-run-id'))!;
}

export interface StoredAnswer {
  questionId: string;
  prediction: string;
  correct: boolean;
  promptTokens: number;
  createdAt: string;
  status: string;
  raw: string;
  optionProbs: Record<string, number> | null;
  calls: { kind: string; raw: string }[];
  explanation: string;
}

/** Answers of a run, read straight from IndexedDB (`T`: the fields a test reads). */
export async function answersOf<T = StoredAnswer>(page: Page, runId: string): Promise<T[]> {
  const rows: unknown[] = await page.evaluate(async (runId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      const req = db
        .transaction('answers')
        .objectStore('answers')
        .index('runId')
        .getAll(IDBKeyRange.only(runId));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return rows;
  }, runId);
  return rows as T[];
}

export interface StoredRun {
  id: string;
  status: string;
  totals: { done: number; correct: number; parsed: number; errors: number; promptTokens: number };
}

/** A run record, read straight from IndexedDB. */
export async function runRecordOf(page: Page, runId: string): Promise<StoredRun> {
  return page.evaluate(async (runId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('cmexam-eval');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const run = await new Promise<StoredRun>((resolve, reject) => {
      const req = db.transaction('runs').objectStore('runs').get(runId);
      req.onsuccess = () => resolve(req.result as StoredRun);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return run;
  }, runId);
}

/** The totals a run record should hold for these answers. */
export function totalsOfAnswers(answers: StoredAnswer[]): StoredRun['totals'] {
  return {
    done: answers.length,
    correct: answers.filter((a) => a.correct).length,
    parsed: answers.filter((a) => a.status === 'parsed').length,
    errors: answers.filter((a) => a.status === 'error').length,
    promptTokens: answers.reduce((n, a) => n + a.promptTokens, 0),
  };
}
