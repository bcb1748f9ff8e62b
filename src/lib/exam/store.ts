/**
 * Exams, sittings and a class's hand-ins in IndexedDB (this browser only). A sitting is written
 * whole at every step (an answer, a flag, a move), one small record per attempt, so a reload,
 * a closed tab or a crash resumes it exactly where it was.
 */
import type {
  AppDatabase,
  ExamRecord,
  HandinRecord,
  RunRecord,
  SittingRecord,
} from '../db/database';
import type { SittingFile } from './files';
import { newSitting } from './sitting';

export class ExamStore {
  constructor(private readonly db: AppDatabase) {}

  /** Keep an exam (the first copy stays: its questions are frozen when first opened). */
  async saveExam(exam: ExamRecord): Promise<ExamRecord> {
    return this.db.transaction('rw', this.db.exams, async () => {
      const existing = await this.db.exams.get(exam.id);
      if (existing) return existing;
      await this.db.exams.add(exam);
      return exam;
    });
  }

  getExam(id: string): Promise<ExamRecord | undefined> {
    return this.db.exams.get(id);
  }

  async sittingsOf(examId: string): Promise<SittingRecord[]> {
    const list = await this.db.sittings.where('examId').equals(examId).toArray();
    return list.sort((a, b) => a.attempt - b.attempt);
  }

  async allSittings(): Promise<SittingRecord[]> {
    return (await this.db.sittings.toArray()).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** The latest attempt at an exam, or a first one. */
  async currentSitting(exam: ExamRecord): Promise<SittingRecord> {
    const list = await this.sittingsOf(exam.id);
    return list.at(-1) ?? this.newAttempt(exam);
  }

  /** A new attempt, numbered after the others; earlier ones are kept as they are. */
  async newAttempt(exam: ExamRecord): Promise<SittingRecord> {
    return this.db.transaction('rw', this.db.sittings, async () => {
      const list = await this.db.sittings.where('examId').equals(exam.id).toArray();
      const sitting = newSitting({
        id: crypto.randomUUID(),
        examId: exam.id,
        attempt: list.reduce((m, s) => Math.max(m, s.attempt), 0) + 1,
        limitMs: exam.spec.timeMinutes === null ? null : exam.spec.timeMinutes * 60_000,
        now: new Date(),
      });
      await this.db.sittings.add(sitting);
      return sitting;
    });
  }

  async saveSitting(sitting: SittingRecord): Promise<void> {
    await this.db.sittings.put(sitting);
  }

  handins(examId: string): Promise<HandinRecord[]> {
    return this.db.handins.where('examId').equals(examId).toArray();
  }

  async handedInIds(): Promise<Set<string>> {
    return new Set((await this.db.handins.toCollection().primaryKeys()) as string[]);
  }

  async addHandins(files: { file: SittingFile; fileName: string }[]): Promise<void> {
    const now = new Date().toISOString();
    await this.db.handins.bulkAdd(
      files.map(({ file, fileName }) => ({
        sittingId: file.sitting_id,
        examId: file.exam_id,
        fileName,
        importedAt: now,
        sitting: file,
      })),
    );
  }

  async removeHandin(sittingId: string): Promise<void> {
    await this.db.handins.delete(sittingId);
  }

  /** Exams with hand-ins, newest first. */
  async classExamIds(): Promise<string[]> {
    const all = await this.db.handins.toArray();
    all.sort((a, b) => (a.importedAt < b.importedAt ? 1 : -1));
    return [...new Set(all.map((h) => h.examId))];
  }

  /**
   * Finished runs on exactly the exam's questions (same split, same question ids), the most
   * recent first: a run and an exam with the same question parameters find each other.
   */
  async runsOnQuestions(exam: ExamRecord): Promise<RunRecord[]> {
    const ids = exam.questions.map((q) => q.id).sort();
    const key = ids.join('\n');
    const candidates = (await this.db.runs.toArray()).filter(
      (r) =>
        r.spec.splitId === exam.spec.splitId &&
        r.total === ids.length &&
        r.totals.done === r.total &&
        r.status === 'done' &&
        // A run made on another copy of the split answered other questions under those ids.
        !(
          typeof r.splitSha256 === 'string' &&
          exam.splitSha256 !== null &&
          r.splitSha256 !== exam.splitSha256
        ),
    );
    const out: RunRecord[] = [];
    for (const r of candidates) {
      const order = await this.db.runQuestions.get(r.id);
      if (order && [...order.questionIds].sort().join('\n') === key) out.push(r);
    }
    return out.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  }

  /** Which questions a run got right. */
  async runCorrectness(runId: string): Promise<Map<string, boolean>> {
    const answers = await this.db.answers.where('runId').equals(runId).toArray();
    return new Map(answers.map((a) => [a.questionId, a.correct]));
  }
}
