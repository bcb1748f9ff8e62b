/** One answer option as stored: `key` is its letter (A–Z), `text` what follows it. */
export interface OptionItem {
  key: string;
  text: string;
}

/** A dataset row after parsing and normalisation, before it is bound to a stored split. */
export interface DatasetRow {
  /** 0-based data row in the source file (the header is not a data row). */
  row: number;
  question: string;
  options: OptionItem[];
  /** Answer letters in alphabetical order, e.g. `ABD`; empty when the source gives none. */
  answer: string;
  explanation: string;
  /** Extra columns (CMExam's five annotations, or any column of a user's file), by header name. */
  annotations: Record<string, string>;
  multi: boolean;
  blankAnswer: boolean;
  blankExplanation: boolean;
}

/** A stored question: a dataset row bound to the import that wrote it. */
export interface StoredQuestion extends DatasetRow {
  /** Which import wrote it; the split record names the import in use. */
  importId: string;
  splitId: string;
  /** Stable across re-imports: `${splitId}/${row}`. */
  id: string;
}

/** A row the parser could not use; the other rows still import. */
export interface RowProblem {
  /** 0-based data row, as in `DatasetRow.row`. */
  row: number;
  message: string;
}

export type DatasetFormat = 'csv' | 'json' | 'jsonl';

/** Counts gathered while parsing; shown in the UI and printed by the CLI. */
export interface DatasetStats {
  rows: number;
  answer_length_histogram: Record<string, number>;
  option_count_histogram: Record<string, number>;
  option_sets: Record<string, number>;
  multi_answer: number;
  blank_answers: number;
  blank_explanations: number;
  annotation_counts: Record<string, Record<string, number>>;
}
