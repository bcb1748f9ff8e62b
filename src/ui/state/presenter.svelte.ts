import { AppDatabase, type AnswerRecord, type RunRecord } from '../../lib/db/database';
import { watchTables } from '../../lib/db/watch';
import { SplitStore } from '../../lib/dataset/store';
import { parseQuestionId } from '../../lib/dataset/ids';
import type { StoredQuestion } from '../../lib/dataset/types';
import { progressOf, type RunProgress } from '../../lib/eval/progress';
import { LiveWatcher, type LiveMessage } from '../../lib/eval/live';
import { StoredAnswerReader } from '../../lib/eval/answer-reader';
import { wilson } from '../../lib/scoring/numeric';

/** A replay moves on by itself this often while playing. */
export const REPLAY_STEP_MS = 4000;

export interface PresenterScore {
  answered: number;
  correct: number;
  accuracy: number | null;
  low: number | null;
  high: number | null;
}

/**
 * The presenter view of one run: what it shows comes from what the run stores (the run record,
 * its answers as eval/answer-reader.ts follows them, the questions), plus, while the run is driven,
 * the question in flight and its streamed text (eval/live.ts). A finished run is replayed
 * answer by answer. It never writes anything and never calls the engine.
 */
export class PresenterState {
  run = $state.raw<RunRecord | null>(null);
  /** Stored answers (errors left out), in the run's question order as they were reached. */
  answers = $state.raw<AnswerRecord[]>([]);
  /** In a replay, the index of the answer shown; live, null (the latest is shown). */
  replayIndex = $state<number | null>(null);
  playing = $state(false);
  /** The question the engine is answering now (live only), until its answer is stored. */
  inFlight = $state<string | null>(null);
  /** Streamed text of the question in flight. */
  streamed = $state('');
  question = $state.raw<StoredQuestion | null>(null);

  private readonly db = new AppDatabase();
  private readonly store = new SplitStore(this.db);
  private readonly reader: StoredAnswerReader;
  private readonly seen = new Set<string>();
  private readonly unwatch: () => void;
  private watcher: LiveWatcher | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private questionFor = '';
  private closed = false;

  constructor(readonly runId: string) {
    this.reader = new StoredAnswerReader(this.db, runId);
    this.unwatch = watchTables(this.db, ['runs'], () => this.refresh(), 250);
    void this.refresh();
  }

  /** The answer shown: the replayed one, or the latest (none while its question is in flight). */
  get shown(): AnswerRecord | null {
    if (this.replayIndex !== null) return this.answers[this.replayIndex] ?? null;
    if (this.inFlight) return null;
    return this.answers.at(-1) ?? null;
  }

  get shownQuestionId(): string {
    return this.shown?.questionId ?? this.inFlight ?? '';
  }

  /** Answers counted so far: up to the shown one in a replay, every stored one live. */
  get counted(): AnswerRecord[] {
    return this.replayIndex === null ? this.answers : this.answers.slice(0, this.replayIndex + 1);
  }

  get score(): PresenterScore {
    const counted = this.counted;
    const answered = counted.length;
    const correct = counted.filter((a) => a.correct).length;
    if (answered === 0) return { answered, correct, accuracy: null, low: null, high: null };
    const { low, high } = wilson(correct, answered);
    return { answered, correct, accuracy: correct / answered, low, high };
  }

  get progress(): RunProgress | null {
    return this.run ? progressOf(this.run) : null;
  }

  /** Replay: start at the first answer. */
  startReplay(): void {
    this.replayIndex = 0;
    this.playing = true;
    this.schedule();
  }

  step(delta: number): void {
    if (this.answers.length === 0) return;
    if (this.replayIndex === null) this.replayIndex = this.answers.length - 1;
    this.replayIndex = Math.min(this.answers.length - 1, Math.max(0, this.replayIndex + delta));
    void this.loadQuestion();
  }

  togglePlay(): void {
    this.playing = !this.playing;
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.unwatch();
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.playing || this.replayIndex === null) return;
    this.timer = setInterval(() => {
      if (this.replayIndex !== null && this.replayIndex < this.answers.length - 1) this.step(1);
      else this.togglePlay();
    }, REPLAY_STEP_MS);
  }

  private async refresh(): Promise<void> {
    if (this.closed) return;
    const run = (await this.db.runs.get(this.runId)) ?? null;
    await this.readAnswers();
    this.run = run;
    // Streamed text and the question in flight are only heard while the run is driven.
    if (run && run.status !== 'done' && !this.watcher) {
      this.watcher = new LiveWatcher(this.runId, (m) => this.hear(m));
    } else if (run?.status === 'done' && this.watcher) {
      this.watcher.close();
      this.watcher = null;
      this.inFlight = null;
    }
    await this.loadQuestion();
  }

  private async readAnswers(): Promise<void> {
    const added = await this.reader.next();
    if (added.length === 0) return;
    for (const a of added) this.seen.add(a.questionId);
    this.answers = [...this.answers, ...added];
    if (this.inFlight && this.seen.has(this.inFlight)) {
      this.inFlight = null;
      this.streamed = '';
    }
  }

  private hear(message: LiveMessage): void {
    if (message.type === 'question') {
      if (this.seen.has(message.questionId)) return;
      this.inFlight = message.questionId;
      this.streamed = '';
      void this.loadQuestion();
    } else if (message.type === 'text' && message.questionId === this.inFlight) {
      this.streamed = message.text;
    }
  }

  /** The text and options of the question shown, read from its split. */
  private async loadQuestion(): Promise<void> {
    const id = this.shownQuestionId;
    if (!id || id === this.questionFor || !this.run) return;
    this.questionFor = id;
    const split = await this.store.getSplit(this.run.spec.splitId);
    const parsed = parseQuestionId(id);
    const [q] = split && parsed ? await this.store.getQuestions(split, [parsed.row]) : [];
    if (this.questionFor === id) this.question = q ?? null;
  }
}
