import type { StoredQuestion } from './types';

export interface BrowseFilter {
  /** Annotation column → required value; an empty string means any. */
  annotations: Record<string, string>;
  answers: 'any' | 'single' | 'multi' | 'blank';
  explanation: 'any' | 'with' | 'without';
  /** Case-insensitive substring of the question, options or explanation. */
  text: string;
}

export const EMPTY_FILTER: BrowseFilter = {
  annotations: {},
  answers: 'any',
  explanation: 'any',
  text: '',
};

function searchable(q: StoredQuestion): string {
  return (
    q.question +
    '\n' +
    q.options.map((o) => `${o.key} ${o.text}`).join('\n') +
    '\n' +
    q.explanation
  ).toLowerCase();
}

/** An in-memory index of one split for the question browser (lives in the dataset worker). */
export class SplitIndex {
  private readonly text: string[];

  constructor(
    readonly importId: string,
    readonly questions: StoredQuestion[],
  ) {
    this.questions.sort((a, b) => a.row - b.row);
    this.text = questions.map(searchable);
  }

  /** Data rows of the matching questions, in file order. */
  filter(f: BrowseFilter): number[] {
    const needle = f.text.trim().toLowerCase();
    const wanted = Object.entries(f.annotations).filter(([, v]) => v !== '');
    const rows: number[] = [];
    this.questions.forEach((q, i) => {
      if (f.answers === 'single' && (q.multi || q.blankAnswer)) return;
      if (f.answers === 'multi' && !q.multi) return;
      if (f.answers === 'blank' && !q.blankAnswer) return;
      if (f.explanation === 'with' && q.blankExplanation) return;
      if (f.explanation === 'without' && !q.blankExplanation) return;
      if (wanted.some(([k, v]) => q.annotations[k] !== v)) return;
      if (needle && !this.text[i].includes(needle)) return;
      rows.push(q.row);
    });
    return rows;
  }
}
