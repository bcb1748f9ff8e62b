// Report worker: scores runs, builds exports, imports results files and merges shards.
import * as Comlink from 'comlink';
import { AppDatabase } from '../src/lib/db/database';
import { ReportService } from '../src/lib/report/service';
import { loadJieba } from '../src/lib/scoring/jieba';
import { APP_VERSION } from '../src/lib/version';
import { keepErrorMessages } from '../src/lib/workers/errors';

// Thrown errors keep their translatable Message on the way to the page.
keepErrorMessages();

Comlink.expose(new ReportService(new AppDatabase(), loadJieba, APP_VERSION));
