// Merge worker: reads GGUF headers, merges models tensor by tensor into OPFS, deletes merges.
import * as Comlink from 'comlink';
import { AppDatabase } from '../src/lib/db/database';
import type { MergeWorkerApi } from '../src/lib/merge/client';
import { MergeService } from '../src/lib/merge/service';
import { holdAliveLock } from '../src/lib/workers/alive';
import { keepErrorMessages } from '../src/lib/workers/errors';

keepErrorMessages();

Comlink.expose({
  holdAliveLock,
  merge: Comlink.proxy(new MergeService(new AppDatabase())),
} satisfies MergeWorkerApi);
