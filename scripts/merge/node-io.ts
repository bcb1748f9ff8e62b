// Node files as merge sources and sinks: read by range with fs positional reads; written to
// `<out>.partial` and renamed when complete, so a failed merge leaves no half-written model.

import { open, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ByteSource } from '../../src/lib/merge/source';
import type { ByteSink } from '../../src/lib/merge/gguf-writer';

export async function nodeFileSource(
  path: string,
): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    name: basename(path),
    size: () => Promise.resolve(size),
    async read(start, end) {
      const length = Math.max(0, Math.min(end, size) - start);
      const buffer = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buffer.subarray(0, done);
    },
    close: () => handle.close(),
  };
}

export async function nodeFileSink(path: string): Promise<ByteSink> {
  const partial = `${path}.partial`;
  const handle = await open(partial, 'w');
  let closed = false;
  return {
    async write(bytes) {
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done);
        done += bytesWritten;
      }
    },
    async close() {
      await handle.close();
      closed = true;
      await rename(partial, path);
    },
    async abort() {
      if (!closed) await handle.close().catch(() => undefined);
      await rm(partial, { force: true });
    },
  };
}
