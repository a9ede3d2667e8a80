// Chromium end-to-end journeys (npm run test:e2e). A config of their own: node
// environment, no tests/setup.ts (it installs fake-indexeddb, and these tests
// drive a real browser's IndexedDB), one file at a time (each starts its own
// server and browser; two at once would fight over the 2 CPUs of CI), and long
// timeouts because a journey is a few dozen real page loads.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default defineConfig({
  root,
  test: {
    environment: 'node',
    include: ['tests/e2e/**/*.e2e.ts'],
    globalSetup: ['tests/e2e/globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
  },
});
