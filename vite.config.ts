import { createHash } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { serviceWorkerSource } from './src/lib/offline/service-worker';
import { buildTinyModel, DEFAULT_TINY_MODEL_OPTIONS } from './scripts/tiny-model/model';
import { DEMO_MODEL_PATH } from './src/lib/engines/demo-model';

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
      // Large engine files are cached when first used instead (see the worker's fetch handler).
      const size = (f: string) => {
        const item = bundle[f];
        return item.type === 'chunk' ? item.code.length : item.source.length;
      };
      const files = Object.keys(bundle)
        .filter((f) => !f.endsWith('.map') && size(f) <= 1_000_000)
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

/**
 * The "Demo: tiny random model" is generated, never committed: emitted into the build and
 * served by the dev server at the same path.
 */
function demoModel(): Plugin {
  let bytes: Uint8Array | null = null;
  const model = () => (bytes ??= buildTinyModel({ ...DEFAULT_TINY_MODEL_OPTIONS }).bytes);
  return {
    name: 'cmexam-demo-model',
    configureServer(server) {
      server.middlewares.use('/' + DEMO_MODEL_PATH, (_req, res) => {
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(Buffer.from(model()));
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: DEMO_MODEL_PATH, source: model() });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), demoModel(), offlineServiceWorker()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
});
