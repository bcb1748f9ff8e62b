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

  async writeRows(importId: string, splitId: string, rows: DatasetRow[]): Promise<void> {
    const stored: StoredQuestion[] = rows.map((r) => ({
      ...r,
      importId,
      splitId,
      id: questionId(splitId, r.row),
    }));
    await this.db.questions.bulkPut(stored);
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
    await this.rowsOf(importId).delete();
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
      await this.rowsOf(importId).delete();
      await this.db.garbage.delete(importId);
    }
  }

  async getSplit(splitId: string): Promise<SplitRecord | undefined> {
    return this.db.splits.get(splitId);
  }

  async loadQuestions(split: SplitRecord): Promise<StoredQuestion[]> {
    return this.rowsOf(split.importId).toArray();
  }

  async getQuestions(split: SplitRecord, rows: number[]): Promise<StoredQuestion[]> {
    const found = await this.db.questions.bulkGet(rows.map((r) => [split.importId, r]));
    return found.filter((q): q is StoredQuestion => q !== undefined);
  }

  async countRows(importId: string): Promise<number> {
    return this.rowsOf(importId).count();
  }

  private rowsOf(importId: string) {
    return this.db.questions
      .where('[importId+row]')
      .between([importId, Dexie.minKey], [importId, Dexie.maxKey], true, true);
  }
}
