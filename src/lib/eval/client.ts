import * as Comlink from 'comlink';
import type { RunErrorDetail, RunRecord } from '../db/database';
import type { EngineWorkerApi } from '../engines/protocol';
import { isWorkerCrash, type WorkerSupervisor } from '../workers/supervisor';
import type { DriveOutcome, RunProgress } from './progress';
import type { RunSpec } from './types';
import { msg, type Message } from '../i18n/translate';

/**
 * A dead engine worker is the one failure that is retried: after each crash the worker is
 * restarted with the model (workers/supervisor.ts) and the run driven again after a pause that
 * doubles. A crash after which the run answered nothing more counts towards this limit; once
 * it is passed, the run is stored as `error` (a model that kills its worker on every question
 * would otherwise restart forever).
 */
export const MAX_CRASH_RETRIES = 3;
export const CRASH_BACKOFF_MS: readonly number[] = [1000, 2000, 4000];

/**
 * The page's handle on runs: they live in the engine worker, next to the engine, so this
 * client shares the engine client's supervised worker but not its code. Pause and Cancel always
 * stop a run: a request is kept here too, so that it also holds while the worker restarts.
 */
export class RunClient {
  private readonly stopRequests = new Map<string, 'pause' | 'cancel'>();

  constructor(
    private readonly worker: WorkerSupervisor<EngineWorkerApi>,
    private readonly wait: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly backoffMs: readonly number[] = CRASH_BACKOFF_MS,
  ) {}

  /** Create (or find) the run for a canonical spec in the database. */
  create(runId: string, spec: RunSpec): Promise<RunRecord> {
    return this.worker.call((api) => api.runs.create(runId, spec));
  }

  /**
   * Drive a run in this tab's engine worker until it is done, paused, cancelled or stopped by an
   * error (stored on the run). Resolves `locked` when another tab drives it. Rejects only when
   * the run cannot be driven at all (it does not exist).
   */
  async drive(
    runId: string,
    onProgress: (p: RunProgress) => void = () => {},
    onRetry: (attempt: number, waitMs: number) => void = () => {},
  ): Promise<DriveOutcome> {
    this.stopRequests.delete(runId);
    let done = -1;
    let doneAtLastCrash = -1;
    let crashes = 0;
    let doneAtStart: number | null = null;
    const progress = (p: RunProgress) => {
      doneAtStart ??= p.done;
      // A new answer is the worker working: its crash count starts again (supervisor.ts).
      if (p.done > (done < 0 ? doneAtStart : done)) this.worker.markHealthy();
      done = p.done;
      onProgress(p);
    };
    for (;;) {
      try {
        return await this.worker.call((api) => api.runs.drive(runId, Comlink.proxy(progress)));
      } catch (err) {
        if (!isWorkerCrash(err)) throw err;
      }
      // A crash after new answers starts a new count.
      if (done > doneAtLastCrash) crashes = 0;
      doneAtLastCrash = done;
      crashes++;
      if (crashes > MAX_CRASH_RETRIES) {
        await this.stopAfterCrash(runId, 'error', msg('runCrashedRepeatedly', { n: crashes }), {
          code: 'crashed',
        });
        return 'error';
      }
      const waitMs = this.backoffMs[Math.min(crashes - 1, this.backoffMs.length - 1)];
      onRetry(crashes, waitMs);
      if (await this.stoppedDuringCrash(runId)) return this.stopOutcome(runId);
      await this.wait(waitMs);
      await this.worker.settled();
      if (await this.stoppedDuringCrash(runId)) return this.stopOutcome(runId);
    }
  }

  async pause(runId: string): Promise<void> {
    this.stopRequests.set(runId, 'pause');
    await this.worker.call((api) => api.runs.pause(runId)).catch(() => {});
  }

  async cancel(runId: string): Promise<void> {
    this.stopRequests.set(runId, 'cancel');
    await this.worker.call((api) => api.runs.cancel(runId)).catch(() => {});
  }

  /** A pause or cancel asked for while the worker was down: record it on the run. */
  private async stoppedDuringCrash(runId: string): Promise<boolean> {
    const stop = this.stopRequests.get(runId);
    if (!stop) return false;
    await this.stopAfterCrash(runId, stop === 'pause' ? 'paused' : 'cancelled');
    return true;
  }

  private stopOutcome(runId: string): DriveOutcome {
    const stop = this.stopRequests.get(runId);
    this.stopRequests.delete(runId);
    return stop === 'cancel' ? 'cancelled' : 'paused';
  }

  private async stopAfterCrash(
    runId: string,
    status: 'paused' | 'cancelled' | 'error',
    error: Message | null = null,
    detail: RunErrorDetail | null = null,
  ): Promise<void> {
    await this.worker.settled();
    await this.worker.call((api) => api.runs.stop(runId, status, error, detail)).catch(() => {}); // a worker dying again now leaves the run as it was: paused on reload
  }
}
