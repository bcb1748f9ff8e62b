import { defineConfig } from '@playwright/test';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

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
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--headless=new',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--enable-unsafe-webgpu',
      ],
    },
  },
  projects: [
    { name: 'main', testIgnore: /responsive\.spec\.ts/ },
    // Timing-sensitive checks run alone, once everything else has finished.
    { name: 'alone', testMatch: /responsive\.spec\.ts/, dependencies: ['main'] },
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
    },
    {
      // The same build on a plain static host under a sub-path, without isolation headers.
      command: 'node tests/support/static-host.mjs 4175',
      url: 'http://127.0.0.1:4175/health',
      reuseExistingServer: !process.env.CI,
    },
  ],
});
