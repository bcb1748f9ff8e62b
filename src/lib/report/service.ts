/**
 * What the report worker offers the UI: scores of a run under a protocol, the inspector's
 * question list, exports, results-file import and shard merging, the leaderboard and run
 * comparison. Scoring reads every answer and question of a run, so it never runs on the page.
 */
import type { AnswerRecord, AppDatabase, RunRecord, SplitRecord } from '../db/database';
import { SplitStore } from '../dataset/store';
import type { StoredQuestion } from '../dataset/types';
import { pinStateOf, questionFingerprint, type PinState } from '../eval/pin';
import { totalsOf } from '../eval/progress';
import { runLockName } from '../eval/locks';
import { canonicalJson, canonicalSpec, runIdFor } from '../eval/spec';
import type { RunSpec } from '../eval/types';
import {
  SUITE_FORMAT,
  SUITE_VERSION,
  suiteToCsv,
  type SuiteCell,
  type SuiteRow,
  type SuiteSummary,
} from './suite-summary';
import {
  benchmarkScores,
  compareRuns,
  DEFAULT_OPEN_PROTOCOL,
  scoreOpen,
  scoreRecords,
  type BenchmarkScores,
} from '../scoring';
import type { OpenItemScore, OpenProtocolId, OpenRecord, OpenScoreResult } from '../scoring';
import type { ProtocolId, ScoreResult, ScoringRecord } from '../scoring/types';
import {
  answersOf,
  buildResults,
  parseResults,
  ResultsFileError,
  resultsRunOf,
  scoringRecordOf,
  unshardedSpec,
  writesExplanations,
  type QuestionFacts,
  type ResultsDataset,
  type ResultsFile,
} from './results';
import { resultsToHtml } from './html';
import type { MergeComparison, MergeComparisonRow, MergePairing } from './merge-comparison';
import type { Locale } from '../i18n/messages';
import { msg, TranslatableError } from '../i18n/translate';
import { recordsToCsv, resultsToMarkdown } from './tables';

export type InspectorFilter = 'all' | 'correct' | 'wrong' | 'unparsed' | 'error';

/** One line of the question inspector's list. */
export interface InspectorRow {
  questionId: string;
  row: number;
  gold: string;
  prediction: string;
  status: AnswerRecord['status'];
  correct: boolean;
  annotations: Record<string, string>;
}

/** Everything the inspector shows for one question. */
export interface InspectorDetail {
  answer: AnswerRecord;
  question: Pick<
    StoredQuestion,
    'question' | 'options' | 'explanation' | 'annotations' | 'context' | 'references'
  > | null;
  reference: string;
  /** Open runs: this answer's own scores under the open protocol, beside its references. */
  openScores: OpenItemScore | null;
  /** The explanation's own scores under the protocol (null when the method writes none). */
  scores: Pick<ScoreResult['metrics'], 'bleu1' | 'bleu4' | 'rouge1' | 'rouge2' | 'rougeL'> | null;
}

export interface RunReport {
  run: RunRecord;
  score: ScoreResult;
  /** Open runs (method `open`): BLEU, ROUGE and Distinct against the references; else null. */
  open: OpenScoreResult | null;
  /** CMB, CMMLU and MLEC-QA splits: accuracy as those papers report it; else null. */
  benchmark: BenchmarkScores | null;
  /** The results file's `run` section (performance, dataset), as exported. */
  results: ResultsFile['run'];
  /** Answers whose question is neither in a stored split nor in an imported file. */
  missingFacts: number;
  /** Whether the stored split is still the content the run was made on. */
  pin: PinState;
  /** Answers left out of the scores: their question changed in a re-imported split. */
  changedQuestions: number;
}

/** The inspector's annotation filter: one value of one column. */
export interface AnnotationFilter {
  column: string;
  value: string;
}

export interface LeaderboardRow {
  runId: string;
  model: string;
  splitId: string;
  method: string;
  prompt: string;
  status: RunRecord['status'];
  origin: NonNullable<RunRecord['origin']>['kind'] | null;
  metrics: ScoreResult['metrics'];
  /** Open runs: their text scores (`qilin-open`); their choice metrics mean nothing. */
  open?: OpenScoreResult['metrics'];
}

