import * as Comlink from 'comlink';
import { isWorkerCrash, WorkerSupervisor } from '../workers/supervisor';
import type { MergeProgress } from './merge';
import type {
  MergeInspection,
  MergeOutcome,
  MergeRequest,
  MergeService,
  MergeSourceInput,
} from './service';

/** The merge worker (workers/merge.worker.ts). */
export interface MergeWorkerApi {
  holdAliveLock(name: string): Promise<void>;
  merge: MergeService & Comlink.ProxyMarked;
}

function spawnMergeWorker(): Worker {
  return new Worker(new URL('../../../workers/merge.worker.ts', import.meta.url), {
    type: 'module',
    name: 'merge',
  });
}

/**
 * Typed handle on the merge worker. Supervised: a merge whose worker dies (out of memory, closed)
 * ends as `failed` instead of hanging; its unfinished file is removed before the next merge.
 */
export class MergeClient {
  private readonly worker: WorkerSupervisor<MergeWorkerApi>;

  constructor(spawn: () => Worker = spawnMergeWorker) {
    this.worker = new WorkerSupervisor<MergeWorkerApi>({ name: 'merge', spawn });
  }

  inspect(base: MergeSourceInput, models: MergeSourceInput[]): Promise<MergeInspection> {
    return this.worker.call((api) => api.merge.inspect(base, models));
  }

  async merge(
    request: MergeRequest,
    onProgress: (p: MergeProgress) => void,
  ): Promise<MergeOutcome> {
    try {
      return await this.worker.call(
        async (api) => (await api.merge.merge(request, Comlink.proxy(onProgress))) as MergeOutcome,
      );
    } catch (err) {
      if (!isWorkerCrash(err)) throw err;
      return {
        ok: false,
        reason: 'failed',
        message: 'the merge worker stopped (it crashed, ran out of memory or was closed)',
        problems: [],
      };
    }
  }

  cancel(): Promise<void> {
    return this.worker.call((api) => api.merge.cancel());
  }

  remove(id: string): Promise<void> {
    return this.worker.call((api) => api.merge.remove(id));
  }
}
