import {
  AppDatabase,
  type MergedModelRecord,
  type MergeEvaluationRecord,
  type MergeSearchRecord,
} from '../../lib/db/database';
import { liveQuery } from 'dexie';
import { MergeClient } from '../../lib/merge/client';
import { memberRunSpec, planMergeEvaluation } from '../../lib/merge/evaluation';
import {
  hiMergingBudget,
  hiMergingProblems,
  type HiMergingConfig,
  type HiMergingPoint,
} from '../../lib/merge/hi-merging';
import { followHiMerging } from '../../lib/workflow/hi-merging';
import { canonicalJson } from '../../lib/eval/spec';
import { shortSha256 } from '../../lib/hash';
import type { RunSpec } from '../../lib/eval/types';
import type { MergeOutputType } from '../../lib/merge/ggml-types';
import type { MergeProgress } from '../../lib/merge/merge';
import { MERGE_METHODS } from '../../lib/merge/methods/registry';
import type { MergeMethodName } from '../../lib/merge/methods/types';
import { parseLayerValue, recipeProblems, type MergeRecipe } from '../../lib/merge/recipe';
import type { MergeInspection, MergeSourceInput } from '../../lib/merge/service';
import { defaultSpec } from '../../lib/eval/spec';
import { followMergeEvaluation } from '../../lib/workflow/merge-evaluate';
import { errorText, msg, TranslatableError, type Text } from '../../lib/i18n/translate';
import type { ModelsState } from './models.svelte';
import type { RunsState } from './runs.svelte';

/** A model that can take part in a merge: a local file, a GGUF address, an earlier merge. */
export interface MergeCandidate {
  /** How a run names it (`file:…`, the URL, `merged:…`). */
  key: string;
  name: string;
  kind: MergeSourceInput['kind'];
  source: MergeSourceInput;
}

export type MergeStatus = 'idle' | 'merging' | 'done' | 'error' | 'cancelled';

export interface MergeEvaluationProgress {
  id: string | null;
  status: 'preparing' | 'running' | 'stopped' | 'done' | 'error';
  /** The member whose run is driven. */
  at: number;
  members: string[];
  error: Text | null;
}

/** The Merge section of the Model step: parents, method, parameters, the merge, its evaluation. */
export class MergeState {
  baseKey = $state<string | null>(null);
  modelKeys = $state<string[]>([]);
  /** Per fine-tune, as typed: a number, or a list over layers ("0.2, 0.8"). */
  weights = $state<Record<string, string>>({});
  densities = $state<Record<string, string>>({});
  method = $state<MergeMethodName>('ties');
  lambda = $state('1');
  t = $state('0.5');
  seed = $state(0);
  outType = $state<MergeOutputType>('q8_0');
  label = $state('');
  /** Questions for "Merge and evaluate": a stored choice split, its first N. */
  evalSplitId = $state<string | null>(null);
  evalCount = $state(20);

  inspection = $state.raw<MergeInspection | null>(null);
  inspectError = $state.raw<Text | null>(null);
  status = $state<MergeStatus>('idle');
  progress = $state.raw<MergeProgress | null>(null);
  error = $state.raw<Text | null>(null);
  /** Problems named by the merge (incompatible models): English, names quoted. */
  problems = $state.raw<string[]>([]);
  last = $state.raw<MergedModelRecord | null>(null);
  evaluation = $state.raw<MergeEvaluationProgress | null>(null);

  /** Hi-Merging: the grid (the authors' 0.1 … 1.0 by default), the step limit, the search. */
  hmDensities = $state('0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1');
  hmWeights = $state('0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1');
  hmSteps = $state(5);
  /** The search followed in this tab, or the newest stored one. */
  search = $state.raw<MergeSearchRecord | null>(null);
  searchPoint = $state.raw<HiMergingPoint | null>(null);
  searching = $state(false);
  searchError = $state.raw<Text | null>(null);
  private searchStop = false;
  private searchRunId: string | null = null;

  get evaluating(): boolean {
    const s = this.evaluation?.status;
    return s === 'preparing' || s === 'running';
  }

  private client: MergeClient | null = null;
  private readonly db = new AppDatabase();
  private inspectToken = 0;

  constructor(
    private readonly models: ModelsState,
    private readonly runs: () => RunsState,
  ) {
    liveQuery(() => this.db.mergeSearches.orderBy('createdAt').last()).subscribe((s) => {
      if (!this.searching && s) void this.showStored(s);
    });
  }

