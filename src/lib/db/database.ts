import Dexie, { type EntityTable } from 'dexie';
import type {
  BenchmarkFormat,
  DatasetFormat,
  DatasetRow,
  DatasetStats,
  ItemKind,
  RowProblem,
} from '../dataset/types';
import type { ChatMessage, Timings } from '../engines/types';
import type { EvalQuestion, RunSpec } from '../eval/types';
import type { ExamSpec } from '../exam/spec';
import type { SittingTiming } from '../exam/timing';
import type { SittingFile } from '../exam/files';
import type { Message } from '../i18n/translate';
import type { MergeRecipe } from '../merge/recipe';
import type { MergeOutputType } from '../merge/ggml-types';
import type {
  HiMergingConfig,
  HiMergingPoint,
  HiMergingResult,
  HiMergingStage,
} from '../merge/hi-merging';

/** A split that is complete: every row of `importId` is stored. Absent until then. */
export interface SplitRecord {
  id: string;
  dataset: string;
  split: string;
  importId: string;
  format: DatasetFormat;
  /** Whose file shape (absent: imported before other benchmarks were read, so CMExam's). */
  shape?: BenchmarkFormat;
  /** Choice or open items (absent: choice). */
  kind?: ItemKind;
  rows: number;
  dataRows: number;
  bytes: number;
  sha256: string;
  sourceUrl: string | null;
  /** CMB's answer key, when it was downloaded beside the questions from its own address. */
  answerKeyUrl?: string | null;
  sourceName: string;
  importedAt: string;
  columns: string[];
  annotationColumns: string[];
  problems: RowProblem[];
  problemCount: number;
  stats: DatasetStats;
  /** Data rows per stored chunk (see QuestionChunk). */
  chunkRows: number;
}

/**
 * A benchmark suite (eval/suite.ts): its link and, per member, the split it imported and the
 * run it created (null until then). The runs themselves are ordinary runs.
 */
export interface SuiteRecord {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** The suite link's query (no `?`, no `autostart`), to open it again. */
  query: string;
  members: { ref: string; splitId: string | null; runId: string | null }[];
}

/**
 * A model merged on this device (`src/lib/merge/`), its file in the origin private file system
 * (`merged-models/`), loaded in wllama as `merged:<id>`.
 */
export interface MergedModelRecord {
  /** The first 16 hex digits of `hash`: the same recipe on the same parents gives the same id. */
  id: string;
  /** Content hash of the file written (`merge/fingerprint.ts`). */
  hash: string;
  label: string;
  /** The file's name in OPFS's `merged-models/` folder. */
  fileName: string;
  bytes: number;
  createdAt: string;
  seconds: number;
  recipe: MergeRecipe;
  /** The base first, then the fine-tunes in the recipe's order. */
  parents: MergedModelParent[];
  /** Tensors written in each type. */
  outputTypes: Record<string, number>;
  /**
   * The Hi-Merging search (and its point) that made it; absent for the user's own merges. A
   * search that goes on after a closed tab knows a merge it made by this, even one whose point
   * it had not yet recorded.
   */
  madeFor?: { search: string; point: string };
}

export interface MergedModelParent {
  role: 'base' | 'model';
  /** File name or URL, as given. */
  name: string;
  /** How a run names it: `file:<name>`, the URL, or `merged:<id>`. */
  ref: string;
  hash: string;
  bytes: number;
}

/** "Merge and evaluate": the merge, its base and each fine-tune on the same questions. */
export interface MergeEvaluationRecord {
  id: string;
  mergedId: string;
  createdAt: string;
  /** The spec every member's run shares but its model (`model` is the merge's). */
  spec: RunSpec;
  members: { role: 'merge' | 'base' | 'model'; ref: string; label: string; runId: string | null }[];
}

/** A Hi-Merging search (merge/hi-merging.ts): its configuration and every point evaluated. */
export interface MergeSearchRecord {
  id: string;
  createdAt: string;
  updatedAt: string;
  status: 'running' | 'stopped' | 'done' | 'error';
  /** With `error` (English, as the merge or the run gave it) and, where there is one, to translate. */
  error: string | null;
  errorMessage?: Message | null;
  config: HiMergingConfig;
  base: { name: string; ref: string };
  models: { name: string; ref: string }[];
  seed: number;
  outType: MergeOutputType;
  /** The spec every point's run shares but its model. */
  spec: RunSpec;
  /** In the order evaluated; `score` null while its run is not done. */
  points: {
    key: string;
    stage: HiMergingStage;
    about: HiMergingPoint['about'];
    mergedId: string | null;
    /** The search made this merge (it is removed once scored); false: the user's own, kept. */
    own?: boolean;
    runId: string | null;
    score: number | null;
  }[];
  result: HiMergingResult | null;
  /** The final merge, kept among the merged models. */
  finalMergedId: string | null;
}

