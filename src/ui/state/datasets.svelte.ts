import { liveQuery } from 'dexie';
import { AppDatabase, type ImportRecord, type SplitRecord } from '../../lib/db/database';
import { DatasetClient } from '../../lib/dataset/client';
import { errorInfo, type DatasetErrorInfo } from '../../lib/dataset/errors';
import { msg, type Text } from '../../lib/i18n/translate';
import {
  CMEXAM_SPLITS,
  DEFAULT_CMEXAM_BASE,
  cmexamUrl,
  customSplitName,
  splitIdFor,
  splitNameForFiles,
  type CmexamSplit,
} from '../../lib/dataset/ids';
import type { ImportOutcome, ImportProgress, ImportSource } from '../../lib/dataset/ingest';
import type { BenchmarkFormat } from '../../lib/dataset/types';
import { groupFiles, HEAD_BYTES, planFiles } from '../../lib/dataset/file-set';
import { HF_BASE } from '../../lib/dataset/benchmarks';
import type { DatasetLinkRequest } from '../../lib/dataset/url-params';

export interface ImportJob {
  importId: string;
  splitId: string;
  dataset: string;
  split: string;
  source: ImportSource;
  state: 'running' | 'failed' | 'cancelled';
  progress: ImportProgress | null;
  error: DatasetErrorInfo | null;
}

export interface StorageInfo {
  usage: number;
  quota: number;
  persisted: boolean;
}

export type DatasetStatus = 'empty' | 'loading' | 'ready' | 'error';

const MIRROR_KEY = 'cmexam.mirror';
const HF_MIRROR_KEY = 'cmexam.hf-mirror';

/** Dataset state for the UI: stored splits, imports in this tab, the browser selection. */
export class DatasetsState {
  splits = $state<SplitRecord[]>([]);
  /** Imports recorded in the database (this or another tab, or interrupted). */
  openImports = $state<ImportRecord[]>([]);
  jobs = $state<Record<string, ImportJob>>({});
  /** The file shape forced for the next imports of the user's files; null: detected. */
  shape = $state<BenchmarkFormat | null>(null);
  selected = $state<string | null>(null);
  linkProblems = $state.raw<Text[]>([]);
  /** The split a link asked for; the status hook follows it. */
  linkSplitId = $state<string | null>(null);
  mirror = $state(localStorage.getItem(MIRROR_KEY) ?? DEFAULT_CMEXAM_BASE);
  /** Where the other benchmarks' Hugging Face files are downloaded from. */
  hfMirror = $state(localStorage.getItem(HF_MIRROR_KEY) ?? HF_BASE);
  storage = $state<StorageInfo | null>(null);

  readonly client = new DatasetClient();
  private readonly db = new AppDatabase();

  constructor() {
    liveQuery(() => this.db.splits.toArray()).subscribe((s) => this.setSplits(s));
    liveQuery(() => this.db.imports.toArray()).subscribe((i) => (this.openImports = i));
    // Rows left by a tab that closed mid-import are freed at start-up.
    void this.client.collectGarbage().then(() => this.refresh());
    void this.refreshStorage();
  }

  splitById(id: string): SplitRecord | undefined {
    return this.splits.find((s) => s.id === id);
  }

  get focusId(): string | null {
    return this.linkSplitId ?? this.selected;
  }

  /** The stable automation hook (`data-testid="dataset-status"`). */
  get status(): { status: DatasetStatus; rows: number; progressRows: number } {
    const id = this.focusId;
    const job = id ? this.jobs[id] : undefined;
    const split = id ? this.splitById(id) : undefined;
    const rows = split?.rows ?? 0;
    if (job?.state === 'running')
      return { status: 'loading', rows, progressRows: job.progress?.rows ?? 0 };
    if (job?.state === 'failed' || (this.linkProblems.length > 0 && !split)) {
      return { status: 'error', rows, progressRows: 0 };
    }
    return { status: split ? 'ready' : 'empty', rows, progressRows: 0 };
  }

  setHfMirror(url: string): void {
    this.hfMirror = url.trim() || HF_BASE;
    localStorage.setItem(HF_MIRROR_KEY, this.hfMirror);
  }

  setMirror(url: string): void {
    this.mirror = url.trim() || DEFAULT_CMEXAM_BASE;
    localStorage.setItem(MIRROR_KEY, this.mirror);
  }

  importOfficial(split: CmexamSplit, opts: { mirror?: string; onlyIfMissing?: boolean } = {}) {
    return this.start({
      dataset: 'cmexam',
      split,
      source: { kind: 'url', url: cmexamUrl(opts.mirror ?? this.mirror, split) },
      onlyIfMissing: opts.onlyIfMissing,
    });
  }

  importUrl(url: string, split?: string | null, onlyIfMissing = false, answerKeyUrl?: string) {
    return this.start({
      dataset: 'custom',
      split: split || customSplitName(url),
      source: { kind: 'url', url, ...(answerKeyUrl ? { answerKeyUrl } : {}) },
      onlyIfMissing,
    });
  }

  importFile(file: File) {
    return this.start({
      dataset: 'custom',
      split: customSplitName(file.name),
      source: { kind: 'file', file, name: file.name },
    });
  }

