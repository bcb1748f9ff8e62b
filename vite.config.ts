import { createHash } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { serviceWorkerSource } from './src/lib/offline/service-worker';

// Cross-origin isolation (SharedArrayBuffer) lets the inference engines use threads.
// Static hosts must send the same two headers: see README.md.
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Emits sw.js listing every built file, so the app opens offline after one visit. */
function offlineServiceWorker(): Plugin {
  return {
    name: 'cmexam-offline-sw',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((f) => !f.endsWith('.map'))
        .concat(['favicon.svg'])
        .sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: serviceWorkerSource(files, version),
      });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), offlineServiceWorker()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
});