  get candidates(): MergeCandidate[] {
    const out: MergeCandidate[] = [];
    for (const { file } of this.models.localFiles) {
      const source: MergeSourceInput = { kind: 'file', name: file.name, file };
      out.push({ key: `file:${file.name}`, name: file.name, kind: 'file', source });
    }
    for (const m of this.models.userModels) {
      if (m.backend !== 'wllama' || !m.url) continue;
      out.push({
        key: m.url,
        name: m.label,
        kind: 'url',
        source: { kind: 'url', name: m.url, url: m.url },
      });
    }
    for (const m of this.models.mergedModels) {
      out.push({
        key: `merged:${m.id}`,
        name: m.label,
        kind: 'merged',
        source: { kind: 'merged', name: m.label, id: m.id, fileName: m.fileName },
      });
    }
    return out;
  }

  /** Problems with the form as it is (translated); empty when a merge can start. */
  get formProblems(): Text[] {
    const problems: Text[] = [];
    if (!this.baseKey) problems.push(msg('mergeNeedBase'));
    const method = MERGE_METHODS[this.method];
    if (this.modelKeys.length < method.models.min)
      problems.push(msg('mergeNeedModels', { n: method.models.min }));
    if (this.modelKeys.length > method.models.max)
      problems.push(msg('mergeTooManyModels', { method: this.method, n: method.models.max }));
    const recipe = this.recipe();
    if (!recipe) problems.push(msg('mergeBadNumber'));
    else for (const p of recipeProblems(recipe)) problems.push(msg('engVerbatim', { text: p }));
    return problems;
  }

  setBase(key: string | null): void {
    this.baseKey = key;
    this.modelKeys = this.modelKeys.filter((k) => k !== key);
    void this.inspect();
  }

  toggleModel(key: string, on: boolean): void {
    this.modelKeys = on
      ? [...this.modelKeys.filter((k) => k !== key), key]
      : this.modelKeys.filter((k) => k !== key);
    this.weights[key] ??= '1';
    this.densities[key] ??= '0.5';
    void this.inspect();
  }

  /** The recipe from the form; null when a number does not read. */
  recipe(): MergeRecipe | null {
    const lambda = parseLayerValue(this.lambda);
    const t = parseLayerValue(this.t);
    const byKey = new Map(this.candidates.map((c) => [c.key, c]));
    const base = this.baseKey ? byKey.get(this.baseKey) : undefined;
    if (lambda === null || t === null || !base) return null;
    const models: MergeRecipe['models'] = [];
    for (const key of this.modelKeys) {
      const c = byKey.get(key);
      const weight = parseLayerValue(this.weights[key] ?? '1');
      const density = parseLayerValue(this.densities[key] ?? '1');
      if (!c || weight === null || density === null) return null;
      models.push({ source: c.source.name, weight, density });
    }
    return {
      method: this.method,
      base: base.source.name,
      models,
      lambda,
      t,
      seed: this.seed,
      outType: this.outType,
    };
  }

  /** Reads the chosen models' headers: compatibility, memory, the merged file's size. */
  async inspect(): Promise<void> {
    const token = ++this.inspectToken;
    this.inspection = null;
    this.inspectError = null;
    const sources = this.sources();
    if (!sources || sources.models.length === 0) return;
    try {
      const result = await this.merger().inspect(sources.base, sources.models);
      if (token === this.inspectToken) this.inspection = result;
    } catch (err) {
      if (token === this.inspectToken) this.inspectError = errorText(err);
    }
  }

  async merge(): Promise<MergedModelRecord | null> {
    const recipe = this.recipe();
    const sources = this.sources();
    if (!recipe || !sources || this.formProblems.length > 0 || this.status === 'merging')
      return null;
    this.status = 'merging';
    this.progress = null;
    this.error = null;
    this.problems = [];
    void navigator.storage?.persist?.().catch(() => false);
    const outcome = await this.merger().merge(
      { base: sources.base, models: sources.models, recipe, label: this.label },
      (p) => (this.progress = p),
    );
    if (outcome.ok) {
      this.status = 'done';
      this.last = outcome.record;
      return outcome.record;
    }
    this.status = outcome.reason === 'cancelled' ? 'cancelled' : 'error';
    this.problems = outcome.problems;
    this.error =
      outcome.reason === 'cancelled'
        ? msg('mergeCancelled')
        : outcome.reason === 'busy'
          ? msg('mergeBusy')
          : msg('mergeFailed', { detail: outcome.message });
    return null;
  }

  cancel(): void {
    void this.merger().cancel();
  }

  async remove(id: string): Promise<void> {
    await this.merger().remove(id);
    if (this.last?.id === id) this.last = null;
  }

  async mergeAndEvaluate(): Promise<void> {
    const record = await this.merge();
    if (record) await this.evaluate(record);
  }

