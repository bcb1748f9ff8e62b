// Dataset worker: downloads, parses and stores splits, and answers the question browser.
import * as Comlink from 'comlink';
import { AppDatabase } from '../src/lib/db/database';
import type { DatasetWorkerApi } from '../src/lib/dataset/client';
import { Ingestor } from '../src/lib/dataset/ingest';
import { DatasetService } from '../src/lib/dataset/service';
import { SplitStore } from '../src/lib/dataset/store';
import { holdAliveLock } from '../src/lib/workers/alive';
import { keepErrorMessages } from '../src/lib/workers/errors';

// Thrown errors keep their translatable Message on the way to the page.
keepErrorMessages();

const store = new SplitStore(new AppDatabase());
Comlink.expose({
  holdAliveLock,
  datasets: Comlink.proxy(new DatasetService(store, new Ingestor(store))),
} satisfies DatasetWorkerApi);
