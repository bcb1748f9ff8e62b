import { AppDatabase, type AnswerRecord, type RunRecord } from '../../lib/db/database';
import { watchTables } from '../../lib/db/watch';
import type { RunClient } from '../../lib/eval/client';
import { progressOf, type RunProgress } from '../../lib/eval/progress';
import { runLockName } from '../../lib/eval/locks';
import { canonicalSpec, runIdFor, specProblems } from '../../lib/eval/spec';
import { errorText, msg, TranslatableError, type Text } from '../../lib/i18n/translate';
import type { RunSpec } from '../../lib/eval/types';
import type { SuiteMember } from '../../lib/eval/suite';
import { followSuiteLink, type SuiteLinkSteps } from '../../lib/workflow/suite-link';

/** How many of the selected run's answers the Run step lists. */
const RECENT_ANSWERS = 20;

export type RunUiStatus = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'error';

/** What the Run step needs from the Model step: the run's own model, loaded (or a reason). */
export interface RunModels {
  ensureModelFor(spec: RunSpec): Promise<void>;
}

/** A suite link's progress in this tab. */
export interface SuiteProgress {
  id: string | null;
  status: 'preparing' | 'running' | 'stopped' | 'done' | 'error';
  /** Member refs in order, and the run each got (once created). */
  members: string[];
  runIds: (string | null)[];
  /** The member being worked on. */
  at: number;
  error: Text | null;
}

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
  /** A failure outside any run (a link that could not be set up, a run that could not start). */
  error = $state.raw<Text | null>(null);
  /** A passing notice: the engine restarted and the run goes on. */
  notice = $state.raw<Text | null>(null);
  recent = $state.raw<AnswerRecord[]>([]);
  /** The run shown in the presenter view, when it is open (`view=present` on a link). */
  presenting = $state<string | null>(null);
  /** The suite a suite link set up in this tab, and how far it is. */
  suite = $state.raw<SuiteProgress | null>(null);

  private readonly db = new AppDatabase();
  /** Which state of the selected run `recent` was read for. */
  private recentOf = '';
  private lastStatuses = '';

  constructor(
    private readonly client: () => RunClient,
    private readonly models: () => RunModels,
  ) {
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
    if (!run) {
      const status = this.preparing ? 'loading' : this.error ? 'error' : 'idle';
      return { status, done: 0, total: 0, runId: '' };
    }
    const base = { done: run.totals.done, total: run.total, runId: run.id };
    if (this.preparing === run.id) return { status: 'loading', ...base };
    const mine = this.driving.includes(run.id);
    // A run this tab could not drive (its model would not load, a link failed): say so.
    if (this.error && !mine && run.status !== 'done') return { status: 'error', ...base };
    if (run.status === 'running' && !mine && !this.elsewhere.includes(run.id)) {
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
    const key = run ? `${run.id} ${run.totals.done} ${run.totals.errors} ${run.status}` : '';
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

  /** Follow a suite link (workflow/suite-link.ts) through this state's runs and stores. */
  async followSuite(
    link: { members: SuiteMember[]; autostart: boolean; query: string },
    steps: Pick<SuiteLinkSteps, 'importSplit' | 'splitKind' | 'importCmexamSplit'>,
  ): Promise<void> {
    const members = link.members.map((m) => m.ref);
    this.suite = {
      id: null,
      status: 'preparing',
      members,
      runIds: members.map(() => null),
      at: 0,
      error: null,
    };
    const result = await followSuiteLink(
      link,
      {
        ...steps,
        ensureModel: (spec) => this.models().ensureModelFor(spec),
        createRun: (spec) => this.create(spec),
        driveRun: async (runId) => {
          await this.drive(runId);
          return (await this.db.runs.get(runId)) ?? null;
        },
        saveSuite: async (suite) => {
          await this.db.suites.put(suite);
          this.suite = {
            ...this.suite!,
            id: suite.id,
            runIds: suite.members.map((m) => m.runId),
            status: link.autostart ? 'running' : 'stopped',
          };
        },
        storedSuite: (id) => this.db.suites.get(id),
      },
      (_stage, at) => {
        if (this.suite) this.suite = { ...this.suite, at };
      },
    );
    if (!result.ok) {
      this.suite = {
        ...this.suite!,
        status: 'error',
        error: result.member
          ? msg('suiteMemberProblem', { ref: result.member, problem: result.error })
          : result.error,
      };
      return;
    }
    this.suite = {
      ...this.suite!,
      status: !link.autostart || result.stoppedAt ? 'stopped' : 'done',
    };
  }

  /**
   * Create the run for a spec (or find it: the same spec is the same run) and select it. Throws,
   * listing every problem, for a spec that cannot run.
   */
  async create(spec: RunSpec): Promise<RunRecord> {
    // The stored spec is the canonical one its id is computed from.
    const canonical = canonicalSpec($state.snapshot(spec) as RunSpec);
    const problems = specProblems(canonical);
    if (problems.length) throw new TranslatableError(msg('sentences', { list: problems }));
    const runId = await runIdFor(canonical);
    const run = await this.client().create(runId, canonical);
    this.select(run.id);
    return run;
  }

  /**
   * Drive a run from this tab, with its own model: the model is loaded first when another is
   * (or none is), and the run is refused, naming its model, when that cannot be done.
   */
  async resume(runId: string): Promise<void> {
    const run = this.runs.find((r) => r.id === runId) ?? (await this.db.runs.get(runId));
    if (!run) return;
    this.error = null;
    this.select(runId);
    this.preparing = runId;
    try {
      await this.models().ensureModelFor(run.spec);
    } catch (err) {
      this.error = messageOf(err);
      return;
    } finally {
      this.preparing = null;
    }
    await this.drive(runId);
  }

  /**
   * Drive a run from this tab until it is done, paused, cancelled or stopped by an error (which
   * the run record holds). A dead engine worker is retried by the client, a few times.
   */
  async drive(runId: string): Promise<void> {
    if (this.driving.includes(runId)) return;
    this.error = null;
    this.notice = null;
    this.driving = [...this.driving, runId];
    try {
      const outcome = await this.client().drive(
        runId,
        () => {},
        (attempt, waitMs) => {
          this.notice = msg('engineRestarting', { attempt, s: Math.round(waitMs / 1000) });
        },
      );
      if (outcome === 'locked') this.elsewhere = [...new Set([...this.elsewhere, runId])];
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.driving = this.driving.filter((id) => id !== runId);
      await this.refreshLocks();
    }
  }

  pause(runId: string): Promise<void> {
    return this.client().pause(runId);
  }

  cancel(runId: string): Promise<void> {
    return this.client().cancel(runId);
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

const messageOf = errorText;