/** An import in progress. Its rows are invisible until it becomes the split's `importId`. */
export interface ImportRecord {
  id: string;
  splitId: string;
  sourceName: string;
  startedAt: string;
}

/**
 * Questions are stored in chunks: chunk k of an import holds its valid data rows in
 * [k·chunkRows, (k+1)·chunkRows). One IndexedDB record per question costs about 150 µs to
 * write; a record of a thousand rows costs little more than one of a single row.
 */
export interface QuestionChunk {
  importId: string;
  chunk: number;
  rows: DatasetRow[];
}

/** Rows of a replaced or abandoned import, waiting to be deleted. */
export interface GarbageRecord {
  importId: string;
}

/** A model the user added (GGUF URL, custom MLC model); kept across visits. */
export interface UserModelRecord {
  id: string;
  backend: 'webllm' | 'wllama';
  label: string;
  /** GGUF: the file URL (the first of split files). */
  url?: string;
  /** Custom MLC: absolute model URL and model_lib wasm URL. */
  modelUrl?: string;
  modelLibUrl?: string;
  addedAt: string;
}

export type RunStatus = 'pending' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

/**
 * Totals over a run's stored answers, kept on the run record for the pages that show progress.
 * The run loop writes the record after the answers it counts (at most twice a second), so it
 * may trail them; `drive` rebuilds it from the answers when it does (eval/progress.ts).
 */
export interface RunTotals {
  /** Questions with an answer (parsed or unparsed); an engine error is not an answer. */
  done: number;
  correct: number;
  parsed: number;
  /** Questions whose last try failed in the engine: asked again when the run resumes. */
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Sums for averages: engine-reported prefill rates over the calls that report one. */
  prefillTpsSum: number;
  /** Calls in `prefillTpsSum`. */
  rateSamples: number;
  /** Decode rates of the calls that decoded (more than one token): a one-token call has none. */
  decodeTpsSum: number;
  /** Calls in `decodeTpsSum`; absent on records written before it existed. */
  decodeSamples?: number;
  /** Wall time per answer, summed. */
  latencyMsSum: number;
}

/** Why a run stopped with status `error`, for the page to offer the way out. */
export interface RunErrorDetail {
  code:
    | 'missing-split'
    | 'model-mismatch'
    | 'no-model'
    | 'stale'
    | 'read-only'
    | 'engine-errors'
    | 'write-failed'
    | 'crashed'
    | 'questions'
    | 'unknown';
  /** missing-split: the split to import. */
  splitId?: string;
  /** model-mismatch / no-model: the run's own model reference. */
  model?: string;
}

export interface RunRecord {
  id: string;
  spec: RunSpec;
  status: RunStatus;
  /** How many questions the run covers; their ids are in `runQuestions`. */
  total: number;
  /**
   * Multi-answer questions the run's own selection would have taken, left out by the `choice`
   * method (`multi=skip`) and replaced by single-answer ones (see eval/runner.ts `create`).
   */
  skipped: number;
  totals: RunTotals;
  model: string | null;
  device: string | null;
  createdAt: string;
  updatedAt: string;
  /** Wall time spent running (excludes pauses), for questions per minute and ETA. */
  activeMs: number;
  error: string | null;
  /** `error` as a Message the page translates (runs stopped since messages were added). */
  errorMessage?: Message | null;
  /** With status `error`: what kind of failure, so the page can offer the way out. */
  errorDetail?: RunErrorDetail | null;
  /** Set for a run that came from a results file (or a merge of shards), not from this tab's engine. */
  origin?: RunOrigin;
  /**
   * SHA-256 of the split's file when the run was created: the run is pinned to that content
   * (eval/pin.ts). Null when unknown (a results file without its dataset); absent on runs
   * created before pinning, which are pinned to the stored split the next time they run.
   */
  splitSha256?: string | null;
  /** The same for the few-shot examples' split (null when the prompt uses none). */
  shotsSha256?: string | null;
}

