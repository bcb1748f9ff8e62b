/**
 * Writes a run's answers in order as they are produced (group commit): an answer is written at
 * once, unless the previous write started less than `windowMs` ago; then it waits, with any
 * others that come meanwhile, until the window ends and they go in one transaction.
 *
 * Why: one IndexedDB transaction per answer cost about 2.5 ms a question (transaction set-up,
 * commit and the browser's side of it, all competing with the engine's threads) with a model
 * answering every 25 ms, a tenth of the run. With the runner's window of 250 ms a fast model's
 * answers go ten or so at a time, and a model slower than four answers a second still has each
 * answer written the moment it exists. A tab closed inside the window loses at most those
 * answers' work: they were never stored, so the run asks them again.
 *
 * Writes run one after another; after a failed write nothing more is written, and `error` and
 * `flush` report it.
 */
export class AnswerWriter<T> {
  private queue: T[] = [];
  private chain: Promise<void> = Promise.resolve();
  private lastWriteAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly write: (items: T[]) => Promise<unknown>,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The first write that failed, if any. */
  get error(): { error: unknown } | null {
    return this.failure;
  }

  /** Queue an answer: written now, or when the current window ends. */
  add(item: T): void {
    this.queue.push(item);
    const wait = this.lastWriteAt + this.windowMs - this.now();
    if (wait <= 0) this.writeQueued();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.writeQueued();
      }, wait);
    }
  }

  /**
   * Write what is queued now, then run `task` (e.g. the run record, which counts them). Not
   * named `then`: that would make the writer a thenable, which `await` would call.
   */
  after(task: () => Promise<unknown>): void {
    this.writeQueued();
    this.append(task);
  }

  /** Write what is queued and wait for every write; throws the first failure. */
  async flush(): Promise<void> {
    this.writeQueued();
    await this.chain;
  }

  private writeQueued(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.lastWriteAt = this.now();
    this.append(() => this.write(batch));
  }

  private append(task: () => Promise<unknown>): void {
    this.chain = this.chain.then(async () => {
      await task();
    });
    this.chain.catch((error: unknown) => {
      this.failure ??= { error };
    });
  }
}
