// Merge bench page: hands the picked GGUF files to a worker that merges them as the app's merge
// worker does (files read in place by range, one tensor at a time, written to OPFS).
import type { MergeBenchRequest, MergeBenchResult } from './merge.worker';

declare global {
  interface Window {
    mergeBench: {
      run(o: Omit<MergeBenchRequest, 'files'>): Promise<MergeBenchResult>;
      copyBandwidth(mb: number): Promise<number>;
    };
  }
}

const input = document.getElementById('files') as HTMLInputElement;
const worker = new Worker(new URL('./merge.worker.ts', import.meta.url), { type: 'module' });

function call<T>(message: object): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ ok: boolean; value: T; error?: string }>) =>
      e.data.ok ? resolve(e.data.value) : reject(new Error(e.data.error));
    worker.postMessage(message);
  });
}

window.mergeBench = {
  run: (o) => call({ kind: 'merge', ...o, files: [...(input.files ?? [])] }),
  copyBandwidth: (mb) => call({ kind: 'copy', mb }),
};
