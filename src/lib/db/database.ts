import Dexie, { type EntityTable } from 'dexie';
import type { DatasetFormat, DatasetRow, DatasetStats, RowProblem } from '../dataset/types';

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
  /** Data rows per stored chunk (see QuestionChunk). */
  chunkRows: number;
}

/** An import in progress. Its rows are invisible until it becomes the split's `importId`. */
export interface ImportRecord {
  id: string;
  splitId: string;
  sourceName: string;
  startedAt: string;
}

/**
 * Questions are stored in chunks: chunk k of an import holds its valid data rows in
 * [k·chunkRows, (k+1)·chunkRows). One IndexedDB record per question costs about 150 µs to
 * write; a record of a thousand rows costs little more than one of a single row.
 */
export interface QuestionChunk {
  importId: string;
  chunk: number;
  rows: DatasetRow[];
}

/** Rows of a replaced or abandoned import, waiting to be deleted. */
export interface GarbageRecord {
  importId: string;
}

/** A model the user added (GGUF URL, custom MLC model); kept across visits. */
export interface UserModelRecord {
  id: string;
  backend: 'webllm' | 'wllama';
  label: string;
  /** GGUF: the file URL (the first of split files). */
  url?: string;
  /** Custom MLC: absolute model URL and model_lib wasm URL. */
  modelUrl?: string;
  modelLibUrl?: string;
  addedAt: string;
}

export class AppDatabase extends Dexie {
  splits!: EntityTable<SplitRecord, 'id'>;
  imports!: EntityTable<ImportRecord, 'id'>;
  garbage!: EntityTable<GarbageRecord, 'importId'>;
  questionChunks!: Dexie.Table<QuestionChunk, [string, number]>;
  models!: EntityTable<UserModelRecord, 'id'>;

  constructor(name = 'cmexam-eval') {
    super(name);
    // Chunks carry only their primary key: secondary indexes would slow every import,
    // and browsing filters an in-memory copy in the dataset worker.
    this.version(1).stores({
      splits: '&id',
      imports: '&id, splitId',
      garbage: '&importId',
      questionChunks: '[importId+chunk]',
    });
    this.version(2).stores({ models: '&id' });
  }
}
