// Debian's Chromium through playwright-core, and the trace a failing journey
// leaves behind: a screenshot of every open page and its console log, written
// to test-results/ (gitignored).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { onTestFailed, type TestContext } from 'vitest';
import { ROOT } from './build';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.join(ROOT, 'test-results');

const LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(LAUNCH);
}

/** A phone held upright: the size the app is designed for. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 1,
  locale: 'vi-VN',
  timezoneId: 'Asia/Ho_Chi_Minh',
};

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()
    .slice(0, 80);

/**
 * Records every page's console and errors, and on failure writes
 * test-results/<test>/<page>.png and <page>.log. Create one per test:
 *   const trace = traceTest(ctx); const context = await trace.context(browser);
 */
export class Trace {
  private pages: Array<{ name: string; page: Page; log: string[] }> = [];
  private count = 0;

  constructor(private readonly testName: string) {}

  async context(browser: Browser, options: BrowserContextOptions = {}, label = 'ctx'): Promise<BrowserContext> {
    return this.watchContext(await browser.newContext({ ...PHONE, ...options }), label);
  }

  /**
   * A browser with a real profile directory. Chrome never offers to install an
   * app from an incognito-like context (Playwright's default), so the install
   * criteria can only be checked in one of these.
   */
  async persistentContext(options: BrowserContextOptions = {}, label = 'profile'): Promise<BrowserContext> {
    const dir = mkdtempSync(path.join(tmpdir(), 'gocua-e2e-profile-'));
    const context = await chromium.launchPersistentContext(dir, { ...LAUNCH, ...PHONE, ...options });
    context.on('close', () => {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      } catch {
        // Chromium may still be flushing the profile; it is a temporary directory.
      }
    });
    return this.watchContext(context, label);
  }

  private async watchContext(context: BrowserContext, label: string): Promise<BrowserContext> {
    // Fail a stuck step in seconds with its locator in the message, not at the test timeout.
    context.setDefaultTimeout(15_000);
    context.on('page', (page) => this.watch(page, label));
    // Connectivity events in the console log: the sync engine's main trigger.
    await context.addInitScript(() => {
      addEventListener('online', () => console.info('[e2e] online event'));
      addEventListener('offline', () => console.info('[e2e] offline event'));
    });
    return context;
  }

  private watch(page: Page, label: string) {
    this.count += 1;
    const entry = { name: `${label}-page${this.count}`, page, log: [] as string[] };
    const stamp = () => new Date().toISOString().slice(11, 23);
    page.on('console', (m) => entry.log.push(`${stamp()} [${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => entry.log.push(`${stamp()} [pageerror] ${e.stack ?? e.message}`));
    page.on('requestfailed', (r) => entry.log.push(`${stamp()} [requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) entry.log.push(`${stamp()} [navigated] ${f.url()}`);
    });
    this.pages.push(entry);
  }

  async dump(): Promise<void> {
    const dir = path.join(RESULTS_DIR, slug(this.testName));
    mkdirSync(dir, { recursive: true });
    for (const { name, page, log } of this.pages) {
      writeFileSync(path.join(dir, `${name}.log`), `${page.isClosed() ? '(page closed)\n' : `url: ${page.url()}\n`}${log.join('\n')}\n`);
      if (!page.isClosed()) {
        await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true, timeout: 5_000 }).catch(() => undefined);
      }
    }
    console.error(`[e2e] failure trace written to ${path.relative(ROOT, dir)}/`);
  }
}

export function traceTest(ctx: TestContext): Trace {
  const trace = new Trace(ctx.task.name);
  onTestFailed(() => trace.dump());
  return trace;
}
