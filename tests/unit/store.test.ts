// The split store and the ingestor (src/lib/dataset/store.ts, ingest.ts) on an in-memory
// IndexedDB: a split is stored complete or not at all, whatever happens to its import.
import { describe, expect, it } from 'vitest';
import { freshDb } from './support/db';
import { Ingestor } from '../../src/lib/dataset/ingest';
import { importLockName, SplitStore } from '../../src/lib/dataset/store';
import type { AppDatabase } from '../../src/lib/db/database';
import { csvRow, HEADER } from './fixtures';

/** A synthetic CSV of `n` questions (answer of row i: ABCDE[i % 5]). */
function csv(n: number, tag = ''): Blob {
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    lines.push(
      csvRow([`合成题${tag}${i}`, 'A 甲\nB 乙\nC 丙\nD 丁\nE 戊', 'ABCDE'[i % 5], `解释${i}`]),
    );
  }
  return new Blob([lines.join('\n') + '\n']);
}

async function counts(db: AppDatabase) {
  return {
    splits: await db.splits.count(),
    imports: await db.imports.count(),
    chunks: await db.questionChunks.count(),
    garbage: await db.garbage.count(),
  };
}

function importer(db: AppDatabase) {
  const store = new SplitStore(db);
  return { store, ingestor: new Ingestor(store) };
}

const request = (file: Blob, importId = crypto.randomUUID()) => ({
  importId,
  dataset: 'custom',
  split: 'synthetic',
  source: { kind: 'file' as const, file, name: 'synthetic.csv' },
});

describe('import', () => {
  it('stores every row in chunks of 1,000 and then the split record', async () => {
    const db = freshDb();
    const { store, ingestor } = importer(db);
    const outcome = await ingestor.run(request(csv(2500)), () => {});
    expect(outcome.ok).toBe(true);
    // 2,500 rows → chunks of 1,000, 1,000 and 500.
    expect(await counts(db)).toEqual({ splits: 1, imports: 0, chunks: 3, garbage: 0 });
    const split = (await store.getSplit('custom/synthetic'))!;
    expect(split.rows).toBe(2500);
    const questions = await store.loadQuestions(split);
    expect(questions.map((q) => q.row)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(questions[2499]).toMatchObject({ id: 'custom/synthetic/2499', answer: 'E' });
  });

  it('a cancelled import keeps nothing', async () => {
    const db = freshDb();
    const { ingestor } = importer(db);
    const req = request(csv(5000));
    const outcome = await ingestor.run(req, (p) => {
      if (p.rows >= 1000) ingestor.cancel(req.importId);
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await counts(db)).toEqual({ splits: 0, imports: 0, chunks: 0, garbage: 0 });
  });

  it('an import whose writer died (its lock gone) is deleted at the next start', async () => {
    const db = freshDb();
    const store = new SplitStore(db);
    // As a worker killed after writing two chunks leaves it: rows, an import record, no lock.
    const importId = 'dead-import';
    await store.beginImport(importId, 'custom/synthetic', 'synthetic.csv');
    const rows = Array.from({ length: 1500 }, (_, row) => ({
      row,
      question: `题${row}`,
      options: [{ key: 'A', text: '甲' }],
      answer: 'A',
      explanation: '',
      annotations: {},
      multi: false,
      blankAnswer: false,
      blankExplanation: true,
    }));
    await store.writeChunk(importId, 1000, rows.slice(0, 1000));
    await store.writeChunk(importId, 1000, rows.slice(1000));
    // While another context still holds its lock, it is left alone.
    await navigator.locks.request(importLockName(importId), async () => {
      await store.collectGarbage();
      expect(await counts(db)).toMatchObject({ imports: 1, chunks: 2 });
    });
    await store.collectGarbage();
    expect(await counts(db)).toEqual({ splits: 0, imports: 0, chunks: 0, garbage: 0 });
  });

  it('a re-import replaces the split at once and frees the old rows; a failed one keeps it', async () => {
    const db = freshDb();
    const { store, ingestor } = importer(db);
    await ingestor.run(request(csv(1200)), () => {});
    const first = (await store.getSplit('custom/synthetic'))!;
    await ingestor.run(request(csv(1300, '新')), () => {});
    const second = (await store.getSplit('custom/synthetic'))!;
    expect(second.rows).toBe(1300);
    expect(second.sha256).not.toBe(first.sha256);
    expect(await counts(db)).toEqual({ splits: 1, imports: 0, chunks: 2, garbage: 0 });
    // Not a dataset: refused, and the stored copy is untouched.
    const bad = await ingestor.run(request(new Blob(['<!DOCTYPE html><html></html>'])), () => {});
    expect(bad).toMatchObject({ ok: false, error: { code: 'not-dataset' } });
    expect((await store.getSplit('custom/synthetic'))?.importId).toBe(second.importId);
    expect(await counts(db)).toEqual({ splits: 1, imports: 0, chunks: 2, garbage: 0 });
  });

  it('onlyIfMissing reuses a stored split without reading the source', async () => {
    const db = freshDb();
    const { ingestor } = importer(db);
    await ingestor.run(request(csv(10)), () => {});
    const again = await ingestor.run({ ...request(csv(20)), onlyIfMissing: true }, () => {});
    expect(again).toMatchObject({ ok: true, reused: true, split: { rows: 10 } });
  });
});
