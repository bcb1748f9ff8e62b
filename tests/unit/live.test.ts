import { afterEach, describe, expect, it } from 'vitest';
import { LivePublisher, LiveWatcher, type LiveMessage } from '../../src/lib/eval/live';

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('a run heard live by a presenter', () => {
  const open: { close(): void }[] = [];
  afterEach(() => open.splice(0).forEach((c) => c.close()));

  it('sends nothing while nobody watches, and the question and streamed text once someone does', async () => {
    const publisher = new LivePublisher('r1');
    open.push(publisher);
    expect(publisher.watched).toBe(false);
    expect(publisher.textSink('cmexam/val/1')).toBeUndefined();

    const heard: LiveMessage[] = [];
    const watcher = new LiveWatcher('r1', (m) => heard.push(m));
    open.push(watcher);
    await tick();
    expect(publisher.watched).toBe(true);
    publisher.question('cmexam/val/2', 2);
    const sink = publisher.textSink('cmexam/val/2')!;
    sink('甲');
    await tick();
    expect(heard).toEqual([
      { type: 'question', questionId: 'cmexam/val/2', row: 2 },
      { type: 'text', questionId: 'cmexam/val/2', text: '甲' },
    ]);
  });

  it('sends streamed text at most every 100 ms, always ending with the latest', async () => {
    const publisher = new LivePublisher('r2');
    const heard: LiveMessage[] = [];
    const watcher = new LiveWatcher('r2', (m) => heard.push(m));
    open.push(publisher, watcher);
    await tick();
    const sink = publisher.textSink('q')!;
    // Ten tokens in a burst: the first is sent at once, the rest wait for the interval, and
    // only the latest text is sent then.
    for (const text of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh']) {
      sink(text);
    }
    await tick(150);
    expect(heard.map((m) => (m.type === 'text' ? m.text : m.type))).toEqual(['a', 'abcdefgh']);
  });

  it('a run that starts after the presenter opened is watched at once, not a second later', async () => {
    const heard: LiveMessage[] = [];
    const watcher = new LiveWatcher('r4', (m) => heard.push(m));
    await tick();
    const publisher = new LivePublisher('r4');
    open.push(publisher, watcher);
    await tick();
    expect(publisher.watched).toBe(true);
    expect(heard).toEqual([]);
  });

  it('other runs are not heard', async () => {
    const publisher = new LivePublisher('r3');
    const heard: LiveMessage[] = [];
    const watcher = new LiveWatcher('another', (m) => heard.push(m));
    open.push(publisher, watcher);
    await tick();
    expect(publisher.watched).toBe(false);
  });
});
