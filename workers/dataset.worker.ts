// Dataset worker: downloads, parses and stores splits, and answers the question browser.
import * as Comlink from 'comlink';
import { AppDatabase } from '../src/lib/db/database';
import { Ingestor } from '../src/lib/dataset/ingest';
import { DatasetService } from '../src/lib/dataset/service';
import { SplitStore } from '../src/lib/dataset/store';

const store = new SplitStore(new AppDatabase());
Comlink.expose(new DatasetService(store, new Ingestor(store)));