export interface RunOrigin {
  kind: 'imported' | 'merged';
  /** Imported: the file's name; merged: the ids of the shard runs it was made from. */
  sources: string[];
  at: string;
}

/**
 * The questions of a run, fixed when it is created so that a resume covers the same ones. Kept
 * apart from the run record, which is rewritten with every answer: a full split's ids would
 * otherwise be cloned and stored again each time.
 */
export interface RunQuestionsRecord {
  runId: string;
  questionIds: string[];
  /**
   * A fingerprint of each question's content when the run was created (eval/pin.ts), in the
   * order of `questionIds`: after a re-import, only answers whose question is unchanged are
   * scored. Absent on runs created before it existed.
   */
  fingerprints?: string[];
}

/** One engine call of an answer (ICP makes two: the knowledge seeds, then the answer). */
export interface EngineCallRecord {
  kind: 'answer' | 'seeds';
  messages: ChatMessage[];
  templateHash: string;
  raw: string;
  promptTokens: number;
  completionTokens: number;
  timings: Timings | null;
}

/**
 * One rotation of a circular run's answer (see eval/rotate.ts): the question asked with its
 * option texts rotated by `shift`. Letters are the ORIGINAL ones (mapped back from those shown).
 */
export interface RotationRecord {
  /** 0 is the question as it is (a copy of the main answer); 1 … k−1 the rotations. */
  shift: number;
  /** Predicted letters in the original letters, sorted ('' when unparsed). */
  prediction: string;
  correct: boolean;
  /** Next-letter probabilities (choice, single answer), keyed by the original letters. */
  optionProbs: Record<string, number> | null;
  /** The answer call's output as it is, in the letters that were shown (choice: the letter). */
  raw: string;
  promptTokens: number;
  completionTokens: number;
}

export interface AnswerRecord {
  runId: string;
  questionId: string;
  row: number;
  promptHash: string;
  calls: EngineCallRecord[];
  raw: string;
  /** Predicted letters ('' when unparsed or on error). */
  prediction: string;
  status: 'parsed' | 'unparsed' | 'error';
  extractionRule: string | null;
  gold: string;
  correct: boolean;
  optionProbs: Record<string, number> | null;
  explanation: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  attempts: number;
  error: string | null;
  /**
   * Earlier engine errors of this question (oldest first): an errored question is asked again
   * when the run resumes, and what failed before is kept here.
   */
  errorHistory?: { at: string; error: string }[];
  /**
   * The model reference that produced this answer: always the run's own (eval/runner.ts checks
   * the loaded model before and after every question); kept so that a run's answers can be
   * audited.
   */
  model?: string;
  createdAt: string;
  /**
   * The question's reference explanation and annotations, for answers imported from a results
   * file: they are scored with these even where the split itself is not stored.
   */
  source?: { reference: string; annotations: Record<string, string>; references?: string[] };
  /**
   * Circular runs only: every rotation, shift 0 first (the main answer); the question is
   * robustly correct when all are. Their tokens are included in this answer's totals.
   */
  rotations?: RotationRecord[];
}

/** An exam opened on this device (from a link or a file), with its questions frozen. */
export interface ExamRecord {
  /** Hash of the canonical exam spec (exam/spec.ts). */
  id: string;
  spec: ExamSpec;
  /** SHA-256 of the split file the questions were drawn from (null: unknown). */
  splitSha256: string | null;
  questions: EvalQuestion[];
  source: 'link' | 'file';
  /** The file's name, for an exam opened from a file. */
  sourceName: string | null;
  createdAt: string;
}

/** One answer of a sitting: letters ('' when not answered), flag, time spent on the question. */
export interface SittingAnswer {
  answer: string;
  flagged: boolean;
  ms: number;
  /** When the answer was last given (ISO); null while unanswered. */
  at: string | null;
}

/** One attempt of one person at an exam, stored in their own browser only. */
export interface SittingRecord {
  id: string;
  examId: string;
  /** 1, 2, …: attempts of the same exam on this device are kept apart. */
  attempt: number;
  status: 'ready' | 'sitting' | 'finished';
  /** A name or pseudonym the student typed (nothing else identifies them). */
  name: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Who ended it: the student, or the time limit. */
  submittedBy: 'student' | 'time' | null;
  /** 0-based index of the question shown. */
  current: number;
  timing: SittingTiming;
  /** By question id; a question never answered or flagged has no entry. */
  answers: Record<string, SittingAnswer>;
}

