import * as Comlink from 'comlink';
import { isWorkerCrash, WorkerSupervisor } from '../workers/supervisor';
import type { BrowseFilter } from './browse';
import type { ImportOutcome, ImportProgress, ImportRequest } from './ingest';
import type { DatasetService } from './service';
import type { StoredQuestion } from './types';
import type { EvalQuestion, SubsetSpec } from '../eval/types';

/** The dataset worker (workers/dataset.worker.ts). */
export interface DatasetWorkerApi {
  holdAliveLock(name: string): Promise<void>;
  datasets: DatasetService & Comlink.ProxyMarked;
}

function spawnDatasetWorker(): Worker {
  return new Worker(new URL('../../../workers/dataset.worker.ts', import.meta.url), {
    type: 'module',
    name: 'dataset',
  });
}

/**
 * Typed handle on the dataset worker; the UI talks to datasets only through this. The worker is
 * supervised: if it dies mid-import, the import fails with a clear message, a new worker starts
 * and deletes what the dead one had half-written (its import lock was released with it), so the
 * split stays complete or absent.
 */
export class DatasetClient {
  private readonly worker: WorkerSupervisor<DatasetWorkerApi>;

  constructor(spawn: () => Worker = spawnDatasetWorker) {
    this.worker = new WorkerSupervisor<DatasetWorkerApi>({
      name: 'dataset',
      spawn,
      restore: (api) => api.datasets.collectGarbage(),
    });
  }

  async importSplit(
    req: ImportRequest,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportOutcome> {
    try {
      return await this.worker.call(
        async (api): Promise<ImportOutcome> =>
          (await api.datasets.importSplit(req, Comlink.proxy(onProgress))) as ImportOutcome,
      );
    } catch (err) {
      if (!isWorkerCrash(err)) throw err;
      return {
        ok: false,
        splitId: `${req.dataset}/${req.split}`,
        error: {
          code: 'crashed',
          message:
            'The import stopped: the dataset worker crashed or was closed. Nothing of this import ' +
            'was kept (a split is stored whole or not at all); Retry starts it again.',
        },
      };
    }
  }

  cancelImport(importId: string): Promise<void> {
    return this.worker.call((api) => api.datasets.cancelImport(importId));
  }

  deleteSplit(splitId: string): Promise<boolean> {
    return this.worker.call((api) => api.datasets.deleteSplit(splitId));
  }

  collectGarbage(): Promise<void> {
    return this.worker.call((api) => api.datasets.collectGarbage());
  }

  browse(splitId: string, filter: BrowseFilter): Promise<number[]> {
    return this.worker.call((api) => api.datasets.browse(splitId, filter));
  }

  getQuestions(splitId: string, rows: number[]): Promise<StoredQuestion[]> {
    return this.worker.call((api) => api.datasets.getQuestions(splitId, rows));
  }

  drawQuestions(
    splitId: string,
    subset: SubsetSpec,
    seed: number,
    skipMulti: boolean,
  ): Promise<{ questions: EvalQuestion[]; sha256: string } | null> {
    return this.worker.call((api) => api.datasets.drawQuestions(splitId, subset, seed, skipMulti));
  }

  terminate(): void {
    this.worker.terminate();
  }
}
