// Baseline: the app's own parser and database class, without the app's pipeline (Comlink,
// progress, locks, hashing, overlap of parse and write). Parsing is timed apart from the
// bulkPut runs, which write exactly what SplitStore.writeChunk stores.
import Dexie from 'dexie';
import { AppDatabase } from '../../../src/lib/db/database.ts';
import { parseDataset } from '../../../src/lib/dataset/parse.ts';
import { CHUNK_ROWS } from '../../../src/lib/dataset/ingest.ts';

const DB_NAME = 'bench-bare';
// Network reads arrive in pieces of about this size; parsing from memory mimics that.
const SLICE = 64 * 1024;

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ ok: true, result: await run(data) });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err?.stack ?? err) });
  }
};

async function* slices(bytes) {
  for (let at = 0; at < bytes.length; at += SLICE) yield bytes.subarray(at, at + SLICE);
}

async function run({ url }) {
  let t = performance.now();
  const body = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const fetchMs = performance.now() - t;

  // Parse alone, from memory: the parse share of the app's ingest time.
  const chunks = [];
  t = performance.now();
  const summary = await parseDataset(slices(body), { name: url, chunkRows: CHUNK_ROWS }, (rows) => {
    chunks.push(rows);
  });
  const parseMs = performance.now() - t;
  const importId = crypto.randomUUID();
  const records = chunks.map((rows) => ({
    importId,
    chunk: Math.floor(rows[0].row / CHUNK_ROWS),
    rows,
  }));

  // The app's storage shape: one awaited put per chunk record.
  await Dexie.delete(DB_NAME);
  const db = new AppDatabase(DB_NAME);
  await db.open();
  t = performance.now();
  for (const r of records) await db.questionChunks.put(r);
  const bareMs = performance.now() - t;
  t = performance.now();
  const loaded = await db.questionChunks.toArray();
  const loadMs = performance.now() - t;
  db.close();
  await Dexie.delete(DB_NAME);

  // For reference: one record per question, as a naive schema would store them.
  const flat = new Dexie(`${DB_NAME}-flat`);
  flat.version(1).stores({ questions: '[importId+row]' });
  await flat.open();
  const rows = chunks.flat().map((r) => ({ ...r, importId }));
  t = performance.now();
  for (let i = 0; i < rows.length; i += 2000)
    await flat.table('questions').bulkPut(rows.slice(i, i + 2000));
  const perRowMs = performance.now() - t;
  flat.close();
  await Dexie.delete(`${DB_NAME}-flat`);

  return {
    bytes: body.length,
    rows: summary.rows,
    fetchMs,
    parseMs,
    bareMs,
    loadMs,
    loadedRows: loaded.reduce((n, c) => n + c.rows.length, 0),
    perRowMs,
  };
}
