import type { SplitRecord } from '../db/database';
import { DatasetError, errorInfo, toErrorInfo, type DatasetErrorInfo } from './errors';
import { msg } from '../i18n/translate';
import { parseDatasetFiles, type ParseFile } from './parse';
import { HEAD_BYTES, planFiles } from './file-set';
import { readAnswerKey } from './formats/cmb';
import type { AnswerKey } from './formats';
import { importLockName, splitLockName, type SplitStore } from './store';
import type { BenchmarkFormat, DatasetFormat } from './types';
import { splitIdFor } from './ids';

/** Data rows per stored record: large enough to make writes cheap, small enough to read one. */
export const CHUNK_ROWS = 1000;

export type ImportSource =
  /** `answerKeyUrl`: CMB's test answers, downloaded too and applied by item id. */
  | { kind: 'url'; url: string; answerKeyUrl?: string }
  | { kind: 'file'; file: Blob; name: string }
  /** Files chosen together: one split (CMMLU's subjects; CMB's questions and answer key). */
  | { kind: 'files'; files: { file: Blob; name: string }[] };

/** How a source is named in the split record and messages. */
export function sourceNameOf(source: ImportSource): string {
  if (source.kind === 'url') return source.url;
  if (source.kind === 'file') return source.name;
  return source.files.map((f) => f.name).join(', ');
}

export interface ImportRequest {
  /** Chosen by the caller so that it can cancel before the import settles. */
  importId: string;
  dataset: string;
  split: string;
  source: ImportSource;
  format?: DatasetFormat;
  /** Forces a file shape (CMExam, CMB, …) instead of detecting it. */
  shape?: BenchmarkFormat;
  /** Keep a complete split that is already stored instead of importing again. */
  onlyIfMissing?: boolean;
}

export interface ImportProgress {
  importId: string;
  splitId: string;
  phase: 'waiting' | 'connecting' | 'reading' | 'saving';
  bytes: number;
  /** From Content-Length or the file size; null when the server does not say. */
  totalBytes: number | null;
  rows: number;
  elapsedMs: number;
}

export type ImportOutcome =
  | { ok: true; split: SplitRecord; reused: boolean }
  | { ok: false; splitId: string; error: DatasetErrorInfo };

/**
 * Download (or read) a file, parse it as a stream and store its rows in chunks; the split
 * becomes visible only when every row is stored. Runs in the dataset worker.
 */
export class Ingestor {
  private readonly controllers = new Map<string, AbortController>();

  constructor(
    private readonly store: SplitStore,
    private readonly fetchImpl: typeof fetch = fetch.bind(globalThis),
  ) {}

  cancel(importId: string): void {
    this.controllers.get(importId)?.abort();
  }

  async run(req: ImportRequest, onProgress: (p: ImportProgress) => void): Promise<ImportOutcome> {
    const splitId = splitIdFor(req.dataset, req.split);
    const controller = new AbortController();
    this.controllers.set(req.importId, controller);
    const started = performance.now();
    const progress: ImportProgress = {
      importId: req.importId,
      splitId,
      phase: 'waiting',
      bytes: 0,
      totalBytes:
        req.source.kind === 'file'
          ? req.source.file.size
          : req.source.kind === 'files'
            ? req.source.files.reduce((n, f) => n + f.file.size, 0)
            : null,
      rows: 0,
      elapsedMs: 0,
    };
    let lastSent = 0;
    const send = (force = false) => {
      const now = performance.now();
      if (!force && now - lastSent < 100) return;
      lastSent = now;
      progress.elapsedMs = now - started;
      onProgress({ ...progress });
    };
    send(true);
    try {
      // Another tab importing the same split finishes first; then its copy may be reused.
      return await navigator.locks.request(
        splitLockName(splitId),
        { signal: controller.signal },
        async () => {
          const existing = await this.store.getSplit(splitId);
          // A split stored without the answer key a link now names is imported again.
          const wantedKey = req.source.kind === 'url' ? (req.source.answerKeyUrl ?? null) : null;
          if (req.onlyIfMissing && existing && (existing.answerKeyUrl ?? null) === wantedKey)
            return { ok: true, split: existing, reused: true };
          return navigator.locks.request(importLockName(req.importId), () =>
            this.importLocked(req, splitId, controller.signal, progress, send),
          );
        },
      );
    } catch (err) {
      // After a cancel, whatever the stream or a lock threw is just the cancel's echo.
      const error: DatasetErrorInfo = controller.signal.aborted
        ? errorInfo('cancelled', msg('dsCancelledNothingKept'))
        : toErrorInfo(err);
      return { ok: false, splitId, error };
    } finally {
      this.controllers.delete(req.importId);
    }
  }

