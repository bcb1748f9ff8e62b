import {
  AppDatabase,
  type MergeEvaluationRecord,
  type RunRecord,
  type SuiteRecord,
} from '../../lib/db/database';
import type { MergeComparison } from '../../lib/report/merge-comparison';
import type { SuiteSummary } from '../../lib/report/suite-summary';
import { download } from '../download';
import { watchTables } from '../../lib/db/watch';
import type { ReportClient } from '../../lib/report/client';
import type {
  Comparison,
  InspectorDetail,
  InspectorFilter,
  InspectorRow,
  LeaderboardRow,
  MergeGroup,
  RunReport,
} from '../../lib/report/service';
import type { ProtocolId } from '../../lib/scoring/types';
import { DEFAULT_OPEN_PROTOCOL, type OpenProtocolId } from '../../lib/scoring/open-protocols';
import { errorText, msg, type Text } from '../../lib/i18n/translate';
import { locale } from '../../lib/i18n/locale.svelte';

export type ResultsTab =
  'report' | 'inspector' | 'leaderboard' | 'compare' | 'suite' | 'model-merges';
export type ExportKind = 'json' | 'csv' | 'md' | 'html';

/** The Results step: which run and protocol, its report, the inspector, leaderboard, comparison. */
export class ReportState {
  runs = $state.raw<RunRecord[]>([]);
  runId = $state<string | null>(null);
  protocol = $state<ProtocolId>('cmexam-char');
  /** How open runs (method `open`) are scored. */
  openProtocol = $state<OpenProtocolId>(DEFAULT_OPEN_PROTOCOL);
  tab = $state<ResultsTab>('report');
  report = $state.raw<RunReport | null>(null);
  loading = $state(false);
  error = $state.raw<Text | Text[] | null>(null);
  notice = $state.raw<Text | null>(null);

  filter = $state<InspectorFilter>('all');
  annotation = $state<{ column: string; value: string } | null>(null);
  rows = $state.raw<InspectorRow[]>([]);
  detail = $state.raw<InspectorDetail | null>(null);

  board = $state.raw<LeaderboardRow[]>([]);
  /** Stored suites, newest first, the one shown, and its summary table. */
  suites = $state.raw<SuiteRecord[]>([]);
  suiteId = $state<string | null>(null);
  suiteSummary = $state.raw<SuiteSummary | null>(null);
  /** Stored merge evaluations, newest first, the one shown, and its comparison. */
  mergeEvaluations = $state.raw<MergeEvaluationRecord[]>([]);
  mergeEvaluationId = $state<string | null>(null);
  mergeComparison = $state.raw<MergeComparison | null>(null);
  compareA = $state<string | null>(null);
  compareB = $state<string | null>(null);
  comparison = $state.raw<Comparison | null>(null);
  groups = $state.raw<MergeGroup[]>([]);

  private readonly db = new AppDatabase();
  private loadToken = 0;
  private lastStamp = '';
  private active = true;

  constructor(private readonly client: () => ReportClient) {
    watchTables(
      this.db,
      ['runs'],
      async () => {
        const runs = await this.db.runs.orderBy('createdAt').reverse().toArray();
        this.runs = runs;
        if (!this.runId || !runs.some((r) => r.id === this.runId)) {
          this.runId = runs.find((r) => r.totals.done > 0)?.id ?? null;
        }
        // A run that is still answering: refresh its report now and then, not on every answer,
        // and only while the Results step is shown (scoring competes with the engine).
        const stamp = runs.map((r) => `${r.id}:${r.totals.done}:${r.status}`).join();
        if (stamp !== this.lastStamp && this.active) {
          this.lastStamp = stamp;
          await this.reload();
        }
      },
      5000,
    );
  }

  /** Whether the Results step is on screen; when it comes back, its data is brought up to date. */
  setActive(active: boolean): void {
    this.active = active;
    const stamp = this.runs.map((r) => `${r.id}:${r.totals.done}:${r.status}`).join();
    if (active && stamp !== this.lastStamp) {
      this.lastStamp = stamp;
      void this.reload();
    }
  }

  private async reload(): Promise<void> {
    await this.refresh();
    this.groups = await this.client().mergeGroups();
  }

  get selectedRun(): RunRecord | undefined {
    return this.runs.find((r) => r.id === this.runId);
  }

  /** Annotation columns and their values in the selected run (for the inspector's filter). */
  get annotationValues(): Record<string, string[]> {
    const breakdowns = this.report?.score.breakdowns ?? {};
    return Object.fromEntries(
      Object.entries(breakdowns).map(([c, values]) => [c, Object.keys(values).sort()]),
    );
  }

  async selectRun(runId: string): Promise<void> {
    this.runId = runId;
    this.detail = null;
    await this.refresh();
  }

  async setProtocol(protocol: ProtocolId): Promise<void> {
    this.protocol = protocol;
    await this.refresh();
  }

  async setOpenProtocol(protocol: OpenProtocolId): Promise<void> {
    this.openProtocol = protocol;
    this.detail = null;
    await this.refresh();
  }

  async selectSuite(suiteId: string): Promise<void> {
    this.suiteId = suiteId;
    await this.refresh();
  }

  async selectMergeEvaluation(id: string): Promise<void> {
    this.mergeEvaluationId = id;
    await this.refresh();
  }

  async downloadSuite(kind: 'json' | 'csv'): Promise<void> {
    if (!this.suiteId) return;
    const text = await this.client().exportSuite(this.suiteId, kind);
    const name = `cmexam-suite-${this.suiteId}.${kind}`;
    download(text, name, kind === 'json' ? 'application/json' : 'text/csv');
  }

  async setTab(tab: ResultsTab): Promise<void> {
    this.tab = tab;
    await this.refresh();
  }

