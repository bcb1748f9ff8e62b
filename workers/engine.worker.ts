// Engine worker: owns the inference engine (web-llm or wllama) and the run loop that calls it,
// reached through Comlink (types in src/lib/engines/protocol.ts).
import * as Comlink from 'comlink';
import { AppDatabase } from '../src/lib/db/database';
import { EngineHost } from '../src/lib/engines/host';
import type { EngineWorkerApi } from '../src/lib/engines/protocol';
import { Runner } from '../src/lib/eval/runner';
import { holdAliveLock } from '../src/lib/workers/alive';

const engine = new EngineHost();
const runs = new Runner(
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