  private async importLocked(
    req: ImportRequest,
    splitId: string,
    signal: AbortSignal,
    progress: ImportProgress,
    send: (force?: boolean) => void,
  ): Promise<ImportOutcome> {
    const sourceName = sourceNameOf(req.source);
    await this.store.beginImport(req.importId, splitId, sourceName);
    try {
      progress.phase = 'connecting';
      send(true);
      const { files, answerKey, answerKeyBytes } = await this.openAll(req.source, signal, progress);
      progress.phase = 'reading';
      let chunksWritten = 0;
      const summary = await parseDatasetFiles(
        files,
        {
          format: req.format,
          shape: req.shape,
          answerKey,
          answerKeyBytes,
          name: files[0]?.name ?? sourceName,
          signal,
          chunkRows: CHUNK_ROWS,
          onBytes: (bytes) => {
            progress.bytes = bytes;
            send();
          },
        },
        async (rows) => {
          if (signal.aborted) throw new DatasetError('cancelled', msg('dsCancelled'));
          await this.store.writeChunk(req.importId, CHUNK_ROWS, rows);
          chunksWritten++;
          progress.rows += rows.length;
          send();
        },
      );
      progress.phase = 'saving';
      send(true);
      const record: SplitRecord = {
        id: splitId,
        dataset: req.dataset,
        split: req.split,
        importId: req.importId,
        format: summary.format,
        shape: summary.shape,
        kind: summary.kind,
        rows: summary.rows,
        dataRows: summary.dataRows,
        bytes: summary.bytes,
        sha256: summary.sha256,
        sourceUrl: req.source.kind === 'url' ? req.source.url : null,
        ...(req.source.kind === 'url' && req.source.answerKeyUrl
          ? { answerKeyUrl: req.source.answerKeyUrl }
          : {}),
        sourceName,
        importedAt: new Date().toISOString(),
        columns: summary.columns,
        annotationColumns: summary.annotationColumns,
        problems: summary.problems,
        problemCount: summary.problemCount,
        stats: summary.stats,
        chunkRows: CHUNK_ROWS,
      };
      // Verify before publishing: every chunk written must be there, and hold every row parsed.
      const stored = await this.store.countChunks(req.importId);
      if (stored !== chunksWritten || progress.rows !== summary.rows) {
        throw new DatasetError(
          'storage',
          msg('dsVerify', {
            stored,
            storedRows: progress.rows,
            chunks: chunksWritten,
            rows: summary.rows,
          }),
        );
      }
      if (signal.aborted) throw new DatasetError('cancelled', msg('dsCancelled'));
      await this.store.completeImport(record);
      send(true);
      return { ok: true, split: record, reused: false };
    } catch (err) {
      // Cleanup must not hide the reason; leftovers are collected at the next start.
      await this.store.abandonImport(req.importId).catch(() => {});
      throw err;
    }
  }

  /** The files to parse, in order, and the answer key given beside them (read whole, small). */
  private async openAll(
    source: ImportSource,
    signal: AbortSignal,
    progress: ImportProgress,
  ): Promise<{ files: ParseFile[]; answerKey?: AnswerKey; answerKeyBytes?: Uint8Array }> {
    if (source.kind === 'url' && source.answerKeyUrl) {
      const keyUrl = source.answerKeyUrl;
      const parts: Uint8Array[] = [];
      const keyProgress = { ...progress };
      for await (const chunk of await this.open({ kind: 'url', url: keyUrl }, signal, keyProgress))
        parts.push(chunk);
      const answerKeyBytes = concatBytes(parts);
      const answerKey = readAnswerKey(new TextDecoder().decode(answerKeyBytes), keyUrl);
      return {
        answerKey,
        answerKeyBytes,
        files: [{ name: source.url, chunks: await this.open(source, signal, progress) }],
      };
    }
    if (source.kind !== 'files') {
      const name = source.kind === 'url' ? source.url : source.name;
      return { files: [{ name, chunks: await this.open(source, signal, progress) }] };
    }
    const heads = await Promise.all(
      source.files.map(async (f) => ({
        name: f.name,
        head: new TextDecoder().decode(await f.file.slice(0, HEAD_BYTES).arrayBuffer()),
      })),
    );
    const plan = planFiles(heads);
    const keyFile = plan.answerKey === null ? null : source.files[plan.answerKey];
    const answerKeyBytes = keyFile ? new Uint8Array(await keyFile.file.arrayBuffer()) : undefined;
    const answerKey =
      keyFile && answerKeyBytes
        ? readAnswerKey(new TextDecoder().decode(answerKeyBytes), keyFile.name)
        : undefined;
    return {
      answerKey,
      answerKeyBytes,
      files: plan.questions.map((i) => ({
        name: source.files[i].name,
        chunks: readStream(source.files[i].file.stream(), signal),
      })),
    };
  }

  private async open(
    source: Exclude<ImportSource, { kind: 'files' }>,
    signal: AbortSignal,
    progress: ImportProgress,
  ): Promise<AsyncIterable<Uint8Array>> {
    if (source.kind === 'file') return readStream(source.file.stream(), signal);
    let url: URL;
    try {
      url = new URL(source.url);
    } catch {
      throw new DatasetError('network', msg('dsBadUrl', { url: source.url }));
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new DatasetError('network', msg('dsProtocol', { protocol: url.protocol }));
    }
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      throw new DatasetError('offline', msg('dsOffline', { host: url.host }));
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url.href, { signal });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new DatasetError(
        navigator.onLine === false ? 'offline' : 'network',
        msg('dsNetwork', { url: url.href }),
      );
    }
    if (!response.ok) {
      const hint =
        response.status === 404
          ? msg('dsHint404')
          : response.status === 403 || response.status === 429
            ? msg('dsHintRefused')
            : '';
      throw new DatasetError(
        'http',
        msg('dsHttp', {
          status: `${response.status}${response.statusText ? ' ' + response.statusText : ''}`,
          url: url.href,
          hint,
        }),
      );
    }
    const length = Number(response.headers.get('content-length'));
    const encoded = response.headers.get('content-encoding');
    // A compressed Content-Length does not count the bytes we read.
    progress.totalBytes = length > 0 && !encoded ? length : null;
    if (!response.body) throw new DatasetError('network', msg('dsNoBody', { url: url.href }));
    return readStream(response.body, signal);
  }
}

async function* readStream(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  const abort = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', abort);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (signal.aborted) throw new DatasetError('cancelled', msg('dsCancelled'));
      yield value;
    }
  } finally {
    signal.removeEventListener('abort', abort);
    reader.releaseLock();
  }
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
