// Exposes window.openScoringBench.run(options) for scripts/bench/open-scoring.mjs; the work is in
// a module worker, as the app's report worker scores.
import type { OpenBenchOptions, OpenBenchResult } from './open-scoring.worker';

declare global {
  interface Window {
    openScoringBench: { run(options: OpenBenchOptions): Promise<OpenBenchResult> };
  }
}

window.openScoringBench = {
  run: (options) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./open-scoring.worker.ts', import.meta.url), {
        type: 'module',
        name: 'bench-open-scoring',
      });
      worker.onmessage = ({ data }: MessageEvent) => {
        worker.terminate();
        if (data.ok) resolve(data.result as OpenBenchResult);
        else reject(new Error(String(data.error)));
      };
      worker.onerror = (e) => {
        worker.terminate();
        reject(new Error(`open scoring bench worker failed: ${e.message}`));
      };
      worker.postMessage(options);
    }),
};