export interface Comparison {
  a: ScoreResult;
  b: ScoreResult;
  paired: ReturnType<typeof compareRuns>;
}

export interface MergeGroup {
  /** The merged run's spec key; shards listed by index. */
  key: string;
  splitId: string;
  model: string;
  count: number;
  shards: { index: number; runId: string; done: number; total: number }[];
  complete: boolean;
}

type WordTokenizer = (text: string) => string[];

interface Loaded {
  stamp: string;
  scores: Map<ProtocolId, ScoreResult>;
  openScores: Map<OpenProtocolId, OpenScoreResult>;
  run: RunRecord;
  /** The split's file shape (CMExam, CMB, …), when the split is stored. */
  shape: SplitRecord['shape'];
  answers: AnswerRecord[];
  facts: (a: AnswerRecord) => QuestionFacts;
  dataset: ResultsDataset | null;
  missingFacts: number;
  pin: PinState;
  changedQuestions: number;
  questions: Map<string, StoredQuestion>;
}

export class ReportService {
  private readonly store: SplitStore;
  private jieba: Promise<WordTokenizer> | null = null;
  /**
   * Recently used runs with their answers and scores, so that the inspector, exports and tab
   * switches do not read a run and its split again; an entry is used while the run's stamp
   * (creation, last write, answers) is unchanged.
   */
  private readonly runs = new Map<string, Loaded>();
  /** Questions of recently used splits, by import id (a re-import gets a new one). */
  private readonly splits = new Map<string, Map<string, StoredQuestion>>();

  constructor(
    private readonly db: AppDatabase,
    private readonly loadJieba: () => Promise<WordTokenizer>,
    private readonly appVersion: string,
  ) {
    this.store = new SplitStore(db);
  }

  async report(
    runId: string,
    protocol: ProtocolId,
    openProtocol: OpenProtocolId = DEFAULT_OPEN_PROTOCOL,
  ): Promise<RunReport> {
    const loaded = await this.load(runId);
    const score = await this.scoreLoaded(loaded, protocol);
    const open =
      loaded.run.spec.method === 'open' ? await this.scoreOpenLoaded(loaded, openProtocol) : null;
    const results = resultsRunOf(loaded.run, loaded.answers, loaded.dataset);
    const benchmark =
      loaded.run.spec.method === 'open'
        ? null
        : benchmarkScores(
            loaded.shape,
            loaded.answers.map((a) =>
              scoringRecordOf(a, loaded.facts(a), writesExplanations(loaded.run.spec)),
            ),
          );
    return {
      run: loaded.run,
      score,
      open,
      benchmark,
      results,
      missingFacts: loaded.missingFacts,
      pin: loaded.pin,
      changedQuestions: loaded.changedQuestions,
    };
  }

  /** The inspector's list: answers by outcome, and by one annotation value when given. */
  async inspectorRows(
    runId: string,
    filter: InspectorFilter,
    annotation: AnnotationFilter | null = null,
  ): Promise<InspectorRow[]> {
    const { answers, facts } = await this.load(runId);
    return answers
      .filter(
        (a) =>
          matches(a, filter) &&
          (!annotation || facts(a).annotations[annotation.column] === annotation.value),
      )
      .map((a) => ({
        questionId: a.questionId,
        row: a.row,
        gold: a.gold,
        prediction: a.prediction,
        status: a.status,
        correct: a.correct,
        annotations: facts(a).annotations,
      }));
  }

