import { SvelteMap } from 'svelte/reactivity';
import type { SplitRecord } from '../../lib/db/database';
import type { DatasetClient } from '../../lib/dataset/client';
import { EMPTY_FILTER, type BrowseFilter } from '../../lib/dataset/browse';
import type { StoredQuestion } from '../../lib/dataset/types';

const PAGE = 100;

/** The question browser's state: filter, matching rows and a page cache of questions. */
export class BrowserState {
  filter = $state<BrowseFilter>(structuredClone(EMPTY_FILTER));
  rows = $state<number[]>([]);
  loading = $state(true);
  selectedRow = $state<number | null>(null);
  readonly questions = new SvelteMap<number, StoredQuestion>();
  private readonly requested = new Set<number>();
  private generation = 0;

  constructor(
    private readonly client: DatasetClient,
    readonly split: SplitRecord,
  ) {
    void this.apply();
  }

  get selected(): StoredQuestion | undefined {
    return this.selectedRow === null ? undefined : this.questions.get(this.selectedRow);
  }

  /** Filtering runs in the dataset worker; only the matching row numbers come back. */
  async apply(): Promise<void> {
    const generation = ++this.generation;
    this.loading = true;
    const rows = await this.client.browse(this.split.id, $state.snapshot(this.filter));
    if (generation !== this.generation) return;
    this.rows = rows;
    this.loading = false;
  }

  /** Load the questions behind list positions [start, end). */
  ensure(start: number, end: number): void {
    const firstPage = Math.floor(start / PAGE);
    const lastPage = Math.floor(Math.max(start, end - 1) / PAGE);
    for (let page = firstPage; page <= lastPage; page++) {
      const wanted = this.rows
        .slice(page * PAGE, (page + 1) * PAGE)
        .filter((r) => !this.requested.has(r));
      if (wanted.length === 0) continue;
      wanted.forEach((r) => this.requested.add(r));
      void this.client.getQuestions(this.split.id, wanted).then((qs) => {
        for (const q of qs) this.questions.set(q.row, q);
      });
    }
  }

  select(row: number): void {
    this.selectedRow = row;
    if (!this.questions.has(row)) {
      void this.client.getQuestions(this.split.id, [row]).then((qs) => {
        if (qs[0]) this.questions.set(row, qs[0]);
      });
    }
  }
}
