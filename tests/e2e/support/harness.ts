// The set-up every journey shares: one Chromium and one real server (build A,
// fresh SQLite) per journey file, both closed when the file is done.
import { afterAll, beforeAll, inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { startServer, type E2EServer } from './server';

export function withBrowserAndServer(ready: (browser: Browser, server: E2EServer) => void): void {
  let browser: Browser | undefined;
  let server: E2EServer | undefined;
  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer({ distDir: inject('distA') })]);
    ready(browser, server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}
