// Exposes window.scoringBench.run(options) for scripts/bench/scoring.mjs. The work is in a module
// worker, as the app's scoring is (the report worker): scoring never runs on the page.
import type { ScoringBenchOptions, ScoringBenchResult } from './scoring.worker';

declare global {
  interface Window {
    scoringBench: { run(options: ScoringBenchOptions): Promise<ScoringBenchResult> };
  }
}

window.scoringBench = {
  run: (options) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./scoring.worker.ts', import.meta.url), {
        type: 'module',
        name: 'bench-scoring',
      });
      worker.onmessage = ({ data }: MessageEvent) => {
        worker.terminate();
        if (data.ok) resolve(data.result as ScoringBenchResult);
        else reject(new Error(String(data.error)));
      };
      worker.onerror = (e) => {
        worker.terminate();
        reject(new Error(`scoring bench worker failed: ${e.message}`));
      };
      worker.postMessage(options);
    }),
};
