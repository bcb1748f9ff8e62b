// The merge as the app runs it, timed: blobSource over the picked files, mergeModels, an OPFS
// sink through a synchronous access handle (the file is removed afterwards).
import { readGgufModel } from '../../../src/lib/merge/gguf-model';
import { mergeModels } from '../../../src/lib/merge/merge';
import type { MergeMethodName } from '../../../src/lib/merge/methods/types';
import { opfsSink } from '../../../src/lib/merge/opfs';
import { blobSource } from '../../../src/lib/merge/source';

export interface MergeBenchRequest {
  files: File[];
  method: MergeMethodName;
  density: number;
}

export interface MergeBenchResult {
  seconds: number;
  inputBytes: number;
  outputBytes: number;
  peakTensorBytes: number;
}

async function merge(o: MergeBenchRequest): Promise<MergeBenchResult> {
  const [baseFile, ...rest] = o.files;
  const base = await readGgufModel(blobSource(baseFile, baseFile.name));
  const models = await Promise.all(rest.map((f) => readGgufModel(blobSource(f, f.name))));
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle('bench', { create: true });
  const t = performance.now();
  const summary = await mergeModels({
    base,
    models,
    recipe: {
      method: o.method,
      base: baseFile.name,
      models: rest.map((f) => ({ source: f.name, weight: 1, density: o.density })),
      lambda: 1,
      t: 0.5,
      seed: 0,
      outType: 'q8_0',
    },
    sink: await opfsSink(dir, 'out.gguf'),
  });
  const seconds = (performance.now() - t) / 1000;
  await dir.removeEntry('out.gguf');
  return {
    seconds,
    inputBytes: o.files.reduce((n, f) => n + f.size, 0),
    outputBytes: summary.bytes,
    peakTensorBytes: summary.peakTensorBytes,
  };
}

/** Plain memory copy in this worker: the best of 5 copies of `mb` MB, MB/s. */
function copyBandwidth(mb: number): number {
  const src = new Uint8Array(mb * 1e6).fill(1);
  const dst = new Uint8Array(src.length);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    dst.set(src);
    best = Math.min(best, performance.now() - t);
  }
  return mb / (best / 1000);
}

self.onmessage = async (
  e: MessageEvent<({ kind: 'merge' } & MergeBenchRequest) | { kind: 'copy'; mb: number }>,
) => {
  try {
    const value = e.data.kind === 'merge' ? await merge(e.data) : copyBandwidth(e.data.mb);
    self.postMessage({ ok: true, value });
  } catch (err) {
    self.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
