// Engine worker: owns the inference engine (web-llm or wllama) and the run loop that calls it,
// reached through Comlink (types in src/lib/engines/protocol.ts).
import * as Comlink from 'comlink';
import { AppDatabase } from '../src/lib/db/database';
import { EngineHost } from '../src/lib/engines/host';
import type { EngineWorkerApi } from '../src/lib/engines/protocol';
import { Runner } from '../src/lib/eval/runner';
import { holdAliveLock } from '../src/lib/workers/alive';
import { keepErrorMessages } from '../src/lib/workers/errors';
import { useCompatibilityAdapter } from '../src/lib/engines/webgpu-compat';

// Thrown errors keep their translatable Message on the way to the page.
keepErrorMessages();

// The host refuses to load a model while the runner drives a run (and the runner checks the
// model before and after every question).
// Test builds for lavapipe only (see webgpu-compat.ts); false in the shipped build.
if (import.meta.env.VITE_WEBGPU_COMPAT === '1' && navigator.gpu) {
  useCompatibilityAdapter(navigator.gpu);
}

const engine: EngineHost = new EngineHost(() => runs.activeRun());
const runs: Runner = new Runner(
  new AppDatabase(),
  () => {
    const loaded = engine.loadedEngine();
    return loaded ? { engine: loaded, ref: engine.loadedRef() } : null;
  },
  new AppDatabase(undefined, { observed: false }),
);

Comlink.expose({
  holdAliveLock,
  engine: Comlink.proxy(engine),
  runs: Comlink.proxy(runs),
} satisfies EngineWorkerApi);
