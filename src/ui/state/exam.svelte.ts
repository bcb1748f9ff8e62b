import { download } from '../download';
import { locale } from '../../lib/i18n/locale.svelte';
import { errorText, msg, TranslatableError, type Text } from '../../lib/i18n/translate';
import {
  AppDatabase,
  type ExamRecord,
  type HandinRecord,
  type RunRecord,
  type SittingRecord,
} from '../../lib/db/database';
import type { DatasetClient } from '../../lib/dataset/client';
import type { DatasetLinkRequest } from '../../lib/dataset/url-params';
import type { EvalQuestion } from '../../lib/eval/types';
import { checkHandins, classResults, type ClassResult } from '../../lib/exam/class';
import { classToCsv, classToHtml } from '../../lib/exam/class-report';
import {
  comparePersonModel,
  type PairedAnswer,
  type PersonModelComparison,
} from '../../lib/exam/compare';
import {
  examFileOf,
  parseExamFile,
  questionsOfExamFile,
  type SittingFile,
} from '../../lib/exam/files';
import {
  gradeSitting,
  sittingFileOf,
  sittingRows,
  type SittingResult,
} from '../../lib/exam/grading';
import type { ExamLink } from '../../lib/exam/link';
import {
  answeredCount,
  finished,
  movedTo,
  started,
  statusOf,
  withExtension,
  withFlag,
  withLetter,
  withTime,
} from '../../lib/exam/sitting';
import { canonicalExamSpec, examIdFor, type ExamSpec } from '../../lib/exam/spec';
import { ExamStore } from '../../lib/exam/store';
import { timingState, type TimingState } from '../../lib/exam/timing';
import { APP_VERSION } from '../../lib/version';

export type ExamStatus = 'idle' | 'loading' | 'ready' | 'sitting' | 'finished' | 'error';

/** What the exam needs from the Dataset step: the link's split, imported unless stored. */
export interface ExamDatasets {
  applyLink(request: DatasetLinkRequest, problems: Text[]): Promise<string | null>;
  readonly client: DatasetClient;
  /** The stored split's record (its kind: open items cannot be sat). */
  splitById?(id: string): { kind?: 'choice' | 'open' } | undefined;
}

const GENERATOR = `cmexam-browser ${APP_VERSION}`;

/**
 * The Exam step: a sitting (one person answering an exam's questions), its result, a teacher's
 * class of handed-in sittings, and both beside models that ran on the same questions. Every step
 * of a sitting is stored at once (exam/store.ts); nothing leaves the browser unless the person
 * exports a file.
 */
export class ExamState {
  status = $state<ExamStatus>('idle');
  error = $state.raw<Text | null>(null);
  exam = $state.raw<ExamRecord | null>(null);
  sitting = $state.raw<SittingRecord | null>(null);
  /** The sitting as last written to the database (what a reload would find). */
  private stored = $state.raw<SittingRecord | null>(null);
  /** Writes of the sitting, one after another, in the order they were made. */
  private writes: Promise<void> = Promise.resolve();
  /** The sitting clock, ticking once a second while a sitting runs. */
  now = $state(Date.now());
  /** Shown when the person asks to finish with questions unanswered. */
  confirmFinish = $state(false);

  /** Sittings on this device, for the Exam step's list. */
  sittings = $state.raw<{ sitting: SittingRecord; exam: ExamRecord | undefined }[]>([]);

  /** Runs on the same questions as the exam shown, most recent first, and the one compared. */
  runs = $state.raw<RunRecord[]>([]);
  runId = $state<string | null>(null);
  personModel = $state.raw<PersonModelComparison | null>(null);

  /** The class: the exam whose hand-ins are shown, its result, and what was refused. */
  classExamId = $state<string | null>(null);
  classResult = $state.raw<ClassResult | null>(null);
  classHandins = $state.raw<HandinRecord[]>([]);
  classProblems = $state.raw<Text[]>([]);
  classNotice = $state.raw<Text | null>(null);
  classRuns = $state.raw<RunRecord[]>([]);
  classRunId = $state<string | null>(null);
  classModel = $state.raw<PersonModelComparison | null>(null);

