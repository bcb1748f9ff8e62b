import { SplitIndex, type BrowseFilter } from './browse';
import type { ImportOutcome, ImportProgress, ImportRequest, Ingestor } from './ingest';
import type { SplitStore } from './store';
import type { StoredQuestion } from './types';
import { evalQuestionOf } from '../eval/questions';
import { drawSelection } from '../eval/select';
import type { EvalQuestion, SubsetSpec } from '../eval/types';

/** What the dataset worker offers the UI (through Comlink). */
export class DatasetService {
  private index: SplitIndex | null = null;

  constructor(
    private readonly store: SplitStore,
    private readonly ingestor: Ingestor,
  ) {}

  importSplit(req: ImportRequest, onProgress: (p: ImportProgress) => void): Promise<ImportOutcome> {
    return this.ingestor.run(req, onProgress);
  }

  cancelImport(importId: string): void {
    this.ingestor.cancel(importId);
  }

  async deleteSplit(splitId: string): Promise<boolean> {
    if (this.index?.questions[0]?.splitId === splitId) this.index = null;
    return this.store.deleteSplit(splitId);
  }

  collectGarbage(): Promise<void> {
    return this.store.collectGarbage();
  }

  /** Rows of a split matching a filter; the split is loaded into memory once. */
  async browse(splitId: string, filter: BrowseFilter): Promise<number[]> {
    const index = await this.indexFor(splitId);
    return index ? index.filter(filter) : [];
  }

  async getQuestions(splitId: string, rows: number[]): Promise<StoredQuestion[]> {
    const split = await this.store.getSplit(splitId);
    return split ? this.store.getQuestions(split, rows) : [];
  }

  /**
   * The questions a selection draws from a stored split (eval/select.ts, as runs draw them),
   * with the split file's hash; null when the split is not stored.
   */
  async drawQuestions(
    splitId: string,
    subset: SubsetSpec,
    seed: number,
    skipMulti: boolean,
  ): Promise<{ questions: EvalQuestion[]; sha256: string } | null> {
    const split = await this.store.getSplit(splitId);
    if (!split) return null;
    const all = (await this.store.loadQuestions(split)).map(evalQuestionOf);
    return {
      questions: drawSelection(all, subset, seed, skipMulti).questions,
      sha256: split.sha256,
    };
  }

  private async indexFor(splitId: string): Promise<SplitIndex | null> {
    const split = await this.store.getSplit(splitId);
    if (!split) return null;
    if (this.index?.importId !== split.importId) {
      this.index = new SplitIndex(split.importId, await this.store.loadQuestions(split));
    }
    return this.index;
  }
}
