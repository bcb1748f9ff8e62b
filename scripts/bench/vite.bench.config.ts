// Builds the bare-Dexie bench page (scripts/bench/page) for `npm run bench`; not part of the app.
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
  },
});
