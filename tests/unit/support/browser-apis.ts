// What the storage modules need from a browser, for unit tests in Node: IndexedDB (the
// in-memory fake-indexeddb, which Dexie uses as it uses the real one) and Web Locks (a small
// exclusive-lock manager below; Node 20 has none). The e2e tests run the same modules on the
// real ones in Chromium.
import 'fake-indexeddb/auto';

type Callback = (lock: { name: string } | null) => unknown;
interface Options {
  ifAvailable?: boolean;
  signal?: AbortSignal;
}

class TestLocks {
  private readonly held = new Map<string, Promise<void>>();

  async request(name: string, a: Options | Callback, b?: Callback): Promise<unknown> {
    const options = typeof a === 'function' ? {} : a;
    const callback = (typeof a === 'function' ? a : b) as Callback;
    if (options.ifAvailable && this.held.has(name)) return callback(null);
    while (this.held.has(name)) {
      if (options.signal?.aborted) throw new DOMException('aborted', 'AbortError');
      await this.held.get(name);
    }
    let release!: () => void;
    this.held.set(name, new Promise<void>((r) => (release = r)));
    try {
      return await callback({ name });
    } finally {
      this.held.delete(name);
      release();
    }
  }

  async query(): Promise<{ held: { name: string }[]; pending: { name: string }[] }> {
    return { held: [...this.held.keys()].map((name) => ({ name })), pending: [] };
  }
}

const g = globalThis as { navigator?: unknown };
g.navigator ??= { locks: new TestLocks(), hardwareConcurrency: 2, onLine: true };
