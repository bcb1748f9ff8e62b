import { CsvStreamParser, type CsvRecord } from './csv-stream';
import { Utf8StreamDecoder, sniffBinary } from './decode';
import { DatasetError } from './errors';
import { msg, type Message } from '../i18n/translate';
import { isProblem } from './schema';
import { addToStats, emptyStats } from './stats';
import {
  detectFormat,
  FORMAT_ADAPTERS,
  type AnswerKey,
  type FormatAdapter,
  type FormatReader,
} from './formats';
import type {
  BenchmarkFormat,
  DatasetFormat,
  DatasetRow,
  DatasetStats,
  ItemKind,
  RowProblem,
} from './types';
import { sha256Hex } from '../hash';

export interface ParseOptions {
  /** Forces a syntax; otherwise it is read from the content, then the name. */
  format?: DatasetFormat;
  /** Forces a file shape; otherwise it is detected from the first record's keys. */
  shape?: BenchmarkFormat;
  /** File name or URL, used to guess the format (and CMMLU's subject). */
  name?: string;
  /** Gold answers shipped apart from the questions (CMB's test split). */
  answerKey?: AnswerKey;
  /** The answer key's file, hashed after the questions: another key is another split content. */
  answerKeyBytes?: Uint8Array;
  signal?: AbortSignal;
  /** Called with the total bytes read so far. */
  onBytes?: (bytes: number) => void;
  /**
   * `onBatch` receives the valid rows of data rows [k·chunkRows, (k+1)·chunkRows), one
   * chunk at a time and in order, so that each batch can be stored as one record.
   */
  chunkRows?: number;
  /** Problems kept in the result (all are counted). */
  maxProblems?: number;
}

export interface ParseSummary {
  format: DatasetFormat;
  /** Whose file shape it is (CMExam, CMB, …) and so whether its items are choice or open. */
  shape: BenchmarkFormat;
  kind: ItemKind;
  columns: string[];
  annotationColumns: string[];
  /** Data records seen, valid or not (a CMB-Clin case counts once per question). */
  dataRows: number;
  /** Valid rows handed to `onBatch`. */
  rows: number;
  problems: RowProblem[];
  problemCount: number;
  bytes: number;
  sha256: string;
  stats: DatasetStats;
}

/** One file of an import: several (CMMLU's subjects) make one split. */
export interface ParseFile {
  name?: string;
  chunks: AsyncIterable<Uint8Array>;
}

type BatchSink = (rows: DatasetRow[]) => Promise<void> | void;

/**
 * Parse a dataset file streamed as bytes (CSV, JSON array or JSONL, in any shape of
 * `formats/`) into validated rows. Shared by the ingest worker and the Node CLI. Malformed
 * rows are reported and skipped; anything that makes the whole file unusable throws a
 * DatasetError.
 */
export async function parseDataset(
  chunks: AsyncIterable<Uint8Array>,
  opts: ParseOptions,
  onBatch: BatchSink,
): Promise<ParseSummary> {
  return parseDatasetFiles([{ name: opts.name, chunks }], opts, onBatch);
}

/**
 * Several files of one shape, read in the given order into one split: rows are numbered on
 * across files, the hash covers every file's bytes in order.
 */