/** A sitting file handed in to this device (a teacher's class), keyed by its sitting id. */
export interface HandinRecord {
  sittingId: string;
  examId: string;
  fileName: string;
  importedAt: string;
  sitting: SittingFile;
}

export class AppDatabase extends Dexie {
  splits!: EntityTable<SplitRecord, 'id'>;
  imports!: EntityTable<ImportRecord, 'id'>;
  garbage!: EntityTable<GarbageRecord, 'importId'>;
  questionChunks!: Dexie.Table<QuestionChunk, [string, number]>;
  models!: EntityTable<UserModelRecord, 'id'>;
  runs!: EntityTable<RunRecord, 'id'>;
  runQuestions!: EntityTable<RunQuestionsRecord, 'runId'>;
  answers!: Dexie.Table<AnswerRecord, [string, string]>;
  exams!: EntityTable<ExamRecord, 'id'>;
  sittings!: EntityTable<SittingRecord, 'id'>;
  handins!: EntityTable<HandinRecord, 'sittingId'>;
  suites!: EntityTable<SuiteRecord, 'id'>;
  mergedModels!: EntityTable<MergedModelRecord, 'id'>;
  mergeEvaluations!: EntityTable<MergeEvaluationRecord, 'id'>;
  mergeSearches!: EntityTable<MergeSearchRecord, 'id'>;

  /**
   * `observed: false` leaves out Dexie's change notifications (`storagemutated`, liveQuery):
   * a write through such a connection wakes no other page, worker or tab. For the run loop's
   * answers only, which nobody watches (pages follow the run record instead).
   */
  constructor(name = 'cmexam-eval', { observed = true }: { observed?: boolean } = {}) {
    super(name);
    if (!observed) this.unuse({ stack: 'dbcore', name: 'Observability' });
    // Chunks carry only their primary key: secondary indexes would slow every import,
    // and browsing filters an in-memory copy in the dataset worker.
    this.version(1).stores({
      splits: '&id',
      imports: '&id, splitId',
      garbage: '&importId',
      questionChunks: '[importId+chunk]',
    });
    this.version(2).stores({ models: '&id' });
    // An answer's key is its run and question: storing one twice overwrites, never duplicates.
    this.version(3).stores({ runs: '&id, createdAt', answers: '[runId+questionId], runId' });
    this.version(4)
      .stores({ runQuestions: '&runId' })
      .upgrade(async (tx) => {
        const runs = (await tx.table('runs').toArray()) as (RunRecord & {
          questionIds?: string[];
        })[];
        for (const { questionIds = [], ...run } of runs) {
          await tx.table('runQuestions').put({ runId: run.id, questionIds });
          await tx.table('runs').put({ ...run, total: questionIds.length });
        }
      });
    // Exam mode: exams with their questions, sittings (attempts), hand-ins of a class.
    this.version(5).stores({
      exams: '&id',
      sittings: '&id, examId',
      handins: '&sittingId, examId',
    });
    // Benchmark suites: one model over several splits, a run each.
    this.version(6).stores({ suites: '&id, createdAt' });
    // Merged models (their files in OPFS) and their evaluations against the parents.
    this.version(7).stores({
      mergedModels: '&id, createdAt',
      mergeEvaluations: '&id, mergedId',
      mergeSearches: '&id, createdAt',
    });
  }

  /** Store a whole run at once (an import or a merge), replacing any answers it had. */
  async replaceRun(run: RunRecord, questionIds: string[], answers: AnswerRecord[]): Promise<void> {
    await this.transaction('rw', this.runs, this.runQuestions, this.answers, async () => {
      await this.answers.where('runId').equals(run.id).delete();
      await this.answers.bulkPut(answers);
      await this.runQuestions.put({ runId: run.id, questionIds });
      await this.runs.put(run);
    });
  }

  /** Delete a run with its question list and answers, in one transaction. */
  async deleteRun(runId: string): Promise<void> {
    await this.transaction('rw', this.runs, this.runQuestions, this.answers, async () => {
      await this.answers.where('runId').equals(runId).delete();
      await this.runQuestions.delete(runId);
      await this.runs.delete(runId);
    });
  }
}