  private readonly db = new AppDatabase();
  private readonly store = new ExamStore(this.db);
  private shownAt = Date.now();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly datasets: ExamDatasets) {
    void this.refreshLists();
    void this.refreshClass();
  }

  get questions(): EvalQuestion[] {
    return this.exam?.questions ?? [];
  }

  get question(): EvalQuestion | null {
    return this.sitting ? (this.questions[this.sitting.current] ?? null) : null;
  }

  get answered(): number {
    return this.sitting ? answeredCount(this.sitting, this.questions) : 0;
  }

  get timing(): TimingState {
    return this.sitting && this.sitting.startedAt !== null && this.sitting.status !== 'finished'
      ? timingState(this.sitting.timing, this.now)
      : { state: 'none' };
  }

  get result(): SittingResult | null {
    return this.exam && this.sitting?.status === 'finished'
      ? gradeSitting(this.exam, this.sitting)
      : null;
  }

  /** The stable hook (`data-testid="exam-status"`). */
  get hook(): {
    status: ExamStatus;
    answered: number;
    total: number;
    current: number;
    examId: string;
    attempt: number;
  } {
    const s = this.sitting;
    const status: ExamStatus =
      this.status === 'loading' || this.status === 'error' || !s || !this.exam
        ? this.status
        : statusOf(s, this.questions);
    return {
      status,
      // Stored answers: the hook says what a reload would keep, not what is still being written.
      answered: this.stored ? answeredCount(this.stored, this.questions) : 0,
      total: this.questions.length,
      current: s?.current ?? 0,
      examId: this.exam?.id ?? '',
      attempt: s?.attempt ?? 0,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Opening an exam

  /** `?mode=exam&…`: the stored exam if this device has it, else the split imported and drawn. */
  async openLink(link: ExamLink): Promise<void> {
    this.error = null;
    if (!link.spec || !link.dataset) {
      this.status = 'error';
      this.error = msg('examLinkProblems', {
        list: link.messages.map((p) => msg('bulletLine', { text: p })),
      });
      return;
    }
    this.status = 'loading';
    try {
      const spec = link.spec;
      const id = await examIdFor(spec);
      let exam = await this.store.getExam(id);
      if (!exam) {
        const splitId = await this.datasets.applyLink(link.dataset, []);
        if (!splitId)
          throw new TranslatableError(msg('examSplitNotImported', { split: spec.splitId }));
        exam = await this.store.saveExam(await this.drawExam(id, { ...spec, splitId }));
      }
      await this.openExam(exam);
    } catch (err) {
      this.fail(err);
    }
  }

  /** An exam file chosen or dropped: sat with no network and no stored split. */
  async openFile(file: File): Promise<void> {
    this.error = null;
    this.status = 'loading';
    try {
      const parsed = await parseExamFile(await file.text());
      const exam = await this.store.saveExam({
        id: parsed.exam_id,
        spec: parsed.spec,
        splitSha256: parsed.split.sha256,
        questions: questionsOfExamFile(parsed),
        source: 'file',
        sourceName: file.name,
        createdAt: new Date().toISOString(),
      });
      // A file-opened exam has no link to come back to after a reload: the address says which.
      history.replaceState(null, '', `${location.pathname}#exam=${exam.id}`);
      await this.openExam(exam);
    } catch (err) {
      this.fail(err);
    }
  }

  /** An exam stored on this device, by id (`#exam=<id>`). */
  async openStored(examId: string): Promise<void> {
    const exam = await this.store.getExam(examId);
    if (!exam) {
      this.status = 'error';
      this.error = msg('examNotStored', { examId });
      return;
    }
    await this.openExam(exam);
  }

  /** The questions of an exam from a stored split, through the dataset worker. */
  private async drawExam(id: string, spec: ExamSpec): Promise<ExamRecord> {
    // People sit choice questions; an open-ended split has nothing to pick.
    if (this.datasets.splitById?.(spec.splitId)?.kind === 'open')
      throw new TranslatableError(msg('examOpenSplit', { split: spec.splitId }));
    const drawn = await this.datasets.client.drawQuestions(
      spec.splitId,
      spec.subset,
      spec.seed,
      spec.multi === 'skip',
    );
    if (!drawn) throw new TranslatableError(msg('splitNotStored', { split: spec.splitId }));
    if (drawn.questions.length === 0)
      throw new TranslatableError(msg('examNoQuestions', { split: spec.splitId }));
    return {
      id,
      spec: canonicalExamSpec(spec),
      splitSha256: drawn.sha256,
      questions: drawn.questions,
      source: 'link',
      sourceName: null,
      createdAt: new Date().toISOString(),
    };
  }

  private async openExam(exam: ExamRecord): Promise<void> {
    this.exam = exam;
    this.sitting = this.stored = await this.store.currentSitting(exam);
    this.confirmFinish = false;
    this.shownAt = Date.now();
    this.status = 'ready';
    this.startClock();
    await this.refreshModels();
    await this.refreshLists();
  }

  // -------------------------------------------------------------------------------------------
  // The sitting

  async setName(name: string): Promise<void> {
    if (!this.sitting) return;
    await this.save({ ...this.sitting, name: name.slice(0, 100) });
  }

  async start(factor: number | 'off'): Promise<void> {
    if (!this.sitting) return;
    this.now = Date.now();
    this.shownAt = this.now;
    await this.save(started(this.sitting, factor, this.now));
  }

  async letter(letter: string): Promise<void> {
    const q = this.question;
    if (!this.sitting || !q) return;
    await this.save(withLetter(this.flushTime(this.sitting), q, letter, Date.now()));
  }

  async flag(): Promise<void> {
    const q = this.question;
    if (!this.sitting || !q) return;
    await this.save(withFlag(this.flushTime(this.sitting), q));
  }

  async go(index: number): Promise<void> {
    if (!this.sitting) return;
    this.confirmFinish = false;
    await this.save(movedTo(this.flushTime(this.sitting), index, this.questions.length));
  }

  next(): Promise<void> {
    return this.go((this.sitting?.current ?? 0) + 1);
  }

  previous(): Promise<void> {
    return this.go((this.sitting?.current ?? 0) - 1);
  }

  /** Finish; with unanswered questions, only once the person has confirmed. */
  async finish(confirmed = false): Promise<void> {
    if (!this.sitting || this.sitting.status === 'finished') return;
    if (!confirmed && this.answered < this.questions.length) {
      this.confirmFinish = true;
      return;
    }
    this.confirmFinish = false;
    await this.save(finished(this.flushTime(this.sitting), 'student', Date.now()));
    await this.refreshModels();
  }

  async extend(): Promise<void> {
    if (this.sitting) await this.save(withExtension(this.sitting));
  }

  async newAttempt(): Promise<void> {
    if (!this.exam) return;
    this.sitting = this.stored = await this.store.newAttempt(this.exam);
    this.confirmFinish = false;
    this.shownAt = Date.now();
    this.startClock();
    await this.refreshLists();
  }

  sittingFile(): SittingFile | null {
    return this.exam && this.sitting?.status === 'finished'
      ? sittingFileOf(this.exam, this.sitting, GENERATOR)
      : null;
  }

  exportSitting(): void {
    const file = this.sittingFile();
    if (!file || !this.exam) return;
    const who = file.name ? `-${file.name.replace(/[^\p{L}\p{N}_-]+/gu, '_')}` : '';
    download(
      JSON.stringify(file, null, 1),
      `cmexam-sitting-${this.exam.id}${who}-${file.attempt}.json`,
      'application/json',
    );
  }

  /** The exam as one file with its questions, for a classroom without a network. */
  async exportExam(spec: ExamSpec): Promise<void> {
    const id = await examIdFor(spec);
    const exam = (await this.store.getExam(id)) ?? (await this.drawExam(id, spec));
    const file = examFileOf({
      examId: exam.id,
      spec: exam.spec,
      splitSha256: exam.splitSha256,
      questions: exam.questions,
      generator: GENERATOR,
    });
    download(JSON.stringify(file, null, 1), `cmexam-exam-${exam.id}.json`, 'application/json');
  }

  /** Time shown on the current question so far, added to it now. */
  private flushTime(s: SittingRecord): SittingRecord {
    const now = Date.now();
    const q = this.question;
    const ms = now - this.shownAt;
    this.shownAt = now;
    return q && s.startedAt !== null ? withTime(s, q, ms) : s;
  }

  private async save(s: SittingRecord): Promise<void> {
    this.sitting = s;
    const record = $state.snapshot(s) as SittingRecord;
    const write = this.writes.then(() => this.store.saveSitting(record));
    this.writes = write.catch(() => {});
    await write;
    this.stored = record;
  }

  private startClock(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  /** Once a second: the clock, and the end of a timed sitting (submitted as it stands). */
  private async tick(): Promise<void> {
    this.now = Date.now();
    const s = this.sitting;
    if (!s || s.status === 'finished' || s.startedAt === null) return;
    if (timingState(s.timing, this.now).state === 'over') {
      this.confirmFinish = false;
      await this.save(finished(this.flushTime(s), 'time', this.now));
      await this.refreshModels();
    }
  }

  // -------------------------------------------------------------------------------------------
  // People beside models

  async refreshModels(): Promise<void> {
    const exam = this.exam;
    if (!exam) return;
    this.runs = await this.store.runsOnQuestions(exam);
    if (!this.runs.some((r) => r.id === this.runId)) this.runId = this.runs[0]?.id ?? null;
    await this.comparePerson();
  }

  async selectRun(runId: string): Promise<void> {
    this.runId = runId;
    await this.comparePerson();
  }

  private async comparePerson(): Promise<void> {
    const exam = this.exam;
    const s = this.sitting;
    if (!exam || !s || s.status !== 'finished' || !this.runId) {
      this.personModel = null;
      return;
    }
    const model = await this.store.runCorrectness(this.runId);
    const pairs: PairedAnswer[] = sittingRows(exam, s).map((r) => ({
      questionId: r.question.id,
      personRight: r.correct,
      modelRight: model.get(r.question.id) ?? false,
      annotations: r.question.annotations,
    }));
    this.personModel = comparePersonModel(pairs, true);
  }

  // -------------------------------------------------------------------------------------------
  // A class

  /** Import sitting files handed in; each is kept or refused with its reason. */
  async importHandins(files: File[]): Promise<void> {
    this.classProblems = [];
    this.classNotice = null;
    const texts = await Promise.all(
      files.map(async (f) => ({ name: f.name, text: await f.text() })),
    );
    const check = await checkHandins(texts, this.classExamId, await this.store.handedInIds());
    if (check.accepted.length) {
      await this.store.addHandins(check.accepted);
      this.classExamId = check.accepted[0].file.exam_id;
      this.classNotice = msg(check.accepted.length === 1 ? 'handedInOne' : 'handedInMany', {
        n: check.accepted.length,
      });
    }
    this.classProblems = check.refused.map((r) =>
      msg('fileProblem', { file: r.fileName, problem: r.message }),
    );
    await this.refreshClass();
  }

  async selectClass(examId: string | null): Promise<void> {
    this.classExamId = examId;
    this.classProblems = [];
    this.classNotice = null;
    await this.refreshClass();
  }

  async removeHandin(sittingId: string): Promise<void> {
    await this.store.removeHandin(sittingId);
    await this.refreshClass();
  }

  async selectClassRun(runId: string): Promise<void> {
    this.classRunId = runId;
    await this.compareClass();
  }

  async refreshClass(): Promise<void> {
    this.classExamId ??= (await this.store.classExamIds())[0] ?? null;
    const examId = this.classExamId;
    if (!examId) {
      this.classHandins = [];
      this.classResult = null;
      return;
    }
    this.classHandins = await this.store.handins(examId);
    const exam = await this.store.getExam(examId);
    const questions = exam?.questions ?? (await this.questionsFromSplit());
    this.classResult = this.classHandins.length
      ? classResults(
          examId,
          this.classHandins.map((h) => h.sitting),
          questions,
        )
      : null;
    // Runs on the class's questions: the exam's own when stored here, else the hand-ins' ids.
    const spec = this.classHandins[0]?.sitting.spec;
    const pseudo: ExamRecord | null = exam ?? (spec ? this.examOfHandins(examId, spec) : null);
    this.classRuns = pseudo ? await this.store.runsOnQuestions(pseudo) : [];
    if (!this.classRuns.some((r) => r.id === this.classRunId))
      this.classRunId = this.classRuns[0]?.id ?? null;
    await this.compareClass();
  }

  /**
   * The class's questions from the stored split, when this device does not hold the exam but
   * holds the same file of its split: for the per-annotation table.
   */
  private async questionsFromSplit(): Promise<EvalQuestion[] | null> {
    const sitting = this.classHandins[0]?.sitting;
    if (!sitting) return null;
    const spec = sitting.spec;
    const drawn = await this.datasets.client
      .drawQuestions(spec.splitId, spec.subset, spec.seed, spec.multi === 'skip')
      .catch(() => null);
    if (!drawn || drawn.sha256 !== sitting.split_sha256) return null;
    const ids = new Set(sitting.records.map((r) => r.question_id));
    return drawn.questions.filter((q) => ids.has(q.id));
  }

  /** The exam as far as its hand-ins tell (ids, rows, gold), when this device does not hold it. */
  private examOfHandins(examId: string, spec: ExamSpec): ExamRecord {
    const records = this.classHandins[0].sitting.records;
    return {
      id: examId,
      spec,
      splitSha256: this.classHandins[0].sitting.split_sha256,
      questions: records.map((r) => ({
        id: r.question_id,
        row: r.row,
        question: '',
        options: [],
        answer: r.gold,
        explanation: '',
        annotations: {},
        multi: r.gold.length > 1,
      })),
      source: 'file',
      sourceName: null,
      createdAt: '',
    };
  }

  private async compareClass(): Promise<void> {
    if (!this.classRunId || this.classHandins.length === 0) {
      this.classModel = null;
      return;
    }
    const model = await this.store.runCorrectness(this.classRunId);
    const exam = await this.store.getExam(this.classExamId ?? '');
    const questions = exam?.questions ?? (await this.questionsFromSplit()) ?? [];
    const facts = new Map(questions.map((q) => [q.id, q.annotations]));
    const pairs: PairedAnswer[] = this.classHandins.flatMap((h) =>
      h.sitting.records.map((r) => ({
        questionId: r.question_id,
        personRight: r.correct,
        modelRight: model.get(r.question_id) ?? false,
        annotations: facts.get(r.question_id) ?? {},
      })),
    );
    this.classModel = comparePersonModel(pairs, this.classHandins.length === 1);
  }

  exportClass(kind: 'csv' | 'html'): void {
    const result = this.classResult;
    const spec = this.classHandins[0]?.sitting.spec;
    if (!result || !spec) return;
    if (kind === 'csv')
      download(classToCsv(result), `cmexam-class-${result.examId}.csv`, 'text/csv');
    else
      download(
        classToHtml(result, spec, new Date(), locale.current),
        `cmexam-class-${result.examId}.html`,
        'text/html',
      );
  }

  // -------------------------------------------------------------------------------------------

  async refreshLists(): Promise<void> {
    const sittings = await this.store.allSittings();
    const exams = new Map<string, ExamRecord | undefined>();
    for (const s of sittings)
      if (!exams.has(s.examId)) exams.set(s.examId, await this.store.getExam(s.examId));
    this.sittings = sittings.map((sitting) => ({ sitting, exam: exams.get(sitting.examId) }));
  }

  /** Back to the Exam step's home. */
  close(): void {
    this.exam = null;
    this.sitting = this.stored = null;
    this.status = 'idle';
    this.error = null;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    void this.refreshLists();
  }

  private fail(err: unknown): void {
    this.status = 'error';
    this.error = errorText(err);
  }
}
