/**
 * What a run is doing right now, for a presenter view: which question is with the engine and,
 * for generated answers, the text so far. Sent over a BroadcastChannel (one per run) and only
 * while someone watches, so that a run nobody presents pays nothing for it. Everything else the
 * presenter shows it reads from what the run stores.
 */

export const liveChannelName = (runId: string) => `cmexam-live:${runId}`;

/** A watcher says it is there this often; the run streams while it heard one recently. */
export const WATCH_INTERVAL_MS = 1000;
const WATCH_TTL_MS = 3 * WATCH_INTERVAL_MS;
/** Streamed text is sent at most this often (the last text of a call is always sent). */
const TEXT_INTERVAL_MS = 100;

export type LiveMessage =
  | { type: 'watch' }
  /** A run starts (or resumes): watchers say at once that they are there. */
  | { type: 'hello' }
  | { type: 'question'; questionId: string; row: number }
  | { type: 'text'; questionId: string; text: string };

/** The run's side, in the engine worker. */
export class LivePublisher {
  private readonly channel: BroadcastChannel | null;
  private watchedUntil = 0;

  constructor(
    runId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.channel =
      typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(liveChannelName(runId));
    if (this.channel) {
      this.channel.onmessage = (e: MessageEvent<LiveMessage>) => {
        if (e.data?.type === 'watch') this.watchedUntil = this.now() + WATCH_TTL_MS;
      };
      this.post({ type: 'hello' });
    }
  }

  get watched(): boolean {
    return this.now() < this.watchedUntil;
  }

  /** A question goes to the engine. */
  question(questionId: string, row: number): void {
    if (this.watched) this.post({ type: 'question', questionId, row });
  }

  /** A sink for the streamed text of a question, or undefined when nobody watches. */
  textSink(questionId: string): ((textSoFar: string) => void) | undefined {
    if (!this.watched) return undefined;
    let sentAt = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let latest = '';
    const send = () => {
      timer = null;
      sentAt = this.now();
      this.post({ type: 'text', questionId, text: latest });
    };
    return (text) => {
      latest = text;
      if (timer) return;
      const wait = TEXT_INTERVAL_MS - (this.now() - sentAt);
      if (wait <= 0) send();
      else timer = setTimeout(send, wait);
    };
  }

  close(): void {
    this.channel?.close();
  }

  private post(message: LiveMessage): void {
    this.channel?.postMessage(message);
  }
}

/** The presenter's side: says it watches, and hears the run. */
export class LiveWatcher {
  private readonly channel: BroadcastChannel;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(runId: string, onMessage: (message: LiveMessage) => void) {
    this.channel = new BroadcastChannel(liveChannelName(runId));
    const watching = () => this.channel.postMessage({ type: 'watch' } satisfies LiveMessage);
    this.channel.onmessage = (e: MessageEvent<LiveMessage>) => {
      if (e.data?.type === 'hello') watching();
      else if (e.data && e.data.type !== 'watch') onMessage(e.data);
    };
    watching();
    this.timer = setInterval(watching, WATCH_INTERVAL_MS);
  }

  close(): void {
    clearInterval(this.timer);
    this.channel.close();
  }
}