  /**
   * Runs the merge, its base and each fine-tune on the chosen questions, one after another. The
   * same merge on the same questions is the stored evaluation: it goes on where it stopped.
   */
  async evaluate(record: MergedModelRecord): Promise<void> {
    if (!this.evalSplitId && !(await this.unfinishedEvaluation(record.id))) {
      this.evaluation = {
        id: null,
        status: 'error',
        at: 0,
        members: [],
        error: msg('mergeEvalNoSplit'),
      };
      return;
    }
    const unfinished = await this.unfinishedEvaluation(record.id);
    if (unfinished) {
      await this.follow(unfinished);
      return;
    }
    if (!this.evalSplitId) return;
    const template = defaultSpec(this.evalSplitId, `merged:${record.id}`, 'wllama');
    template.subset = { ...template.subset, mode: 'first', n: Math.max(1, this.evalCount) };
    const planned = await planMergeEvaluation(record, template);
    const stored = await this.db.mergeEvaluations.get(planned.id);
    await this.follow(stored ?? planned);
  }

  /** The newest stored evaluation of this merge with a run not done, if any. */
  private async unfinishedEvaluation(mergedId: string): Promise<MergeEvaluationRecord | null> {
    const stored = await this.db.mergeEvaluations.where('mergedId').equals(mergedId).toArray();
    stored.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    for (const e of stored) {
      const ids = e.members.map((m) => m.runId);
      if (ids.some((id) => id === null)) return e;
      const runs = await this.db.runs.bulkGet(ids as string[]);
      if (runs.some((r) => r?.status !== 'done')) return e;
    }
    return null;
  }

  private async follow(planned: MergeEvaluationRecord): Promise<void> {
    const runs = this.runs();
    this.evaluation = {
      id: planned.id,
      status: 'preparing',
      at: 0,
      members: planned.members.map((m) => m.label),
      error: null,
    };
    const result = await followMergeEvaluation(
      planned,
      {
        ensureModel: (spec) => this.models.ensureModelFor(spec),
        createRun: (spec) => runs.create(spec),
        driveRun: async (runId) => {
          await runs.drive(runId);
          return (await this.db.runs.get(runId)) ?? null;
        },
        save: (evaluation) => this.db.mergeEvaluations.put(evaluation).then(() => undefined),
      },
      (at) => (this.evaluation = { ...this.evaluation!, status: 'running', at }),
    );
    this.evaluation = result.ok
      ? { ...this.evaluation!, status: result.stoppedAt ? 'stopped' : 'done' }
      : {
          ...this.evaluation!,
          status: 'error',
          error: msg('mergeEvalMemberProblem', { member: result.member, problem: result.error }),
        };
  }

  /** The search's configuration from the form; null (with the reason) when it cannot run. */
  hmConfig(): { config: HiMergingConfig; problems: Text[] } {
    const list = (text: string) => {
      const v = parseLayerValue(text);
      return v === null ? [] : typeof v === 'number' ? [v] : [...v];
    };
    const config: HiMergingConfig = {
      models: this.modelKeys.length,
      layers: this.inspection?.models[0]?.layers ?? 0,
      densities: list(this.hmDensities),
      weights: list(this.hmWeights),
      stepLimit: this.hmSteps,
    };
    const problems: Text[] = [];
    if (!this.baseKey) problems.push(msg('mergeNeedBase'));
    else if (!this.inspection && !this.inspectError) problems.push(msg('mergeChecking'));
    else if (!this.inspection) problems.push(this.inspectError!);
    if ((this.inspection?.mismatches.length ?? 0) > 0) problems.push(msg('mergeIncompatible'));
    if (!this.evalSplitId) problems.push(msg('mergeEvalNoSplit'));
    problems.push(...hiMergingProblems(config));
    return { config, problems };
  }

  get hmBudget(): number {
    return hiMergingBudget(this.hmConfig().config);
  }

  /**
   * Starts the Hi-Merging search on the chosen models, or goes on with the stored one of the
   * same configuration (a reload): every point evaluated is a stored run.
   */
  async startSearch(): Promise<void> {
    const { config, problems } = this.hmConfig();
    const byKey = new Map(this.candidates.map((c) => [c.key, c]));
    const base = this.baseKey ? byKey.get(this.baseKey) : undefined;
    if (problems.length > 0 || !base || !this.evalSplitId || this.searching) return;
    // Set before the first await: a second click must not start a second search.
    this.searching = true;
    const fineTunes = this.modelKeys.flatMap((k) => byKey.get(k) ?? []);
    const template = defaultSpec(this.evalSplitId, base.key, 'wllama');
    template.subset = { ...template.subset, mode: 'first', n: Math.max(1, this.evalCount) };
    const spec = memberRunSpec(template, base.key);
    const id = await shortSha256(
      canonicalJson({
        config,
        base: base.key,
        models: fineTunes.map((c) => c.key),
        seed: this.seed,
        outType: this.outType,
        spec: { ...spec, model: '' },
      }),
    );
    const now = new Date().toISOString();
    const stored = await this.db.mergeSearches.get(id);
    const start: MergeSearchRecord = stored ?? {
      id,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      error: null,
      config,
      base: { name: base.source.name, ref: base.key },
      models: fineTunes.map((c) => ({ name: c.source.name, ref: c.key })),
      seed: this.seed,
      outType: this.outType,
      spec,
      points: [],
      result: null,
      finalMergedId: null,
    };
    this.searchStop = false;
    this.searchError = null;
    this.search = start;
    try {
      const ran = await navigator.locks.request(
        searchLockName(id),
        { ifAvailable: true },
        async (lock) => {
          if (!lock) return false;
          await this.followSearch(start, spec);
          return true;
        },
      );
      if (!ran) this.searchError = msg('hmBusy');
    } finally {
      this.searching = false;
      this.searchPoint = null;
    }
  }