export async function parseDatasetFiles(
  files: readonly ParseFile[],
  opts: ParseOptions,
  onBatch: BatchSink,
): Promise<ParseSummary> {
  const chunkRows = opts.chunkRows ?? 1000;
  const maxProblems = opts.maxProblems ?? 1000;
  const stats = emptyStats();
  const hashParts: Uint8Array[] = [];
  const problems: RowProblem[] = [];
  let problemCount = 0;
  let bytes = 0;
  let firstFormat: DatasetFormat | null = null;
  let adapter: FormatAdapter | null = null;
  let firstColumns: string[] | null = null;
  const annotationColumns: string[] = [];
  let dataRows = 0;
  let nextRow = 0;
  let batch: DatasetRow[] = [];
  let batchChunk = 0;
  const ready: DatasetRow[][] = [];
  let pending: Promise<void> | null = null;

  const report = (p: RowProblem) => {
    problemCount++;
    if (problems.length < maxProblems) problems.push(p);
  };
  const accept = (r: DatasetRow | RowProblem) => {
    dataRows++;
    if (isProblem(r)) return report(r);
    addToStats(stats, r);
    const chunk = Math.floor(r.row / chunkRows);
    if (chunk !== batchChunk && batch.length > 0) ready.push(batch.splice(0));
    batchChunk = chunk;
    batch.push(r);
  };
  /** A record no reader could take: it still takes one row number. */
  const reject = (message: string) => accept({ row: nextRow++, message });
  // One batch is written while the next is parsed; never more, to bound memory.
  const flush = async (all: boolean) => {
    if (all && batch.length > 0) ready.push(batch.splice(0));
    for (let out = ready.shift(); out; out = ready.shift()) {
      const rows = out;
      if (pending) await pending;
      pending = Promise.resolve().then(() => onBatch(rows));
      pending.catch(() => {}); // surfaced by the next await, not as an unhandled rejection
    }
    if (all && pending) await pending;
  };

  for (const file of files) {
    const name = file.name ?? opts.name;
    const decoder = new Utf8StreamDecoder();
    let format: DatasetFormat | null = null;
    let reader: FormatReader | null = null;
    let header: string[] | null = null;
    const csv = new CsvStreamParser((records) => records.forEach(handleCsvRecord));
    let jsonText = '';
    let jsonlTail = '';
    let fileBytes = 0;

    const openReader = (keys: string[]): FormatReader => {
      const found = detectFormat(keys, opts.shape ?? adapter?.id);
      if (!opts.shape && adapter && !adapter.matches(keys)) {
        const other = FORMAT_ADAPTERS.find((a) => a.matches(keys));
        throw notDataset(
          msg('dsMixedFormats', {
            name: name ?? '?',
            found: other?.label ?? keys.join(', '),
            expected: adapter.label,
          }),
        );
      }
      adapter = found;
      const opened = found.open(keys, { name, answerKey: opts.answerKey });
      firstColumns ??= opened.columns;
      return opened;
    };
    const take = (record: Record<string, unknown>) => {
      const items = reader!.read(record, nextRow);
      if (items.length === 0) nextRow++;
      for (const item of items) {
        accept(item);
        nextRow = Math.max(nextRow, item.row + 1);
      }
    };

    function handleCsvRecord(rec: CsvRecord): void {
      if (rec.index === 0) {
        header = uniqueHeader(rec.fields);
        reader = openReader(header);
        return;
      }
      if (rec.error) return reject(rec.error);
      const width = header!.length;
      if (rec.fields.length !== width) {
        const extraEmpty =
          rec.fields.length > width && rec.fields.slice(width).every((f) => f.trim() === '');
        if (!extraEmpty) return reject(`has ${rec.fields.length} fields, the header has ${width}`);
      }
      const record: Record<string, unknown> = {};
      header!.forEach((h, i) => (record[h] = rec.fields[i] ?? ''));
      take(record);
    }

    function handleObject(value: unknown): void {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        return reject('is not a JSON object');
      }
      const obj = value as Record<string, unknown>;
      reader ??= openReader(Object.keys(obj));
      take(obj);
    }

    function handleJsonlText(text: string, final: boolean): void {
      const all = jsonlTail + text;
      const lines = all.split('\n');
      jsonlTail = final ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        const trimmed = line.trim();
        if (trimmed === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(trimmed);
        } catch {
          reject('is not valid JSON');
          continue;
        }
        handleObject(value);
      }
    }

    function parseJsonArray(text: string): void {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw notDataset(msg('dsBadJson', { detail: (e as Error).message }));
      }
      const list = Array.isArray(value) ? value : arrayInside(value);
      if (!list) throw notDataset(msg('dsJsonNotList'));
      list.forEach((item) => handleObject(item));
    }

    const feed = (text: string, final = false): void => {
      if (format === 'csv') {
        if (text) csv.push(text);
        if (final) csv.end();
      } else if (format === 'jsonl') handleJsonlText(text, final);
      else {
        jsonText += text;
        if (final) parseJsonArray(jsonText);
      }
    };

    for await (const chunk of file.chunks) {
      if (opts.signal?.aborted) throw cancelled();
      if (fileBytes === 0 && chunk.byteLength > 0) {
        const binary = sniffBinary(chunk);
        if (binary) throw notDataset(msg('dsBinary', { kind: binary }));
      }
      fileBytes += chunk.byteLength;
      bytes += chunk.byteLength;
      hashParts.push(chunk);
      opts.onBytes?.(bytes);
      const text = decoder.decode(chunk);
      if (format === null) {
        if (text.trim() === '') {
          jsonText += text; // still deciding: keep the whitespace for the JSON case
          continue;
        }
        format = opts.format ?? guessFormat(jsonText + text, name);
        const head = (jsonText + text).trimStart();
        jsonText = '';
        if (/^<(!doctype|html|\?xml|head|body|!--)/i.test(head)) {
          throw notDataset(msg('dsHtmlPage'));
        }
        feed(head);
      } else feed(text);
      await flush(false);
    }
    if (opts.signal?.aborted) throw cancelled();
    const rest = decoder.end();
    if (format === null) throw new DatasetError('empty', msg('dsEmpty'));
    firstFormat ??= format;
    feed(rest, true);
    await flush(false);
    if (!reader) throw new DatasetError('empty', msg('dsNoHeader'));
    for (const a of (reader as FormatReader).annotationColumns()) {
      if (!annotationColumns.includes(a)) annotationColumns.push(a);
    }
  }
  await flush(true);

  if (!adapter || !firstColumns || !firstFormat) throw new DatasetError('empty', msg('dsNoHeader'));
  if (dataRows === 0) throw new DatasetError('empty', msg('dsNoRows'));
  if (stats.rows === 0) {
    throw new DatasetError(
      'no-valid-rows',
      msg('dsNoValidRows', {
        n: dataRows,
        row: problems[0]?.row ?? '?',
        problem: problems[0]?.message ?? '',
      }),
    );
  }
  const shape = adapter as FormatAdapter;
  return {
    format: firstFormat,
    shape: shape.id,
    kind: shape.kind,
    columns: firstColumns,
    annotationColumns,
    dataRows,
    rows: stats.rows,
    problems,
    problemCount,
    bytes,
    sha256: await sha256Hex(opts.answerKeyBytes ? [...hashParts, opts.answerKeyBytes] : hashParts),
    stats,
  };
}

