// Start time against data size (not a test):
//   npm run bench -- start
//
// Two volunteers on one phone (two contexts of one Chromium): one with 1,000
// records in their device database, one with 100,000 (households, people and
// visits 1:2:2, some follow-ups due). Each signs in once (the service worker
// installs and precaches), then the page is reloaded: the time is from the
// navigation's start to Home being interactive with its numbers shown (the
// unsent count and the follow-ups due are no longer "…"). 5 reloads each after
// one warm-up; the ratio is 100,000 against 1,000, measured in the same run.
import { fmt, loadLine, machineLine, repeat, stats, table, writeSection } from './lib';
import { startDevice, type BenchWindow, type Device } from './support/device';

const RUNS = 5;

async function startTimes(device: Device, records: number): Promise<{ ms: number[]; due: string }> {
  const user = await device.server.createUser({ groups: ['TDP 1', 'TDP 2', 'TDP 3'] });
  const context = await device.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  try {
    const seeder = await context.newPage();
    await seeder.goto(`${device.server.url}/bench/device.html`);
    await seeder.waitForFunction(() => 'benchDevice' in window);
    await seeder.evaluate(
      ([name, n]) => (window as unknown as BenchWindow).benchDevice.seed(name, n, 3, 'CUANAM'),
      [`gocua-${user.id}`, records] as const,
    );
    await seeder.close();
    const page = await context.newPage();
    await page.goto(device.server.url);
    await page.getByLabel('Tên đăng nhập').fill(user.username);
    await page.getByLabel('Mật khẩu').fill(user.password);
    await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
    await page.locator('a.sync-pill').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    const interactive = () =>
      page.waitForFunction(
        () => {
          const n = [...document.querySelectorAll('.stat-number')];
          return n.length === 2 && n.every((e) => e.textContent !== '…') && performance.now();
        },
        undefined,
        { polling: 'raf', timeout: 120_000 },
      );
    await interactive();
    const ms = await repeat(
      RUNS,
      async () => {
        await page.reload();
        return (await (await interactive()).jsonValue()) as number;
      },
      1,
    );
    const due = (await page.locator('.stat-number').nth(1).textContent()) ?? '';
    return { ms, due };
  } finally {
    await context.close();
  }
}

export async function main() {
  const device = await startDevice();
  try {
    const small = await startTimes(device, 1_000);
    const big = await startTimes(device, 100_000);
    const s = stats(small.ms);
    const b = stats(big.ms);
    const ratio = b.median / s.median;
    const t = table(
      ['records on the device', 'reload → interactive Home', 'follow-ups due shown', 'ratio'],
      [
        ['1,000 (baseline)', fmt.spread(s, fmt.ms), small.due, fmt.ratio(1)],
        ['100,000', fmt.spread(b, fmt.ms), big.due, fmt.ratio(ratio)],
      ],
    );
    console.info(t);
    writeSection(
      'start',
      `## start: reload to interactive Home, 100,000 vs 1,000 records on the device

${machineLine()}. ${loadLine()}. Chromium (headless, Debian's), 360×740, service worker in control (reloads come from the precache), no CPU throttling.
From the navigation's start to Home showing its numbers (unsent changes and follow-ups due no longer "…"); ${RUNS} reloads after a warm-up, median (min–max).
Baseline, in the same run: the same reload with 1,000 records.

${t}

Budget ≤ 1.2×: **${ratio <= 1.2 ? 'met' : 'missed'}** (${fmt.ratio(ratio)}). Home reads the outbox's count, today's visits (an index range) and the follow-ups due as two counts of the \`_due\` index: no whole table.`,
    );
  } finally {
    await device.close();
  }
}
