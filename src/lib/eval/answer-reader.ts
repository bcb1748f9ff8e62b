import type { AnswerRecord, AppDatabase } from '../db/database';

/** Stored answers read per step, from the first one not yet seen, in the run's order. */
const READ_AHEAD = 64;

/**
 * Follows a run's stored answers as they come, in the run's own question order, reading only
 * what is new (`bulkGet` from the first question without a record, never a scan of all answers).
 * An errored question is passed over (the run goes on) and read again until it has an answer.
 */
export class StoredAnswerReader {
  private order: string[] | null = null;
  /** Index in `order` of the first question with no stored record yet. */
  private cursor = 0;
  /** Questions whose stored record is an engine error: asked again on resume. */
  private readonly errored = new Set<string>();

  constructor(
    private readonly db: AppDatabase,
    readonly runId: string,
  ) {}

  /** Answers stored since the last call (errors left out), in the order they were reached. */
  async next(): Promise<AnswerRecord[]> {
    this.order ??= (await this.db.runQuestions.get(this.runId))?.questionIds ?? null;
    const order = this.order;
    if (!order) return [];
    const added: AnswerRecord[] = [];
    const take = (record: AnswerRecord) => {
      if (record.status === 'error') this.errored.add(record.questionId);
      else {
        this.errored.delete(record.questionId);
        added.push(record);
      }
    };
    if (this.errored.size > 0) {
      const again = await this.db.answers.bulkGet([...this.errored].map((id) => [this.runId, id]));
      for (const record of again) if (record && record.status !== 'error') take(record);
    }
    while (this.cursor < order.length) {
      const ids = order.slice(this.cursor, this.cursor + READ_AHEAD);
      const records = await this.db.answers.bulkGet(ids.map((id) => [this.runId, id]));
      const missing = records.findIndex((r) => !r);
      const upTo = missing < 0 ? records.length : missing;
      for (const record of records.slice(0, upTo)) take(record!);
      this.cursor += upTo;
      if (upTo < ids.length) break;
    }
    return added;
  }
}
