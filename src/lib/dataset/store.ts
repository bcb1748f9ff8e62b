import Dexie from 'dexie';
import type { AppDatabase, SplitRecord } from '../db/database';
import { questionId } from './ids';
import type { DatasetRow, StoredQuestion } from './types';

/** Web Lock held by the context that writes an import; without it the import is abandoned. */
export const importLockName = (importId: string) => `cmexam-import:${importId}`;
/** Serialises imports of one split across tabs. */
export const splitLockName = (splitId: string) => `cmexam-split:${splitId}`;

/**
 * Storage rules for splits. Rows of an import are written under its own id and become visible
 * only when one transaction points the split record at that import, so a split is always
 * either complete or absent; a re-import that fails leaves the previous complete copy intact.
 */
export class SplitStore {
  constructor(readonly db: AppDatabase) {}

  async beginImport(importId: string, splitId: string, sourceName: string): Promise<void> {
    await this.db.imports.put({
      id: importId,
      splitId,
      sourceName,
      startedAt: new Date().toISOString(),
    });
  }

  /** Store one chunk: the valid rows of data rows [k·chunkRows, (k+1)·chunkRows). */
  async writeChunk(importId: string, chunkRows: number, rows: DatasetRow[]): Promise<void> {
    if (rows.length === 0) return;
    const chunk = Math.floor(rows[0].row / chunkRows);
    if (Math.floor(rows[rows.length - 1].row / chunkRows) !== chunk) {
      throw new Error(`rows ${rows[0].row}–${rows[rows.length - 1].row} span several chunks`);
    }
    await this.db.questionChunks.put({ importId, chunk, rows });
  }

  /** Make the import the split's content, in one transaction; the previous copy becomes garbage. */
  async completeImport(record: SplitRecord): Promise<void> {
    await this.db.transaction('rw', this.db.splits, this.db.imports, this.db.garbage, async () => {
      const previous = await this.db.splits.get(record.id);
      await this.db.splits.put(record);
      await this.db.imports.delete(record.importId);
      if (previous && previous.importId !== record.importId) {
        await this.db.garbage.put({ importId: previous.importId });
      }
    });
    await this.collectGarbage();
  }

  /**
   * Drop everything an unfinished import wrote. Only deletes, so it works with a full quota;
   * if it is interrupted, the import record left behind makes the next start-up finish it.
   */
  async abandonImport(importId: string): Promise<void> {
    await this.chunksOf(importId).delete();
    await this.db.imports.delete(importId);
  }

  async deleteSplit(splitId: string): Promise<boolean> {
    const removed = await this.db.transaction('rw', this.db.splits, this.db.garbage, async () => {
      const split = await this.db.splits.get(splitId);
      if (!split) return false;
      await this.db.splits.delete(splitId);
      await this.db.garbage.put({ importId: split.importId });
      return true;
    });
    await this.collectGarbage();
    return removed;
  }

  /**
   * Delete rows of replaced, deleted and abandoned imports. An import whose writer no longer
   * holds its Web Lock (a closed or crashed tab) is abandoned.
   */
  async collectGarbage(): Promise<void> {
    const held = new Set(
      ((await navigator.locks?.query())?.held ?? []).map((l) => l.name).filter(Boolean),
    );
    const stale = (await this.db.imports.toArray()).filter((i) => !held.has(importLockName(i.id)));
    for (const i of stale) await this.abandonImport(i.id);
    for (const { importId } of await this.db.garbage.toArray()) {
      await this.chunksOf(importId).delete();
      await this.db.garbage.delete(importId);
    }
  }

  async getSplit(splitId: string): Promise<SplitRecord | undefined> {
    return this.db.splits.get(splitId);
  }

  /** Every question of a split, in row order. */
  async loadQuestions(split: SplitRecord): Promise<StoredQuestion[]> {
    const chunks = await this.chunksOf(split.importId).toArray();
    return chunks.flatMap((c) => c.rows.map((r) => bind(split, r)));
  }

  /** The questions at the given data rows (rows that were skipped as malformed are absent). */
  async getQuestions(split: SplitRecord, rows: number[]): Promise<StoredQuestion[]> {
    const wanted = new Set(rows);
    const chunkIds = [...new Set(rows.map((r) => Math.floor(r / split.chunkRows)))];
    const chunks = await this.db.questionChunks.bulkGet(chunkIds.map((c) => [split.importId, c]));
    const found = new Map<number, StoredQuestion>();
    for (const chunk of chunks) {
      for (const r of chunk?.rows ?? []) if (wanted.has(r.row)) found.set(r.row, bind(split, r));
    }
    return rows.flatMap((r) => found.get(r) ?? []);
  }

  /** Chunk records stored for an import (keys only: reading the rows back would be slow). */
  async countChunks(importId: string): Promise<number> {
    return this.chunksOf(importId).count();
  }

  private chunksOf(importId: string) {
    return this.db.questionChunks
      .where('[importId+chunk]')
      .between([importId, Dexie.minKey], [importId, Dexie.maxKey], true, true);
  }
}

function bind(split: SplitRecord, row: DatasetRow): StoredQuestion {
  return { ...row, importId: split.importId, splitId: split.id, id: questionId(split.id, row.row) };
}
