import { CsvStreamParser, type CsvRecord } from './csv-stream';
import { Utf8StreamDecoder, sniffBinary } from './decode';
import { DatasetError } from './errors';
import { msg, type Message } from '../i18n/translate';
import { isProblem, mapColumns, toDatasetRow, EXPLANATION_COLUMN, type ColumnMap } from './schema';
import { addToStats, emptyStats } from './stats';
import type { DatasetFormat, DatasetRow, DatasetStats, RowProblem } from './types';
import { sha256Hex } from '../hash';

export interface ParseOptions {
  /** Forces a format; otherwise it is read from the content, then the name. */
  format?: DatasetFormat;
  /** File name or URL, used to guess the format. */
  name?: string;
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
  columns: string[];
  annotationColumns: string[];
  /** Data records seen, valid or not. */
  dataRows: number;
  /** Valid rows handed to `onBatch`. */
  rows: number;
  problems: RowProblem[];
  problemCount: number;
  bytes: number;
  sha256: string;
  stats: DatasetStats;
}

type BatchSink = (rows: DatasetRow[]) => Promise<void> | void;

/**
 * Parse a dataset file streamed as bytes (CSV, JSON array or JSONL, CMExam's shape) into
 * validated rows. Shared by the ingest worker and the Node CLI. Malformed rows are reported
 * and skipped; anything that makes the whole file unusable throws a DatasetError.
 */
export async function parseDataset(
  chunks: AsyncIterable<Uint8Array>,
  opts: ParseOptions,
  onBatch: BatchSink,
): Promise<ParseSummary> {
  const chunkRows = opts.chunkRows ?? 1000;
  const maxProblems = opts.maxProblems ?? 1000;
  const decoder = new Utf8StreamDecoder();
  const stats = emptyStats();
  const hashParts: Uint8Array[] = [];
  const problems: RowProblem[] = [];
  let problemCount = 0;
  let bytes = 0;
  let format: DatasetFormat | null = null;
  let columns: ColumnMap | null = null;
  let dataRows = 0;
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

  const csv = new CsvStreamParser((records) => records.forEach(handleCsvRecord));
  let jsonText = '';
  let jsonlTail = '';
  let jsonlLine = 0;

  function handleCsvRecord(rec: CsvRecord): void {
    if (rec.index === 0) {
      columns = mapColumns(rec.fields);
      return;
    }
    const row = rec.index - 1;
    const map = columns!;
    if (rec.error) return accept({ row, message: rec.error });
    const width = map.columns.length;
    if (rec.fields.length !== width) {
      const extraEmpty =
        rec.fields.length > width && rec.fields.slice(width).every((f) => f.trim() === '');
      if (!extraEmpty) {
        return accept({ row, message: `has ${rec.fields.length} fields, the header has ${width}` });
      }
    }
    accept(toDatasetRow(row, fieldsFromRecord(map, rec.fields)));
  }

  function handleObject(row: number, value: unknown): void {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return accept({ row, message: 'is not a JSON object' });
    }
    const obj = value as Record<string, unknown>;
    if (!columns) columns = mapColumns(Object.keys(obj));
    accept(toDatasetRow(row, fieldsFromObject(columns, obj)));
  }

  function handleJsonlText(text: string, final: boolean): void {
    const all = jsonlTail + text;
    const lines = all.split('\n');
    jsonlTail = final ? '' : (lines.pop() ?? '');
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed === '') continue;
      const row = jsonlLine++;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch {
        accept({ row, message: 'is not valid JSON' });
        continue;
      }
      handleObject(row, value);
    }
  }

  for await (const chunk of chunks) {
    if (opts.signal?.aborted) throw cancelled();
    if (bytes === 0 && chunk.byteLength > 0) {
      const binary = sniffBinary(chunk);
      if (binary) throw notDataset(msg('dsBinary', { kind: binary }));
    }
    bytes += chunk.byteLength;
    hashParts.push(chunk);
    opts.onBytes?.(bytes);
    const text = decoder.decode(chunk);
    if (format === null) {
      if (text.trim() === '') {
        jsonText += text; // still deciding: keep the whitespace for the JSON case
        continue;
      }
      format = opts.format ?? guessFormat(jsonText + text, opts.name);
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
  feed(rest, true);
  await flush(true);

  if (!columns) throw new DatasetError('empty', msg('dsNoHeader'));
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
  const map: ColumnMap = columns;
  return {
    format,
    columns: map.columns,
    annotationColumns: map.annotations.map((a) => a.name),
    dataRows,
    rows: stats.rows,
    problems,
    problemCount,
    bytes,
    sha256: await sha256Hex(hashParts),
    stats,
  };

  function feed(text: string, final = false): void {
    if (format === 'csv') {
      if (text) csv.push(text);
      if (final) csv.end();
    } else if (format === 'jsonl') handleJsonlText(text, final);
    else {
      jsonText += text;
      if (final) parseJsonArray(jsonText);
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
    list.forEach((item, i) => handleObject(i, item));
  }
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

function fieldsFromRecord(map: ColumnMap, rec: string[]) {
  const at = (name: string) => (map.index[name] === undefined ? '' : rec[map.index[name]]);
  return {
    question: at('Question'),
    options: at('Options'),
    answer: at('Answer'),
    explanation: at(EXPLANATION_COLUMN),
    annotations: map.annotations.map((a): [string, unknown] => [a.name, rec[a.index] ?? '']),
  };
}

function fieldsFromObject(map: ColumnMap, obj: Record<string, unknown>) {
  const keys = Object.keys(obj);
  const byName = (name: string) => {
    const key = keys.find((k) => k.trim().toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : obj[key];
  };
  return {
    question: byName('Question'),
    options: byName('Options'),
    answer: byName('Answer'),
    explanation: byName(EXPLANATION_COLUMN),
    annotations: map.annotations.map((a): [string, unknown] => [a.name, byName(a.name) ?? '']),
  };
}

function notDataset(message: Message): DatasetError {
  return new DatasetError('not-dataset', message);
}

function cancelled(): DatasetError {
  return new DatasetError('cancelled', msg('dsCancelledNothingKept'));
}