  /** Reload what the current tab shows. */
  async refresh(): Promise<void> {
    const token = ++this.loadToken;
    this.loading = true;
    this.error = null;
    try {
      const c = this.client();
      if (this.tab === 'model-merges') {
        const all = await this.db.mergeEvaluations.toArray();
        this.mergeEvaluations = all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        if (
          !this.mergeEvaluationId ||
          !this.mergeEvaluations.some((x) => x.id === this.mergeEvaluationId)
        )
          this.mergeEvaluationId = this.mergeEvaluations[0]?.id ?? null;
        const comparison = this.mergeEvaluationId
          ? await c.mergeComparison(this.mergeEvaluationId, this.protocol)
          : null;
        if (token === this.loadToken) this.mergeComparison = comparison;
      } else if (this.tab === 'suite') {
        this.suites = await this.db.suites.orderBy('createdAt').reverse().toArray();
        if (!this.suiteId || !this.suites.some((x) => x.id === this.suiteId))
          this.suiteId = this.suites[0]?.id ?? null;
        const summary = this.suiteId ? await c.suiteSummary(this.suiteId) : null;
        if (token === this.loadToken) this.suiteSummary = summary;
      } else if (this.tab === 'leaderboard') {
        const board = await c.leaderboard(this.protocol, this.openProtocol);
        if (token === this.loadToken) this.board = board;
      } else if (this.tab === 'compare') {
        if (this.compareA && this.compareB) {
          const comparison = await c.compare(this.compareA, this.compareB, this.protocol);
          if (token === this.loadToken) this.comparison = comparison;
        }
      } else if (this.runId) {
        const report = await c.report(this.runId, this.protocol, this.openProtocol);
        if (token !== this.loadToken) return;
        this.report = report;
        if (this.tab === 'inspector') await this.loadRows(token);
      } else {
        this.report = null;
      }
    } catch (err) {
      if (token === this.loadToken) this.error = messageOf(err);
    } finally {
      if (token === this.loadToken) this.loading = false;
    }
  }

  async setFilter(filter: InspectorFilter): Promise<void> {
    this.filter = filter;
    await this.loadRows(this.loadToken);
  }

  async setAnnotation(annotation: { column: string; value: string } | null): Promise<void> {
    this.annotation = annotation;
    await this.loadRows(this.loadToken);
  }

  private async loadRows(token: number): Promise<void> {
    if (!this.runId) return;
    const a = this.annotation;
    const rows = await this.client().inspectorRows(
      this.runId,
      this.filter,
      a ? { column: a.column, value: a.value } : null,
    );
    if (token === this.loadToken) this.rows = rows;
  }

  async inspect(questionId: string): Promise<void> {
    if (!this.runId) return;
    try {
      this.detail = await this.client().inspect(
        this.runId,
        questionId,
        this.protocol,
        this.openProtocol,
      );
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  async setCompare(a: string | null, b: string | null): Promise<void> {
    this.compareA = a;
    this.compareB = b;
    this.comparison = null;
    await this.refresh();
  }

  /** Build an export in the worker and hand it to the browser as a download. */
  async download(kind: ExportKind): Promise<void> {
    const runId = this.runId;
    const report = this.report;
    if (!runId || !report) return;
    this.error = null;
    try {
      const c = this.client();
      const base = `cmexam-${runId}-${this.protocol}`;
      if (kind === 'json') {
        download(
          await c.exportResults(runId, this.protocol, this.openProtocol),
          `${base}.json`,
          'application/json',
        );
      } else if (kind === 'csv') {
        download(
          await c.exportCsv(runId, this.protocol, this.openProtocol),
          `${base}.csv`,
          'text/csv',
        );
      } else if (kind === 'md') {
        download(
          await c.exportMarkdown(runId, this.protocol, locale.current, this.openProtocol),
          `${base}.md`,
          'text/markdown',
        );
      } else {
        const s = report.score;
        const { reportCharts } = await import('../../lib/report/charts');
        // The charts are of right and wrong answers: an open run has none to draw.
        const charts = report.open
          ? {}
          : reportCharts({
              breakdowns: s.breakdowns,
              difficulty: s.difficulty,
              calibration: s.calibration,
              positionBias: s.position_bias,
              locale: locale.current,
            });
        const svg = Object.fromEntries(
          Object.entries(charts).map(([caption, el]) => [caption, el.outerHTML]),
        );
        download(
          await c.exportHtml(runId, this.protocol, svg, locale.current, this.openProtocol),
          `${base}.html`,
          'text/html',
        );
      }
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  /** Import results files one by one; each is stored as a run or refused with its reason. */
  async importFiles(files: File[]): Promise<void> {
    this.error = null;
    this.notice = null;
    const problems: Text[] = [];
    const imported: string[] = [];
    for (const f of files) {
      try {
        const { runId } = await this.client().importResults(await f.text(), f.name);
        imported.push(runId);
      } catch (err) {
        problems.push(msg('fileProblem', { file: f.name, problem: errorText(err) }));
      }
    }
    if (imported.length) {
      this.notice = msg(imported.length === 1 ? 'importedOneRun' : 'importedRuns', {
        count: imported.length,
      });
      this.runId = imported[imported.length - 1];
    }
    this.groups = await this.client().mergeGroups();
    await this.refresh();
    // After the refresh, which clears the last error.
    if (problems.length) this.error = problems;
  }

  async merge(group: MergeGroup): Promise<void> {
    this.error = null;
    try {
      const { runId } = await this.client().mergeShards(group.shards.map((s) => s.runId));
      this.notice = msg('mergedShards', { count: group.count, runId });
      this.runId = runId;
      this.groups = await this.client().mergeGroups();
      await this.refresh();
    } catch (err) {
      this.error = messageOf(err);
    }
  }
}

const messageOf = errorText;
