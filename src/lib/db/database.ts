import Dexie, { type EntityTable } from 'dexie';
import type { DatasetFormat, DatasetStats, RowProblem, StoredQuestion } from '../dataset/types';

/** A split that is complete: every row of `importId` is stored. Absent until then. */
export interface SplitRecord {
  id: string;
  dataset: string;
  split: string;
  importId: string;
  format: DatasetFormat;
  rows: number;
  dataRows: number;
  bytes: number;
  sha256: string;
  sourceUrl: string | null;
  sourceName: string;
  importedAt: string;
  columns: string[];
  annotationColumns: string[];
  problems: RowProblem[];
  problemCount: number;
  stats: DatasetStats;
}

/** An import in progress. Its rows are invisible until it becomes the split's `importId`. */
export interface ImportRecord {
  id: string;
  splitId: string;
  sourceName: string;
  startedAt: string;
}

/** Rows of a replaced or abandoned import, waiting to be deleted. */
export interface GarbageRecord {
  importId: string;
}

export class AppDatabase extends Dexie {
  splits!: EntityTable<SplitRecord, 'id'>;
  imports!: EntityTable<ImportRecord, 'id'>;
  garbage!: EntityTable<GarbageRecord, 'importId'>;
  questions!: Dexie.Table<StoredQuestion, [string, number]>;

  constructor(name = 'cmexam-eval') {
    super(name);
    // Questions carry only their primary key: secondary indexes would slow every import,
    // and browsing filters an in-memory copy in the dataset worker.
    this.version(1).stores({
      splits: '&id',
      imports: '&id, splitId',
      garbage: '&importId',
      questions: '[importId+row]',
    });
  }
}