  async inspect(
    runId: string,
    questionId: string,
    protocol: ProtocolId,
    openProtocol: OpenProtocolId = DEFAULT_OPEN_PROTOCOL,
  ): Promise<InspectorDetail> {
    const loaded = await this.load(runId);
    const answer = loaded.answers.find((a) => a.questionId === questionId);
    if (!answer) throw new Error(`The run has no answer for ${questionId}.`);
    const facts = loaded.facts(answer);
    const q = loaded.questions.get(questionId) ?? null;
    const explains = writesExplanations(loaded.run.spec);
    let scores: InspectorDetail['scores'] = null;
    if (explains) {
      const one = scoreRecords([scoringRecordOf(answer, facts, true)], {
        protocol,
        wordTokenizer: protocol === 'cmexam-jieba' ? await this.tokenizer() : undefined,
      }).metrics;
      scores = {
        bleu1: one.bleu1,
        bleu4: one.bleu4,
        rouge1: one.rouge1,
        rouge2: one.rouge2,
        rougeL: one.rougeL,
      };
    }
    const openScores =
      loaded.run.spec.method === 'open'
        ? ((await this.scoreOpenLoaded(loaded, openProtocol)).items.find(
            (i) => i.questionId === questionId,
          ) ?? null)
        : null;
    return {
      answer,
      question: q
        ? {
            question: q.question,
            options: q.options,
            explanation: q.explanation,
            annotations: q.annotations,
            context: q.context,
            references: q.references,
          }
        : null,
      reference: facts.reference,
      scores,
      openScores,
    };
  }

  /** The suite's summary: a row per model with a run of every member's spec, the suite's first. */
  async suiteSummary(suiteId: string): Promise<SuiteSummary> {
    const suite = await this.db.suites.get(suiteId);
    if (!suite) throw new Error(`No stored suite ${suiteId}.`);
    const own = await Promise.all(
      suite.members.map((m) => (m.runId ? this.db.runs.get(m.runId) : undefined)),
    );
    const splits = suite.members.map((m) => m.splitId ?? m.ref);
    const template = own.find((r) => r)?.spec;
    // Every model with a run on a member split, the suite's own first.
    const models = new Map<
      string,
      Pick<RunSpec, 'model' | 'engine' | 'modelUrl' | 'modelLibUrl'>
    >();
    if (template) models.set(template.model, modelFields(template));
    for (const splitId of splits) {
      for (const run of await this.db.runs.toArray()) {
        if (run.spec.splitId === splitId && !models.has(run.spec.model))
          models.set(run.spec.model, modelFields(run.spec));
      }
    }
    const rows: SuiteRow[] = [];
    for (const fields of models.values()) {
      const cells: (SuiteCell | null)[] = [];
      for (const ownRun of own) {
        if (!ownRun) {
          cells.push(null);
          continue;
        }
        const spec = canonicalSpec({ ...withoutModel(ownRun.spec), ...fields });
        const run = await this.db.runs.get(await runIdFor(spec));
        cells.push(run && run.totals.done > 0 ? await this.suiteCell(run) : null);
      }
      if (cells.some((c) => c)) rows.push({ model: fields.model, engine: fields.engine, cells });
    }
    return {
      format: SUITE_FORMAT,
      version: SUITE_VERSION,
      suite: {
        id: suite.id,
        query: suite.query,
        created_at: suite.createdAt,
        members: suite.members,
      },
      splits,
      rows,
    };
  }

  async exportSuite(suiteId: string, kind: 'json' | 'csv'): Promise<string> {
    const summary = await this.suiteSummary(suiteId);
    return kind === 'json' ? JSON.stringify(summary, null, 1) : suiteToCsv(summary);
  }

  private async suiteCell(run: RunRecord): Promise<SuiteCell> {
    const report = await this.report(run.id, 'cmexam-char');
    const base = {
      run_id: run.id,
      status: run.status,
      done: run.totals.done,
      total: run.total,
      method: run.spec.method,
    };
    if (report.open) {
      const m = report.open.metrics;
      return { ...base, bleu1: m.bleu1, rouge1: m.rouge1, rougeL: m.rougeL };
    }
    return {
      ...base,
      accuracy: report.score.metrics.accuracy,
      weighted_f1: report.score.metrics.weighted_f1,
    };
  }

