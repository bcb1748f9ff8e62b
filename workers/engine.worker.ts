// Engine worker: owns the inference engine (web-llm or wllama), reached through Comlink.
import * as Comlink from 'comlink';
import { EngineHost } from '../src/lib/engines/host';

Comlink.expose(new EngineHost());
