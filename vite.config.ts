import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { buildTinyModel, DEFAULT_TINY_MODEL_OPTIONS } from './scripts/tiny-model/model';
import { APP_ICONS, drawIcon, ICON_GREEN } from './scripts/icons/draw';
import { DEMO_MODEL_PATH } from './src/lib/engines/demo-model';
import { ISOLATION_HEADERS } from './src/lib/offline/isolation';

// Cross-origin isolation (SharedArrayBuffer) lets the inference engines use threads. The dev and
// preview servers send the headers; on hosts that cannot, the service worker adds them.
export const isolationHeaders = { ...ISOLATION_HEADERS };

/** Files the service worker precaches; larger engine files are cached on first use instead. */
const PRECACHE_MAX_BYTES = 1_000_000;

/** The install icons, drawn at build time (see scripts/icons/draw.ts). */
function appIcons(): Plugin {
  return {
    name: 'cmexam-app-icons',
    apply: 'build',
    generateBundle() {
      for (const icon of APP_ICONS) {
        this.emitFile({ type: 'asset', fileName: icon.fileName, source: drawIcon(icon) });
      }
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

/**
 * The web-llm e2e test builds the app with another web-llm release (an aliased dev dependency,
 * e.g. `web-llm-0279`, the last that loads the old-FFI model library it runs) into its own folder.
 * The shipped build always uses the version in package.json.
 */
const webLlmRuntime = process.env.CMEXAM_WEBLLM_RUNTIME;

export default defineConfig({
  // Relative: the built dist/ works unchanged from any path (/, /cmexam/, /a/b/).
  base: './',
  resolve: { alias: webLlmRuntime ? { '@mlc-ai/web-llm': webLlmRuntime } : {} },
  plugins: [
    svelte(),
    demoModel(),
    appIcons(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'workers',
      filename: 'sw.ts',
      // src/lib/offline/register.ts registers it and offers updates.
      injectRegister: false,
      registerType: 'prompt',
      manifest: {
        id: './',
        name: 'CMExam in the browser',
        short_name: 'CMExam',
        description:
          'Medical LLM evaluation on CMExam that stays on your device: data, models and scores never leave the browser.',
        lang: 'en',
        start_url: './',
        scope: './',
        display: 'standalone',
        theme_color: ICON_GREEN,
        background_color: '#f6f7f5',
        icons: APP_ICONS.map((icon) => ({
          src: icon.fileName,
          sizes: `${icon.size}x${icon.size}`,
          type: 'image/png',
          purpose: icon.maskable ? 'maskable' : 'any',
        })),
      },
      injectManifest: {
        globPatterns: ['**/*.{html,js,css,svg,png,wasm,webmanifest}'],
        globIgnores: ['**/*.map', 'sw.js'],
        maximumFileSizeToCacheInBytes: PRECACHE_MAX_BYTES,
      },
      // Larger files are left out on purpose (cached on first use): a warning, not an error.
      showMaximumFileSizeToCacheInBytesWarning: true,
    }),
  ],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    ...(webLlmRuntime ? { outDir: `dist-${webLlmRuntime}` } : {}),
  },
});
