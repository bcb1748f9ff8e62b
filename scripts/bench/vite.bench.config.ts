// Builds the bench pages (scripts/bench/page) for `npm run bench`; not part of the app:
// index.html is the bare-Dexie baseline, engine.html drives the app's engine host in a worker,
// harness.html makes bare engine calls in a loop (the run harness's baseline), scoring.html times
// the scoring core in a worker, merge.html merges picked GGUF files in a worker as the app does.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./page'),
  // Served under /bench-page/ by the bench server, so every URL stays relative.
  base: './',
  publicDir: false,
  logLevel: 'warn',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: here('../../.cache/bench/page-dist'),
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        index: here('./page/index.html'),
        engine: here('./page/engine.html'),
        harness: here('./page/harness.html'),
        scoring: here('./page/scoring.html'),
        'open-scoring': here('./page/open-scoring.html'),
        merge: here('./page/merge.html'),
      },
    },
  },
});
