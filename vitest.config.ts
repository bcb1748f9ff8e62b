import { defineConfig } from 'vitest/config';

// Unit tests cover pure modules (parsing, ids, metrics) in Node; anything that needs
// IndexedDB, workers or WebGPU is tested in a real Chromium by Playwright (tests/e2e).
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
