import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnswerWriter } from '../../src/lib/eval/writer';

/** A writer over a fake store whose clock the test moves (fake timers drive both). */
function setup(windowMs = 100, fail?: (items: string[]) => boolean) {
  const writes: string[][] = [];
  const order: string[] = [];
  const writer = new AnswerWriter<string>(
    async (items) => {
      await Promise.resolve();
      if (fail?.(items)) throw new Error(`disk full at ${items.join(',')}`);
      writes.push(items);
      order.push(`answers ${items.join(',')}`);
    },
    windowMs,
    () => Date.now(),
  );
  return { writer, writes, order };
}

describe('AnswerWriter (group commit of a run’s answers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes an answer at once when none was written within the window', async () => {
    const { writer, writes } = setup();
    writer.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([['a']]);
    vi.setSystemTime(150);
    writer.add('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([['a'], ['b']]);
  });

  it('groups answers that come within the window into one write when the window ends', async () => {
    const { writer, writes } = setup();
    writer.add('a');
    await vi.advanceTimersByTimeAsync(10);
    writer.add('b');
    await vi.advanceTimersByTimeAsync(20);
    writer.add('c');
    await vi.advanceTimersByTimeAsync(50);
    // 80 ms after the first write: b and c are still waiting.
    expect(writes).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(20);
    expect(writes).toEqual([['a'], ['b', 'c']]);
  });

  it('never holds an answer longer than the window, even when no other answer comes', async () => {
    const { writer, writes } = setup();
    writer.add('a');
    writer.add('b');
    await vi.advanceTimersByTimeAsync(99);
    expect(writes).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([['a'], ['b']]);
    // Nothing else is pending: no empty writes follow.
    await vi.advanceTimersByTimeAsync(1000);
    expect(writes).toHaveLength(2);
  });

  it('after() writes the waiting answers first, then the task that counts them', async () => {
    const { writer, order } = setup();
    writer.add('a');
    writer.add('b');
    writer.after(async () => {
      order.push('record');
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['answers a', 'answers b', 'record']);
  });

  it('flush() writes what is waiting and resolves once every write is done', async () => {
    const { writer, writes } = setup();
    writer.add('a');
    writer.add('b');
    writer.add('c');
    await writer.flush();
    expect(writes).toEqual([['a'], ['b', 'c']]);
  });

  it('after a failed write nothing more is written, and the failure is reported', async () => {
    const { writer, writes } = setup(100, (items) => items.includes('b'));
    writer.add('a');
    writer.add('b');
    await vi.advanceTimersByTimeAsync(100);
    expect(writer.error?.error).toBeInstanceOf(Error);
    writer.add('c');
    await expect(writer.flush()).rejects.toThrow('disk full at b');
    expect(writes).toEqual([['a']]);
  });
});