  /**
   * Files chosen together: CMMLU's subject files, or CMB's questions with their answer key,
   * make one split (named after the first questions file by name); other files a split each.
   */
  async importFiles(files: File[]): Promise<void> {
    const heads = await Promise.all(
      files.map(async (f) => new TextDecoder().decode(await f.slice(0, HEAD_BYTES).arrayBuffer())),
    );
    await Promise.all(
      groupFiles(heads).map((group) => {
        if (group.length === 1) return this.importFile(files[group[0]]);
        const chosen = group.map((i) => files[i]);
        const plan = planFiles(group.map((i) => ({ name: files[i].name, head: heads[i] })));
        return this.start({
          dataset: 'custom',
          split: splitNameForFiles(plan.questions.map((i) => chosen[i].name)),
          source: { kind: 'files', files: chosen.map((file) => ({ file, name: file.name })) },
        });
      }),
    );
  }

  retry(splitId: string) {
    const job = this.jobs[splitId];
    if (!job) return;
    // Job fields are reactive proxies, which cannot be sent to a worker.
    return this.start(
      $state.snapshot({ dataset: job.dataset, split: job.split, source: job.source }),
    );
  }

  cancel(splitId: string): void {
    const job = this.jobs[splitId];
    if (job?.state === 'running') void this.client.cancelImport(job.importId);
  }

  dismiss(splitId: string): void {
    delete this.jobs[splitId];
  }

  async deleteSplit(splitId: string): Promise<void> {
    await this.client.deleteSplit(splitId);
    if (this.selected === splitId) this.selected = null;
    delete this.jobs[splitId];
    await this.refresh();
    await this.refreshStorage();
  }

  /**
   * Act on a link's dataset part (`?dataset=…`): import what it names unless it is already
   * stored. Resolves when the split is stored, or the import failed.
   */
  async applyLink(request: DatasetLinkRequest | null, problems: Text[]): Promise<string | null> {
    this.linkProblems = problems;
    if (!request) return null;
    if (request.kind === 'cmexam') {
      this.linkSplitId = splitIdFor('cmexam', request.split);
      await this.importOfficial(request.split, {
        mirror: request.mirror ?? undefined,
        onlyIfMissing: true,
      });
    } else {
      const split = request.split ?? customSplitName(request.url);
      this.linkSplitId = splitIdFor('custom', split);
      await this.importUrl(request.url, split, true, request.answers);
    }
    return this.splitById(this.linkSplitId) ? this.linkSplitId : null;
  }

  async requestPersistence(): Promise<void> {
    try {
      await navigator.storage?.persist?.();
    } catch {
      // Browsers may refuse silently; the storage card shows the result.
    }
    await this.refreshStorage();
  }

  async refreshStorage(): Promise<void> {
    if (!navigator.storage?.estimate) return;
    const [estimate, persisted] = await Promise.all([
      navigator.storage.estimate(),
      navigator.storage.persisted?.() ?? Promise.resolve(false),
    ]);
    this.storage = { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted };
  }

  private async start(opts: {
    dataset: string;
    split: string;
    source: ImportSource;
    onlyIfMissing?: boolean;
  }): Promise<void> {
    const splitId = splitIdFor(opts.dataset, opts.split);
    if (this.jobs[splitId]?.state === 'running') return;
    const importId = crypto.randomUUID();
    this.jobs[splitId] = {
      importId,
      splitId,
      dataset: opts.dataset,
      split: opts.split,
      source: opts.source,
      state: 'running',
      progress: null,
      error: null,
    };
    this.selected = splitId; // the status hook and the browser follow the newest import
    // Ask before a large write; the browser decides (often silently).
    void navigator.storage?.persist?.().catch(() => false);
    let outcome: ImportOutcome;
    try {
      outcome = await this.client.importSplit(
        {
          importId,
          dataset: opts.dataset,
          split: opts.split,
          source: opts.source,
          onlyIfMissing: opts.onlyIfMissing,
          // The user's choice of file shape for their own files; official CMExam is CMExam's.
          ...(opts.dataset !== 'cmexam' && this.shape ? { shape: this.shape } : {}),
        },
        (p) => {
          const job = this.jobs[splitId];
          if (job?.importId === importId) job.progress = p;
        },
      );
    } catch (err) {
      // The worker itself failed (crashed, or the request could not be sent).
      const message = err instanceof Error ? err.message : String(err);
      outcome = {
        ok: false,
        splitId,
        error: errorInfo('storage', msg('dsImportFailed', { message })),
      };
    }
    await this.refresh();
    const job = this.jobs[splitId];
    if (job?.importId !== importId) return;
    if (outcome.ok) {
      delete this.jobs[splitId];
    } else {
      job.state = outcome.error.code === 'cancelled' ? 'cancelled' : 'failed';
      job.error = outcome.error;
      if (job.state === 'cancelled') delete this.jobs[splitId];
    }
    await this.refreshStorage();
  }

  private async refresh(): Promise<void> {
    this.setSplits(await this.db.splits.toArray());
    this.openImports = await this.db.imports.toArray();
  }

  private setSplits(splits: SplitRecord[]): void {
    const order = Object.keys(CMEXAM_SPLITS);
    this.splits = splits.sort(
      (a, b) =>
        (a.dataset === 'cmexam' ? order.indexOf(a.split) : 99) -
          (b.dataset === 'cmexam' ? order.indexOf(b.split) : 99) || a.id.localeCompare(b.id),
    );
    if (this.selected && !this.splitById(this.selected) && !this.jobs[this.selected]) {
      this.selected = null;
    }
    this.selected ??= this.splits[0]?.id ?? null;
  }
}