  async exportResults(
    runId: string,
    protocol: ProtocolId,
    openProtocol: OpenProtocolId = DEFAULT_OPEN_PROTOCOL,
  ): Promise<string> {
    return JSON.stringify(await this.resultsFile(runId, protocol, openProtocol), null, 1);
  }

  /** The results file of a run as an object (open runs add their text scores and references). */
  async resultsFile(
    runId: string,
    protocol: ProtocolId,
    openProtocol: OpenProtocolId = DEFAULT_OPEN_PROTOCOL,
  ): Promise<ResultsFile> {
    const loaded = await this.load(runId);
    const file = buildResults({
      run: loaded.run,
      answers: loaded.answers,
      facts: loaded.facts,
      score: await this.scoreLoaded(loaded, protocol),
      dataset: loaded.dataset,
      generatorVersion: this.appVersion,
    });
    if (loaded.run.spec.method !== 'open') return file;
    const open = await this.scoreOpenLoaded(loaded, openProtocol);
    const byId = new Map(loaded.answers.map((a) => [a.questionId, a]));
    for (const r of file.records) {
      const a = byId.get(r.question_id);
      r.explanation = a && a.status !== 'error' ? a.explanation : null;
      r.references =
        (a && loaded.facts(a).references) ?? loaded.questions.get(r.question_id)?.references ?? [];
    }
    file.open = { protocol: openProtocol, metrics: open.metrics, breakdowns: open.breakdowns };
    return file;
  }

  async exportCsv(
    runId: string,
    protocol: ProtocolId,
    openProtocol: OpenProtocolId = DEFAULT_OPEN_PROTOCOL,
  ): Promise<string> {
    return recordsToCsv(await this.resultsFile(runId, protocol, openProtocol));
  }

  async exportMarkdown(
    runId: string,
    protocol: ProtocolId,
    locale: Locale = 'en',
    openProtocol: OpenProtocolId = DEFAULT_OPEN_PROTOCOL,
  ): Promise<string> {
    return resultsToMarkdown(await this.resultsFile(runId, protocol, openProtocol), locale);
  }

  /** `charts`: caption → SVG markup, drawn on the page (charts need a DOM). */
  async exportHtml(
    runId: string,
    protocol: ProtocolId,
    charts: Record<string, string>,
    locale: Locale = 'en',
    openProtocol: OpenProtocolId = DEFAULT_OPEN_PROTOCOL,
  ): Promise<string> {
    return resultsToHtml(await this.resultsFile(runId, protocol, openProtocol), charts, locale);
  }

  /**
   * Store a results file as a run. Refused, with the reason, when the file is damaged, when
   * its run id does not belong to its spec (edited by hand), or when the run is already here.
   */
  async importResults(text: string, fileName: string): Promise<{ runId: string }> {
    const file = parseResults(text);
    const expected = await runIdFor(file.run.spec);
    if (expected !== file.run.id) {
      throw new ResultsFileError(msg('resultsIdMismatch', { id: file.run.id, expected }));
    }
    const runId = file.run.id;
    const existing = await this.db.runs.get(runId);
    if (existing && existing.origin?.kind !== 'imported') {
      throw new ResultsFileError(
        msg(existing.origin?.kind === 'merged' ? 'resultsStoredMerged' : 'resultsStoredHere'),
      );
    }
    if (existing) {
      // An imported run resumed here has answers of its own: a file must not replace them.
      const held = ((await navigator.locks.query()).held ?? []).some(
        (l) => l.name === runLockName(runId),
      );
      if (held) throw new ResultsFileError(msg('resultsRunning'));
      const inFile = new Set(file.records.map((r) => r.question_id));
      const own = (await this.db.answers.where('runId').equals(runId).primaryKeys()).filter(
        (k) => !inFile.has(k[1]),
      ).length;
      if (own > 0)
        throw new ResultsFileError(
          msg(own === 1 ? 'resultsOwnAnswer' : 'resultsOwnAnswers', { n: own }),
        );
    }
    const answers = answersOf(file, runId);
    const questionIds = file.records.map((r) => r.question_id);
    const run: RunRecord = {
      id: runId,
      spec: canonicalSpec(file.run.spec),
      status: file.run.status === 'running' ? 'paused' : file.run.status,
      total: file.run.total,
      skipped: file.run.skipped,
      totals: totalsOf(answers),
      model: file.run.model,
      device: file.run.device,
      createdAt: file.run.created_at,
      updatedAt: file.run.updated_at,
      activeMs: file.run.active_ms,
      error: null,
      origin: { kind: 'imported', sources: [fileName], at: new Date().toISOString() },
      // Read-only unless this browser stores the same file of its split (eval/pin.ts).
      splitSha256: file.run.dataset?.sha256 ?? null,
      shotsSha256: null,
    };
    run.totals.promptTokens = file.run.performance?.prompt_tokens ?? run.totals.promptTokens;
    run.totals.completionTokens =
      file.run.performance?.completion_tokens ?? run.totals.completionTokens;
    // An imported file lists only the answered questions of a partial run.
    await this.db.replaceRun(run, questionIds, answers);
    this.runs.delete(runId);
    return { runId };
  }