  private async followSearch(start: MergeSearchRecord, spec: RunSpec): Promise<void> {
    const runs = this.runs();
    const byRef = new Map(this.candidates.map((c) => [c.key, c]));
    const names = new Map([start.base, ...start.models].map((m) => [m.ref, m.name]));
    this.search = await followHiMerging(
      start,
      {
        merge: async (recipe, label, refs, madeFor) => {
          // Parents by reference: two models may share a name, never a reference.
          const source = (ref: string) => {
            const c = byRef.get(ref);
            if (!c)
              throw new TranslatableError(msg('hmSourceMissing', { name: names.get(ref) ?? ref }));
            return $state.snapshot(c.source) as MergeSourceInput;
          };
          const outcome = await this.merger().merge(
            {
              base: source(refs.base),
              models: refs.models.map(source),
              recipe,
              label,
              waitForLock: true,
              madeFor,
            },
            (p) => (this.progress = p),
          );
          this.progress = null;
          if (!outcome.ok)
            throw new TranslatableError(msg('mergeFailed', { detail: outcome.message }));
          return { record: outcome.record, existed: outcome.existed };
        },
        evaluate: (ref) => this.evaluateForSearch(runs, spec, ref),
        leftovers: async () =>
          (await this.db.mergedModels.toArray()).flatMap((m) =>
            m.madeFor?.search === start.id ? [{ id: m.id, point: m.madeFor.point }] : [],
          ),
        discard: (mergedId) => this.merger().remove(mergedId),
        save: async (s) => {
          await this.db.mergeSearches.put(s);
          this.search = s;
        },
        stopped: () => this.searchStop,
      },
      (point) => (this.searchPoint = point),
    );
    if (this.search.status === 'error')
      this.searchError =
        this.search.errorMessage ?? msg('mergeFailed', { detail: this.search.error ?? '' });
  }

  /** A stored search marked running that no tab holds was cut short (a closed tab): stopped. */
  private async showStored(s: MergeSearchRecord): Promise<void> {
    if (s.status === 'running') {
      const held = (await navigator.locks.query()).held ?? [];
      if (!held.some((l) => l.name === searchLockName(s.id))) s = { ...s, status: 'stopped' };
    }
    if (!this.searching) this.search = s;
  }

  stopSearch(): void {
    this.searchStop = true;
    void this.merger().cancel();
    if (this.searchRunId) void this.runs().pause(this.searchRunId);
  }

  private async evaluateForSearch(
    runs: RunsState,
    spec: RunSpec,
    ref: string,
  ): Promise<{ runId: string; score: number } | null> {
    const own = memberRunSpec(spec, ref);
    await this.models.ensureModelFor(own);
    const run = await runs.create(own);
    this.searchRunId = run.id;
    try {
      if (run.status !== 'done' && !this.searchStop) await runs.drive(run.id);
    } finally {
      this.searchRunId = null;
    }
    const after = await this.db.runs.get(run.id);
    if (!after || after.status !== 'done' || after.total === 0) return null;
    return { runId: after.id, score: after.totals.correct / after.total };
  }

  private sources(): { base: MergeSourceInput; models: MergeSourceInput[] } | null {
    const byKey = new Map(this.candidates.map((c) => [c.key, c]));
    const base = this.baseKey ? byKey.get(this.baseKey) : undefined;
    if (!base) return null;
    const models = this.modelKeys.flatMap((k) => {
      const c = byKey.get(k);
      return c ? [$state.snapshot(c.source) as MergeSourceInput] : [];
    });
    return { base: $state.snapshot(base.source) as MergeSourceInput, models };
  }

  private merger(): MergeClient {
    this.client ??= new MergeClient();
    return this.client;
  }
}

/** Held by the tab that follows a search. */
function searchLockName(id: string): string {
  return `cmexam-search:${id}`;
}
