import * as Comlink from 'comlink';
import type { BrowseFilter } from './browse';
import type { ImportOutcome, ImportProgress, ImportRequest } from './ingest';
import type { DatasetService } from './service';
import type { StoredQuestion } from './types';

/** Typed handle on the dataset worker; the UI talks to datasets only through this. */
export class DatasetClient {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<DatasetService>;

  constructor() {
    this.worker = new Worker(new URL('../../../workers/dataset.worker.ts', import.meta.url), {
      type: 'module',
      name: 'dataset',
    });
    this.api = Comlink.wrap<DatasetService>(this.worker);
  }

  importSplit(req: ImportRequest, onProgress: (p: ImportProgress) => void): Promise<ImportOutcome> {
    return this.api.importSplit(req, Comlink.proxy(onProgress));
  }

  cancelImport(importId: string): Promise<void> {
    return this.api.cancelImport(importId);
  }

  deleteSplit(splitId: string): Promise<boolean> {
    return this.api.deleteSplit(splitId);
  }

  collectGarbage(): Promise<void> {
    return this.api.collectGarbage();
  }

  browse(splitId: string, filter: BrowseFilter): Promise<number[]> {
    return this.api.browse(splitId, filter);
  }

  getQuestions(splitId: string, rows: number[]): Promise<StoredQuestion[]> {
    return this.api.getQuestions(splitId, rows);
  }

  terminate(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
