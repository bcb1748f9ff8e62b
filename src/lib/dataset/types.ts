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
  /**
   * `open` for a question answered in free text (no options; `references` hold the gold
   * answers); absent for a choice question, so rows stored before open items existed read as
   * choice items.
   */
  kind?: 'open';
  /** Open items: text the model sees before the question (a case description, earlier turns). */
  context?: string;
  /** Open items: one or more reference answers, in the source's order. */
  references?: string[];
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

/** The file's syntax. */
export type DatasetFormat = 'csv' | 'json' | 'jsonl';

/** Whose file shape the rows come in: one adapter module each (`formats/`). */
export type BenchmarkFormat =
  'cmexam' | 'cmb' | 'cmb-clin' | 'medqa' | 'cmmlu' | 'mlec-qa' | 'huatuo' | 'open-jsonl';

/** Choice items have options and answer letters; open items have references. */
export type ItemKind = 'choice' | 'open';

export const BENCHMARK_FORMATS: readonly BenchmarkFormat[] = [
  'cmexam',
  'cmb',
  'cmb-clin',
  'medqa',
  'cmmlu',
  'mlec-qa',
  'huatuo',
  'open-jsonl',
];

/** Counts gathered while parsing; shown in the UI and printed by the CLI. */
export interface DatasetStats {
  rows: number;
  answer_length_histogram: Record<string, number>;
  option_count_histogram: Record<string, number>;
  option_sets: Record<string, number>;
  multi_answer: number;
  blank_answers: number;
  blank_explanations: number;
  /** Open items (counted in `rows` too); absent in stats written before open items existed. */
  open_items?: number;
  annotation_counts: Record<string, Record<string, number>>;
}
