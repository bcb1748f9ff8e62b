// Exposes window.engineBench for scripts/bench/engine.mjs. The page talks to the bench worker
// through Comlink as the app's EngineClient does, so every figure includes the app's real path
// (page → Comlink → EngineHost → WllamaEngine), except directLoop, which is the baseline.
import * as Comlink from 'comlink';

const worker = new Worker(new URL('./engine.worker.js', import.meta.url), {
  type: 'module',
  name: 'engine-bench',
});
const host = Comlink.wrap(worker);

function unwrap(result) {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const load = (spec) =>
  host.load(
    spec,
    Comlink.proxy(() => {}),
  );

window.engineBench = {
  env: () => ({
    isolated: globalThis.crossOriginIsolated,
    cores: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
  }),

  /** The model fetched into a Blob, then loaded as a local file: wllama's cache is not used. */
  async loadBlob(url, spec) {
    let t = performance.now();
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const blob = await response.blob();
    const fetchMs = performance.now() - t;
    t = performance.now();
    const description = unwrap(await load({ ...spec, files: [blob] }));
    return { fetchMs, loadMs: performance.now() - t, bytes: blob.size, description };
  },

  /** The app's URL path (wllama downloads into its OPFS cache, then reads it from there). */
  async loadUrl(spec, clearCache) {
    if (clearCache) await host.clearModelCache();
    const t = performance.now();
    const description = unwrap(await load(spec));
    return { ms: performance.now() - t, description };
  },

  unload: () => host.unload(),

  async generate(req, n) {
    const runs = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = unwrap(await host.generate(req));
      runs.push({
        wallMs: performance.now() - t,
        ...r.timings,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        finishReason: r.finishReason,
        text: r.text,
      });
    }
    return runs;
  },

  async score(req, n) {
    const runs = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = unwrap(await host.scoreLetters(req));
      runs.push({ wallMs: performance.now() - t, engineMs: r.timings.totalMs, ...r });
    }
    return runs;
  },

  directLoop: (req, n) => host.directLoop(req, n),

  /**
   * `n` pairs, each one scoreLetters call made directly inside the worker (its elapsed time is
   * measured there) and then one made from here through Comlink. Pairing adjacent calls keeps
   * slow spells of the machine (seconds long) from landing on one side only.
   */
  async comlinkPairs(req, n) {
    const direct = [];
    const via = [];
    const inEngine = [];
    for (let i = 0; i < n; i++) {
      direct.push(await host.directLoop(req, 1));
      const t = performance.now();
      const r = unwrap(await host.scoreLetters(req));
      via.push(performance.now() - t);
      inEngine.push(r.timings.totalMs);
    }
    return { direct, via, inEngine };
  },

  /** Elapsed ms of each of `batches` batches of `n` sequential bare round trips. */
  async ping(n, batches) {
    for (let i = 0; i < 100; i++) await host.ping(i); // warm-up
    const out = [];
    for (let b = 0; b < batches; b++) {
      const t = performance.now();
      for (let i = 0; i < n; i++) await host.ping(i);
      out.push(performance.now() - t);
    }
    return out;
  },
};
