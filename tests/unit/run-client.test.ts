// The page's run client (src/lib/eval/client.ts): only a dead worker is retried, with a
// doubling pause and a limit; any other failure goes back to the caller at once; Pause and
// Cancel hold while the worker restarts. The worker is a stand-in whose drive calls a test
// scripts (crash, progress, outcome).
import { describe, expect, it } from 'vitest';
import type { EngineWorkerApi, RunApi } from '../../src/lib/engines/protocol';
import { CRASH_BACKOFF_MS, MAX_CRASH_RETRIES, RunClient } from '../../src/lib/eval/client';
import type { DriveOutcome, RunProgress } from '../../src/lib/eval/progress';
import { WorkerCrashedError, type WorkerSupervisor } from '../../src/lib/workers/supervisor';
import { english } from '../../src/lib/i18n/translate';

type DriveScript = (attempt: number, onProgress: (p: RunProgress) => void) => Promise<DriveOutcome>;

function harness(drive: DriveScript) {
  const stops: { status: string; error: string | null; code?: string }[] = [];
  const pauses: string[] = [];
  let attempts = 0;
  const runs: Partial<RunApi> = {
    drive: (_id, onProgress) => drive(++attempts, onProgress),
    pause: (id) => void pauses.push(id),
    cancel: () => {},
    stop: async (_id, status, error = null, detail = null) =>
      void stops.push({
        status,
        error: error === null ? null : english(error),
        code: detail?.code,
      }),
  };
  const worker = {
    // As through Comlink: every call is asynchronous.
    call: async <T>(fn: (api: EngineWorkerApi) => Promise<T>) =>
      fn({ runs } as unknown as EngineWorkerApi),
    settled: async () => {},
    markHealthy: () => {},
  } as unknown as WorkerSupervisor<EngineWorkerApi>;
  const waits: number[] = [];
  const client = new RunClient(worker, async (ms) => void waits.push(ms));
  return { client, stops, pauses, waits, attempts: () => attempts };
}

const progress = (done: number): RunProgress => ({
  runId: 'r',
  status: 'running',
  done,
  total: 10,
  correct: 0,
  parsed: 0,
  errors: 0,
  skipped: 0,
  activeMs: 0,
  questionsPerMinute: null,
  etaMs: null,
  prefillTps: null,
  decodeTps: null,
});

describe('RunClient.drive', () => {
  it('regression: a worker that dies on every try is retried a few times, then the run is an error', async () => {
    const h = harness(async (_attempt, onProgress) => {
      onProgress(progress(4)); // resumes at 4 answers and dies before the next
      throw new WorkerCrashedError('engine');
    });
    expect(await h.client.drive('r')).toBe('error');
    // Tries: 1 + MAX_CRASH_RETRIES, with pauses of 1, 2, 4 s between them.
    expect(h.attempts()).toBe(1 + MAX_CRASH_RETRIES);
    expect(h.waits).toEqual([...CRASH_BACKOFF_MS].slice(0, MAX_CRASH_RETRIES));
    expect(h.stops).toHaveLength(1);
    expect(h.stops[0]).toMatchObject({ status: 'error', code: 'crashed' });
    expect(h.stops[0].error).toContain('4 times in a row');
  });

  it('a crash after new answers starts the count again', async () => {
    // Each try answers 2 more questions, then the worker dies; the 6th try finishes.
    const h = harness(async (attempt, onProgress) => {
      onProgress(progress(attempt * 2));
      if (attempt < 6) throw new WorkerCrashedError('engine');
      return 'done';
    });
    expect(await h.client.drive('r')).toBe('done');
    expect(h.attempts()).toBe(6);
    expect(h.waits).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(h.stops).toEqual([]);
  });

  it('any other failure is the caller’s at once: no retry', async () => {
    const h = harness(async () => {
      throw new Error('No run r is stored.');
    });
    await expect(h.client.drive('r')).rejects.toThrow('No run r is stored.');
    expect(h.attempts()).toBe(1);
    expect(h.waits).toEqual([]);
  });

  it('regression: a pause while the worker restarts stops the run, recorded as paused', async () => {
    let client!: RunClient;
    const h = harness(async () => {
      // The user presses Pause just as the worker dies.
      void client.pause('r');
      throw new WorkerCrashedError('engine');
    });
    client = h.client;
    expect(await client.drive('r')).toBe('paused');
    expect(h.attempts()).toBe(1);
    expect(h.stops).toEqual([{ status: 'paused', error: null, code: undefined }]);
    expect(h.pauses).toEqual(['r']);
  });

  it('a pause from before this drive does not stop it', async () => {
    const h = harness(async () => 'done');
    await h.client.pause('r');
    expect(await h.client.drive('r')).toBe('done');
  });
});
