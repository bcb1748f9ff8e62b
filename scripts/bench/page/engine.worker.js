// Bench engine worker: the app's EngineHost exposed through Comlink, as
// workers/engine.worker.ts does, plus two helpers that only the benchmark needs.
import * as Comlink from 'comlink';
import { EngineHost } from '../../../src/lib/engines/host.ts';

class BenchHost extends EngineHost {
  /**
   * `n` scoreLetters calls made on the engine itself, inside this worker: no Comlink and no
   * host wrapper. Returns the elapsed ms, the baseline for the Comlink overhead.
   */
  async directLoop(req, n) {
    // loadedEngine() where EngineHost has it; otherwise its TypeScript-private field, a plain
    // field at run time.
    const engine = typeof this.loadedEngine === 'function' ? this.loadedEngine() : this.engine;
    if (!engine?.describe().model) throw new Error('directLoop: no model is loaded');
    const started = performance.now();
    for (let i = 0; i < n; i++) await engine.scoreLetters(req);
    return performance.now() - started;
  }

  /** Empties wllama's model cache (OPFS), so that the next URL load downloads again. */
  async clearModelCache() {
    // Imported lazily, as src/lib/engines/cache.ts does, so wllama stays in its own chunk.
    const { CacheManager } = await import('@wllama/wllama');
    await new CacheManager().clear();
  }
}

Comlink.expose(new BenchHost());