  /** Runs that are shards of one spec, grouped; a group with every shard can be merged. */
  async mergeGroups(): Promise<MergeGroup[]> {
    const groups = new Map<string, MergeGroup>();
    for (const run of await this.db.runs.toArray()) {
      const shard = run.spec.subset.shard;
      if (shard.count <= 1) continue;
      const key = `${shard.count}:${canonicalJson(unshardedSpec(run.spec))}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          key,
          splitId: run.spec.splitId,
          model: run.model ?? run.spec.model,
          count: shard.count,
          shards: [],
          complete: false,
        };
        groups.set(key, g);
      }
      g.shards.push({ index: shard.index, runId: run.id, done: run.totals.done, total: run.total });
    }
    for (const g of groups.values()) {
      g.shards.sort((a, b) => a.index - b.index);
      g.complete =
        new Set(g.shards.map((s) => s.index)).size === g.count &&
        g.shards.every((s) => s.done === s.total);
    }
    return [...groups.values()];
  }

  /**
   * Merge the shards of one spec into one run (the spec with shard 1/1). Refused, with the
   * reason, when the runs are of different specs, a shard is missing or repeated, a shard is
   * unfinished, or two shards answered the same question.
   */
  async mergeShards(runIds: string[]): Promise<{ runId: string }> {
    const runs = await this.db.runs.bulkGet(runIds);
    const missing = runIds.filter((_, i) => !runs[i]);
    if (missing.length) throw new TranslatableError(msg('mergeNoRun', { ids: missing.join(', ') }));
    const shards = runs as RunRecord[];
    const specKey = canonicalJson(unshardedSpec(shards[0].spec));
    const count = shards[0].spec.subset.shard.count;
    for (const r of shards) {
      if (canonicalJson(unshardedSpec(r.spec)) !== specKey || r.spec.subset.shard.count !== count)
        throw new TranslatableError(msg('mergeOtherSpec', { id: r.id, first: shards[0].id }));
      if (r.totals.done < r.total)
        throw new TranslatableError(
          msg('mergeUnfinished', {
            index: r.spec.subset.shard.index,
            count,
            id: r.id,
            done: r.totals.done,
            total: r.total,
          }),
        );
    }
    const indexes = shards.map((r) => r.spec.subset.shard.index).sort((a, b) => a - b);
    const expected = Array.from({ length: count }, (_, i) => i + 1);
    if (indexes.join() !== expected.join())
      throw new TranslatableError(msg('mergeShardSet', { count, indexes: indexes.join(', ') }));
    const spec = unshardedSpec(shards[0].spec);
    const runId = await runIdFor(spec);
    const existing = await this.db.runs.get(runId);
    if (existing && existing.origin?.kind !== 'merged')
      throw new TranslatableError(msg('mergeWholeStored', { runId }));
    const answers: AnswerRecord[] = [];
    const seen = new Set<string>();
    for (const r of shards) {
      for (const a of await this.db.answers.where('runId').equals(r.id).toArray()) {
        if (seen.has(a.questionId))
          throw new TranslatableError(msg('mergeTwice', { question: a.questionId }));
        seen.add(a.questionId);
        answers.push({ ...a, runId });
      }
    }
    answers.sort((x, y) => x.row - y.row || (x.questionId < y.questionId ? -1 : 1));
    const sum = <K extends keyof RunRecord['totals']>(k: K) =>
      shards.reduce((s, r) => s + (r.totals[k] ?? 0), 0);
    const now = new Date().toISOString();
    const run: RunRecord = {
      id: runId,
      spec,
      status: 'done',
      total: answers.length,
      skipped: shards.reduce((s, r) => Math.max(s, r.skipped), 0),
      totals: {
        ...totalsOf(answers),
        promptTokens: sum('promptTokens'),
        completionTokens: sum('completionTokens'),
        prefillTpsSum: sum('prefillTpsSum'),
        decodeTpsSum: sum('decodeTpsSum'),
        rateSamples: sum('rateSamples'),
        // Shards from before decode rates were counted apart averaged over every call.
        decodeSamples: shards.reduce(
          (n, r) => n + (r.totals.decodeSamples ?? r.totals.rateSamples),
          0,
        ),
        latencyMsSum: sum('latencyMsSum'),
      },
      model: shards[0].model,
      device: [...new Set(shards.map((r) => r.device).filter(Boolean))].join('; ') || null,
      createdAt: shards.map((r) => r.createdAt).sort()[0],
      updatedAt: now,
      activeMs: shards.reduce((s, r) => s + r.activeMs, 0),
      error: null,
      origin: { kind: 'merged', sources: shards.map((r) => r.id), at: now },
      // The shards' split content when they all agree on it.
      splitSha256:
        new Set(shards.map((r) => r.splitSha256)).size === 1
          ? (shards[0].splitSha256 ?? null)
          : null,
      shotsSha256: null,
    };
    await this.db.replaceRun(
      run,
      answers.map((a) => a.questionId),
      answers,
    );
    this.runs.delete(runId);
    return { runId };
  }

  async leaderboard(
    protocol: ProtocolId,
    openProtocol: OpenProtocolId = DEFAULT_OPEN_PROTOCOL,
  ): Promise<LeaderboardRow[]> {
    const rows: LeaderboardRow[] = [];
    for (const run of await this.db.runs.orderBy('createdAt').toArray()) {
      if (run.totals.done === 0) continue;
      const loaded = await this.load(run.id);
      const score = await this.scoreLoaded(loaded, protocol);
      rows.push({
        runId: run.id,
        model: run.model ?? run.spec.model,
        splitId: run.spec.splitId,
        method: run.spec.method,
        prompt: run.spec.prompt,
        status: run.status,
        origin: run.origin?.kind ?? null,
        metrics: score.metrics,
        ...(run.spec.method === 'open'
          ? { open: (await this.scoreOpenLoaded(loaded, openProtocol)).metrics }
          : {}),
      });
    }
    return rows;
  }

  /** A merge evaluation: each member's accuracy and each parent paired with the merge. */
  async mergeComparison(evaluationId: string, protocol: ProtocolId): Promise<MergeComparison> {
    const evaluation = await this.db.mergeEvaluations.get(evaluationId);
    if (!evaluation) throw new Error(`No stored merge evaluation ${evaluationId}.`);
    const merged = (await this.db.mergedModels.get(evaluation.mergedId)) ?? null;
    const loaded = await Promise.all(
      evaluation.members.map(async (m) => {
        const run = m.runId ? await this.db.runs.get(m.runId) : undefined;
        return run && run.totals.done > 0 ? this.load(run.id) : null;
      }),
    );
    const recordsOf = (l: Loaded) =>
      l.answers.map((x) => scoringRecordOf(x, l.facts(x), writesExplanations(l.run.spec)));
    const mergeRecords = loaded[0] ? recordsOf(loaded[0]) : null;
    const rows: MergeComparisonRow[] = [];
    for (const [i, m] of evaluation.members.entries()) {
      const l = loaded[i];
      const run = m.runId ? await this.db.runs.get(m.runId) : undefined;
      let vsMerge: MergePairing | null = null;
      if (i > 0 && l && mergeRecords) {
        const p = compareRuns(mergeRecords, recordsOf(l));
        vsMerge = {
          n_paired: p.n_paired,
          both_correct: p.both_correct,
          only_merge: p.only_a,
          only_other: p.only_b,
          both_wrong: p.both_wrong,
          p_value: p.p_value,
        };
      }
      rows.push({
        role: m.role,
        ref: m.ref,
        label: m.label,
        runId: m.runId,
        status: run?.status ?? null,
        done: run?.totals.done ?? 0,
        total: run?.total ?? 0,
        accuracy: l ? ((await this.scoreLoaded(l, protocol)).metrics.accuracy ?? null) : null,
        vsMerge,
      });
    }
    return { evaluation, merged, rows };
  }

  async compare(runA: string, runB: string, protocol: ProtocolId): Promise<Comparison> {
    const [a, b] = await Promise.all([this.load(runA), this.load(runB)]);
    const recordsOf = (l: Loaded) =>
      l.answers.map((x) => scoringRecordOf(x, l.facts(x), writesExplanations(l.run.spec)));
    return {
      a: await this.scoreLoaded(a, protocol),
      b: await this.scoreLoaded(b, protocol),
      paired: compareRuns(recordsOf(a), recordsOf(b)),
    };
  }

  private tokenizer(): Promise<WordTokenizer> {
    this.jieba ??= this.loadJieba().catch((err: unknown) => {
      this.jieba = null;
      throw err;
    });
    return this.jieba;
  }

  private async scoreLoaded(l: Loaded, protocol: ProtocolId): Promise<ScoreResult> {
    const hit = l.scores.get(protocol);
    if (hit) return hit;
    const explains = writesExplanations(l.run.spec);
    const records: ScoringRecord[] = l.answers.map((a) => scoringRecordOf(a, l.facts(a), explains));
    const wordTokenizer =
      protocol === 'cmexam-jieba' && explains ? await this.tokenizer() : undefined;
    const score = scoreRecords(records, {
      protocol,
      // Choice runs write no explanations: no words to cut, so jieba is not even loaded.
      wordTokenizer: wordTokenizer ?? (protocol === 'cmexam-jieba' ? () => [] : undefined),
    });
    l.scores.set(protocol, score);
    return score;
  }

  private async scoreOpenLoaded(l: Loaded, protocol: OpenProtocolId): Promise<OpenScoreResult> {
    const hit = l.openScores.get(protocol);
    if (hit) return hit;
    const records = l.answers.map((a): OpenRecord => ({
      questionId: a.questionId,
      row: a.row,
      // An engine error is not an answer: scored as an empty output, as the script keeps blanks.
      output: a.status === 'error' ? null : a.explanation,
      // From the split, or from the results file the answer was imported with.
      references: l.facts(a).references ?? l.questions.get(a.questionId)?.references ?? [],
      annotations: l.facts(a).annotations,
    }));
    const score = scoreOpen(records, { protocol, wordTokenizer: await this.tokenizer() });
    l.openScores.set(protocol, score);
    return score;
  }

  /** A run, its answers in the run's question order, and the facts of each question. */
  private async load(runId: string): Promise<Loaded> {
    const run = await this.db.runs.get(runId);
    if (!run) throw new Error(`No stored run ${runId}.`);
    const split = await this.store.getSplit(run.spec.splitId);
    // A re-import of the split changes what the answers are joined with.
    const stamp = `${run.createdAt}|${run.updatedAt}|${run.totals.done}|${split?.importId ?? ''}`;
    const cached = this.runs.get(runId);
    if (cached?.stamp === stamp) return cached;
    const [order, stored] = await Promise.all([
      this.db.runQuestions.get(runId),
      this.db.answers.where('runId').equals(runId).toArray(),
    ]);
    const byId = new Map(stored.map((a) => [a.questionId, a]));
    const pin = pinStateOf(run, split);
    // A split absent now leaves the answers without their facts (counted as missingFacts); a
    // split re-imported with other content keeps only the answers to unchanged questions.
    const current = pin.state === 'current' || pin.state === 'unpinned';
    const changed = pin.state === 'stale' || pin.state === 'unknown';
    // The split's questions are joined with the answers only while they are the ones asked.
    const questions =
      split && (current || order?.fingerprints)
        ? await this.questionsOf(split)
        : new Map<string, StoredQuestion>();
    let changedQuestions = 0;
    const answers: AnswerRecord[] = [];
    (order?.questionIds ?? []).forEach((id, i) => {
      const a = byId.get(id);
      if (!a) return;
      if (changed && !a.source) {
        // A re-imported split: keep the answer only if its question is unchanged.
        const q = questions.get(id);
        const was = order?.fingerprints?.[i];
        if (!q || !was || questionFingerprint(q) !== was) {
          changedQuestions++;
          return;
        }
      }
      answers.push(a);
    });
    let missingFacts = 0;
    const factsById = new Map<string, QuestionFacts>();
    for (const a of answers) {
      const q = questions.get(a.questionId);
      const facts =
        a.source ??
        (q
          ? {
              reference: q.explanation,
              annotations: q.annotations,
              ...(q.references ? { references: q.references } : {}),
            }
          : null);
      if (!facts) missingFacts++;
      factsById.set(a.questionId, facts ?? { reference: '', annotations: {} });
    }
    const loaded: Loaded = {
      stamp,
      scores: new Map(),
      openScores: new Map(),
      run,
      shape: split?.shape,
      answers,
      facts: (a) => factsById.get(a.questionId)!,
      dataset: split
        ? {
            split_id: split.id,
            rows: split.rows,
            sha256: split.sha256,
            source_url: split.sourceUrl,
            source_name: split.sourceName,
          }
        : null,
      missingFacts,
      pin,
      changedQuestions,
      // The inspector shows a question's text only while it is the one that was asked.
      questions: current ? questions : unchangedQuestions(questions, answers),
    };
    remember(this.runs, runId, loaded, 8);
    return loaded;
  }

  private async questionsOf(split: SplitRecord): Promise<Map<string, StoredQuestion>> {
    let questions = this.splits.get(split.importId);
    if (!questions) {
      questions = new Map((await this.store.loadQuestions(split)).map((q) => [q.id, q]));
      remember(this.splits, split.importId, questions, 2);
    }
    return questions;
  }
}

/** Keep at most `limit` entries, dropping the least recently stored. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}

function matches(a: AnswerRecord, filter: InspectorFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'correct':
      return a.correct;
    case 'wrong':
      return a.status === 'parsed' && !a.correct;
    case 'unparsed':
      return a.status === 'unparsed';
    case 'error':
      return a.status === 'error';
  }
}

/** The questions of the kept answers of a stale run (the others changed, or were never joined). */
function unchangedQuestions(
  questions: Map<string, StoredQuestion>,
  answers: readonly AnswerRecord[],
): Map<string, StoredQuestion> {
  const kept = new Map<string, StoredQuestion>();
  for (const a of answers) {
    const q = a.source ? undefined : questions.get(a.questionId);
    if (q) kept.set(a.questionId, q);
  }
  return kept;
}

/** The fields that name a run's model. */
function modelFields(
  spec: RunSpec,
): Pick<RunSpec, 'model' | 'engine' | 'modelUrl' | 'modelLibUrl'> {
  return {
    model: spec.model,
    engine: spec.engine,
    ...(spec.modelUrl !== undefined ? { modelUrl: spec.modelUrl } : {}),
    ...(spec.modelLibUrl !== undefined ? { modelLibUrl: spec.modelLibUrl } : {}),
  };
}

function withoutModel(spec: RunSpec): Omit<RunSpec, 'modelUrl' | 'modelLibUrl'> {
  const { modelUrl: _u, modelLibUrl: _l, ...rest } = spec;
  return rest;
}
