import { AppDatabase, type AnswerRecord, type RunRecord } from '../../lib/db/database';
import { watchTables } from '../../lib/db/watch';
import type { EngineClient } from '../../lib/engines/client';
import { progressOf, runLockName, type RunProgress } from '../../lib/eval/runner';
import type { RunSpec } from '../../lib/eval/types';
import { canonicalSpec, runIdFor } from '../../lib/eval/spec';

/** How many of the selected run's answers the Run step lists. */
const RECENT_ANSWERS = 20;

export type RunUiStatus = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'error';

/** The Run step: runs in the database, which of them this tab drives, and their progress. */
export class RunsState {
  runs = $state.raw<RunRecord[]>([]);
  selectedId = $state<string | null>(null);
  /** Runs this tab's engine worker is driving now. */
  driving = $state<string[]>([]);
  /** Runs held by another tab (their Web Lock is taken elsewhere). */
  elsewhere = $state<string[]>([]);
  /** While a link sets things up (dataset import, model load) before its run starts. */
  preparing = $state<string | null>(null);
  error = $state<string | null>(null);
  recent = $state.raw<AnswerRecord[]>([]);

  private readonly db = new AppDatabase();
  /** Which state of the selected run `recent` was read for. */
  private recentOf = '';
  private lastStatuses = '';

  constructor(private readonly engine: () => EngineClient) {
    // Throttled (about 4 reads a second); a driven run's record changes at most twice a
    // second too, and the latest answers are re-read only when the selected run's have changed.
    watchTables(this.db, ['runs'], async () => {
      const runs = await this.db.runs.orderBy('createdAt').reverse().toArray();
      // Which tab holds a run only matters when a status changes, not on every answer.
      const statuses = runs.map((r) => r.id + r.status).join();
      this.runs = runs;
      if (statuses !== this.lastStatuses) void this.refreshLocks();
      this.lastStatuses = statuses;
      await this.loadRecent();
    });
  }

  get selected(): RunRecord | undefined {
    return this.runs.find((r) => r.id === this.selectedId);
  }

  progress(run: RunRecord): RunProgress {
    return progressOf(run);
  }

  /** The stable automation hook (`data-testid="run-status"`). */
  get hook(): { status: RunUiStatus; done: number; total: number; runId: string } {
    const run = this.selected;
    if (this.error && !run) return { status: 'error', done: 0, total: 0, runId: '' };
    if (this.preparing && !run) return { status: 'loading', done: 0, total: 0, runId: '' };
    if (!run) return { status: 'idle', done: 0, total: 0, runId: '' };
    const base = { done: run.totals.done, total: run.total, runId: run.id };
    if (this.preparing === run.id) return { status: 'loading', ...base };
    if (
      run.status === 'running' &&
      !this.driving.includes(run.id) &&
      !this.elsewhere.includes(run.id)
    ) {
      // Its tab is gone (closed or crashed): it waits to be resumed.
      return { status: 'paused', ...base };
    }
    const map: Record<RunRecord['status'], RunUiStatus> = {
      pending: 'idle',
      running: 'running',
      paused: 'paused',
      done: 'done',
      cancelled: 'paused',
      error: 'error',
    };
    return { status: map[run.status], ...base };
  }

  select(runId: string): void {
    this.selectedId = runId;
    this.recent = [];
    this.recentOf = '';
    void this.loadRecent();
  }

  /** The selected run's latest answers, read again when its answer count or status changes. */
  private async loadRecent(): Promise<void> {
    const run = this.selected;
    const key = run ? `${run.id} ${run.totals.done} ${run.status}` : '';
    if (key === this.recentOf) return;
    this.recentOf = key;
    if (!run) return;
    const recent = await this.db.answers
      .where('runId')
      .equals(run.id)
      .reverse()
      .limit(RECENT_ANSWERS)
      .toArray();
    if (this.recentOf === key) this.recent = recent;
  }

  /** Create the run for a spec (or find it: the same spec is the same run) and select it. */
  async create(spec: RunSpec): Promise<RunRecord> {
    // The stored spec is the canonical one its id is computed from.
    const canonical = canonicalSpec($state.snapshot(spec) as RunSpec);
    const runId = await runIdFor(canonical);
    const run = await this.engine().createRun(runId, canonical);
    this.select(run.id);
    return run;
  }

  /** Drive a run from this tab until it is done, paused or cancelled; survives engine crashes. */
  async drive(runId: string): Promise<void> {
    if (this.driving.includes(runId)) return;
    this.error = null;
    this.driving = [...this.driving, runId];
    try {
      for (;;) {
        const outcome = await this.engine().driveRun(runId, () => {});
        if (outcome === 'crashed') {
          await this.engine().settled();
          continue;
        }
        if (outcome === 'locked') this.elsewhere = [...new Set([...this.elsewhere, runId])];
        break;
      }
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.driving = this.driving.filter((id) => id !== runId);
      await this.refreshLocks();
    }
  }

  pause(runId: string): Promise<void> {
    return this.engine().pauseRun(runId);
  }

  cancel(runId: string): Promise<void> {
    return this.engine().cancelRun(runId);
  }

  async remove(runId: string): Promise<void> {
    await this.db.deleteRun(runId);
    if (this.selectedId === runId) this.selectedId = null;
  }

  private async refreshLocks(): Promise<void> {
    const held = new Set(((await navigator.locks.query()).held ?? []).map((l) => l.name));
    this.elsewhere = this.runs
      .filter((r) => held.has(runLockName(r.id)) && !this.driving.includes(r.id))
      .map((r) => r.id);
  }
}
