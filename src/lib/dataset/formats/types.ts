import type { BenchmarkFormat, DatasetRow, ItemKind, RowProblem } from '../types';

/** What a reader needs to know about the file it reads. */
export interface ReadContext {
  /** The file's name or URL (CMMLU takes its subject from it). */
  name?: string;
  /** Gold answers that ship apart from the questions (CMB's test split), by item id. */
  answerKey?: AnswerKey;
}

/** Answers by item id, read from a separate answer file. */
export type AnswerKey = ReadonlyMap<string, string>;

/** Reads the records of one file shape, one record at a time. */
export interface FormatReader {
  /** Columns as the file names them (CMExam's header, or the first record's keys). */
  readonly columns: string[];
  /**
   * One source record → its items. Most shapes give one item per record; CMB-Clin gives one
   * per question of a case. Item `i` of the result has row `firstRow + i`.
   */
  read(record: Record<string, unknown>, firstRow: number): (DatasetRow | RowProblem)[];
  /** Annotation names seen so far, in the order first seen. */
  annotationColumns(): string[];
}

/** One benchmark's file shape: how to recognise it and how to read it. */
export interface FormatAdapter {
  readonly id: BenchmarkFormat;
  readonly kind: ItemKind;
  /** The benchmark's name as people write it. */
  readonly label: string;
  /** The keys (or CSV header) that identify the shape, as shown in error messages. */
  readonly expects: string;
  /** Whether a record with these keys (or a CSV header with these names) is this shape. */
  matches(keys: readonly string[]): boolean;
  /** A reader for a file whose first record has these keys; throws naming what is missing. */
  open(keys: readonly string[], ctx: ReadContext): FormatReader;
}
