// The Node half of the device benchmarks: a production build of the app, the
// bench page (device-page.ts bundled with esbuild) beside it, the real server
// serving both over a fresh SQLite database, and Debian's Chromium.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../tests/e2e/support/build';
import { startServer, type E2EServer } from '../../tests/e2e/support/server';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface Device {
  server: E2EServer;
  browser: Browser;
  context: BrowserContext;
  /** A blank page of the app's origin with window.benchDevice loaded. */
  benchPage(): Promise<Page>;
  close(): Promise<void>;
}

/** A bench page's script (the app's own modules, bundled as one classic script) for a page beside the build. */
export async function bundleBenchScript(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    outfile,
    define: { 'import.meta.env.PROD': 'true' },
    logLevel: 'warning',
  });
}

export async function startDevice(): Promise<Device> {
  const dist = mkdtempSync(path.join(tmpdir(), 'gocua-bench-dist-'));
  await buildApp(dist, 'bench');
  await bundleBenchScript(path.join(HERE, 'device-page.ts'), path.join(dist, 'bench', 'device.js'));
  // PouchDB for the side-by-side baselines, in its own script (window.benchPouch).
  await bundleBenchScript(path.join(HERE, 'pouch-page.ts'), path.join(dist, 'bench', 'pouch.js'));
  writeFileSync(
    path.join(dist, 'bench', 'device.html'),
    '<!doctype html><meta charset="utf-8"><title>bench</title><script src="/bench/device.js"></script><script src="/bench/pouch.js"></script>',
  );
  const server = await startServer({ distDir: dist });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  return {
    server,
    browser,
    context,
    async benchPage() {
      const page = await context.newPage();
      page.on('console', (m) => console.info(`  [page] ${m.text()}`));
      page.on('pageerror', (e) => console.error(`  [page error] ${e.message}`));
      await page.goto(`${server.url}/bench/device.html`);
      await page.waitForFunction(() => 'benchDevice' in window && 'benchPouch' in window);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

/** Percentile (nearest rank) of a list of numbers. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}


/** What device-page.ts puts on window, for page.evaluate. */
export interface BenchWindow {
  benchDevice: {
    seed(
      name: string,
      records: number,
      groups?: number,
      wardCode?: string,
      shape?: { people: number; visits: number },
    ): Promise<{ households: number; records: number; ms: number }>;
    localWrites(name: string, n: number): Promise<{ app: number[]; raw: number[] }>;
    searches(name: string): Promise<{ ms: number[]; hits: number[] }>;
    searchBuild(name: string): Promise<number>;
    drop(name: string): Promise<void>;
    /** Pull benchmarks (bulk-load, first-sync). */
    makePullPages(total: number, pageSize: number, shape?: { people: number; visits: number }): { records: number; pages: number };
    bulkLoad(name: string): Promise<{ ms: number; stored: number; counts: { households: number; people: number; visits: number } }>;
    rawLoad(name: string): Promise<number>;
    pouchBulkLoad(name: string): Promise<number>;
    signIn(username: string, password: string): Promise<{ id: string }>;
    firstSync(name: string, userId: string): Promise<{ ms: number; pulled: number; counts: { households: number; people: number; visits: number } }>;
    rawPull(userId: string, limit?: number): Promise<{ ms: number; records: number; pages: number }>;
    pullLimit: number;
  };
  /** pouch-page.ts: the PouchDB baselines. */
  benchPouch: {
    bulkLoad(name: string, docs: Array<{ _id: string }>, batch?: number): Promise<number>;
    replicateFrom(name: string, url: string): Promise<{ ms: number; docs: number }>;
    replicateTo(name: string, docs: Array<{ _id: string }>, url: string): Promise<{ ms: number; docs: number }>;
    destroy(name: string): Promise<void>;
  };
}