/** Header names trimmed (BOM dropped); a repeated name gets ` (2)`, ` (3)` so no field is lost. */
function uniqueHeader(fields: string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((f) => {
    const name = f.replace(/^\uFEFF/, '').trim();
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
}

/** Hugging Face exports sometimes wrap the rows: `{"data": [...]}` or `{"rows": [{"row": …}]}`. */
function arrayInside(value: unknown): unknown[] | null {
  if (!value || typeof value !== 'object') return null;
  for (const key of ['data', 'rows', 'train', 'validation', 'test']) {
    const inner = (value as Record<string, unknown>)[key];
    if (Array.isArray(inner)) {
      return inner.map((x) =>
        x && typeof x === 'object' && 'row' in x ? (x as { row: unknown }).row : x,
      );
    }
  }
  return null;
}

function guessFormat(head: string, name?: string): DatasetFormat {
  const first = head.trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') {
    const firstLine = head.trimStart().split('\n', 1)[0].trim();
    try {
      JSON.parse(firstLine);
      return 'jsonl';
    } catch {
      return /\.jsonl$|\.ndjson$/i.test(name ?? '') ? 'jsonl' : 'json';
    }
  }
  return 'csv';
}

function notDataset(message: Message): DatasetError {
  return new DatasetError('not-dataset', message);
}

function cancelled(): DatasetError {
  return new DatasetError('cancelled', msg('dsCancelledNothingKept'));
}
