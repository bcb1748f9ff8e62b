// Engine worker: owns the inference engine (web-llm or wllama) and the run loop that calls it,
// reached through Comlink.
import * as Comlink from 'comlink';
import { AppDatabase } from '../src/lib/db/database';
import { EngineHost } from '../src/lib/engines/host';
import { Runner } from '../src/lib/eval/runner';

const engine = new EngineHost();
const runs = new Runner(
  new AppDatabase(),
  () => engine.loadedEngine(),
  new AppDatabase(undefined, { observed: false }),
);

// Marked as proxies so that the page's typed handle reaches their methods (api.engine.load…).
export type EngineWorkerApi = {
  engine: EngineHost & Comlink.ProxyMarked;
  runs: Runner & Comlink.ProxyMarked;
};
Comlink.expose({
  engine: Comlink.proxy(engine),
  runs: Comlink.proxy(runs),
} satisfies EngineWorkerApi);
