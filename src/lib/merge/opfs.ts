// Merged models' files in the origin private file system (OPFS): written by the merge worker
// through a synchronous access handle (workers only, and the fastest way to write there), read
// back as a File for wllama. A file no record names is a merge that did not finish; it is
// removed before the next merge starts (merges hold one Web Lock, so none is being written).

import type { ByteSink } from './gguf-writer';

export const MERGED_MODELS_DIR = 'merged-models';

/** The part of FileSystemSyncAccessHandle used here (typed locally: not in every lib). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options?: { at?: number }): number;
  flush(): void;
  close(): void;
}

export async function mergedModelsDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(MERGED_MODELS_DIR, { create: true });
}

/** A sink that writes `name` in OPFS; `abort` removes the file. */
export async function opfsSink(dir: FileSystemDirectoryHandle, name: string): Promise<ByteSink> {
  const file = await dir.getFileHandle(name, { create: true });
  const open = (file as unknown as { createSyncAccessHandle?: () => Promise<SyncAccessHandle> })
    .createSyncAccessHandle;
  if (!open) throw new Error('this browser cannot write files in its private file system here');
  const handle = await open.call(file);
  let at = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    handle.close();
  };
  return {
    write(bytes) {
      let done = 0;
      while (done < bytes.byteLength) {
        const n = handle.write(bytes.subarray(done), { at: at + done });
        if (n <= 0) throw new Error(`${name}: the private file system accepted no more bytes`);
        done += n;
      }
      at += done;
      return Promise.resolve();
    },
    close() {
      handle.flush();
      close();
      return Promise.resolve();
    },
    async abort() {
      close();
      await dir.removeEntry(name).catch(() => undefined);
    },
  };
}

export async function openMergedFile(fileName: string): Promise<File> {
  const dir = await mergedModelsDir();
  return (await dir.getFileHandle(fileName)).getFile();
}

export async function removeMergedFile(fileName: string): Promise<void> {
  const dir = await mergedModelsDir();
  await dir.removeEntry(fileName).catch((err: unknown) => {
    if ((err as { name?: string }).name !== 'NotFoundError') throw err;
  });
}

/** Removes every file in the folder that is not in `keep`. */
export async function removeUnlistedFiles(keep: ReadonlySet<string>): Promise<string[]> {
  const dir = await mergedModelsDir();
  const removed: string[] = [];
  const names: string[] = [];
  for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) {
    names.push(name);
  }
  for (const name of names) {
    if (keep.has(name)) continue;
    await dir.removeEntry(name).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}
