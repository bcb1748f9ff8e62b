import { defineConfig } from '@playwright/test';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const chromiumArgs = [
  '--no-sandbox',
  '--headless=new',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];

/**
 * The real web-llm test (webllm-real.spec.ts) runs the app built with web-llm 0.2.79 and
 * `VITE_WEBGPU_COMPAT=1` (`npm test` builds it into dist-web-llm-0279/ and generates the model
 * into .cache/mlc-qwen2-random/), on Mesa's lavapipe through Dawn's OpenGL ES adapter: about 4×
 * faster than SwiftShader on a CPU (../shared/webllm/README.md).
 */
export const WEBLLM_REAL_DIST = 'dist-web-llm-0279';
export const WEBLLM_REAL_MODEL_DIR = resolve('.cache/mlc-qwen2-random');
const webllmReal = existsSync(WEBLLM_REAL_DIST) || process.env.CMEXAM_WEBLLM_REAL === '1';

/** Mesa's lavapipe Vulkan driver (Debian package mesa-vulkan-drivers). */
function lavapipeIcd(): string | undefined {
  const dir = '/usr/share/vulkan/icd.d';
  const file = existsSync(dir) ? readdirSync(dir).find((f) => /^lvp_icd\..*\.json$/.test(f)) : '';
  return file ? `${dir}/${file}` : undefined;
}
const lavapipe = lavapipeIcd();

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: 'http://127.0.0.1:4173',
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: chromium, args: chromiumArgs },
  },
  projects: [
    { name: 'main', testIgnore: /(responsive|webllm-real)\.spec\.ts/ },
    // Timing-sensitive checks run alone, once everything else has finished.
    { name: 'alone', testMatch: /responsive\.spec\.ts/, dependencies: ['main'] },
    ...(webllmReal
      ? [
          {
            // A real model on a software GPU takes both cores: last, on its own.
            name: 'webgpu',
            testMatch: /webllm-real\.spec\.ts/,
            dependencies: ['alone'],
            use: {
              baseURL: 'http://127.0.0.1:4176',
              launchOptions: {
                executablePath: chromium,
                args: [...chromiumArgs, '--use-webgpu-adapter=opengles'],
                env: {
                  ...process.env,
                  ...(lavapipe ? { VK_ICD_FILENAMES: lavapipe, VK_DRIVER_FILES: lavapipe } : {}),
                },
              },
            },
          },
        ]
      : []),
  ],
  webServer: [
    {
      // The built app, as users get it (run `npm run build` first; `npm test` does).
      command: 'npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
      url: 'http://127.0.0.1:4173',
      reuseExistingServer: !process.env.CI,
    },
    {
      command: 'node --import tsx tests/support/data-server.mjs 4174',
      url: 'http://127.0.0.1:4174/health',
      reuseExistingServer: !process.env.CI,
      env: { CMEXAM_MLC_DIR: WEBLLM_REAL_MODEL_DIR },
    },
    {
      // The same build on a plain static host under a sub-path, without isolation headers.
      command: 'node tests/support/static-host.mjs 4175',
      url: 'http://127.0.0.1:4175/health',
      reuseExistingServer: !process.env.CI,
    },
    ...(webllmReal
      ? [
          {
            command: `npx vite preview --host 127.0.0.1 --port 4176 --strictPort --outDir ${WEBLLM_REAL_DIST}`,
            url: 'http://127.0.0.1:4176',
            reuseExistingServer: !process.env.CI,
          },
        ]
      : []),
  ],
});
