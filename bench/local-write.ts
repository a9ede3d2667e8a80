// Saving a visit on a full phone (not a test):
//   npm run bench -- local-write [records=300000]
//
// The device database holds 300,000 records (60,000 households, 120,000
// people, 120,000 visits). Each run saves 40 visits through recordVisit, the
// function the visit form calls (schema check, one transaction with the outbox
// entry and the follow-up index), and after each the baseline: the same visit
// as a new row put into the same store (same indexes) with one bare IndexedDB
// request. p50 and p95 per run; medians of 5 runs (one warm-up run first).
import { fmt, loadLine, machineLine, repeat, stats, table, writeSection } from './lib';
import { percentile, startDevice, type BenchWindow } from './support/device';

const RUNS = 5;
const SAVES = 40;

export async function main(args: string[]) {
  const records = Number(args[0] ?? 300_000);
  const device = await startDevice();
  try {
    const page = await device.benchPage();
    const name = 'gocua-bench-local-write';
    const seeded = await page.evaluate(([n, r]) => (window as unknown as BenchWindow).benchDevice.seed(n, r), [name, records] as const);
    console.info(`seeded ${fmt.int(seeded.records)} records in ${fmt.ms(seeded.ms)}`);
    const runs = await repeat(
      RUNS,
      async () => {
        const r: { app: number[]; raw: number[] } = await page.evaluate(([n, k]) => (window as unknown as BenchWindow).benchDevice.localWrites(n, k), [name, SAVES] as const);
        return { p50: percentile(r.app, 50), p95: percentile(r.app, 95), raw50: percentile(r.raw, 50), raw95: percentile(r.raw, 95) };
      },
      1,
    );
    await page.evaluate((n) => (window as unknown as BenchWindow).benchDevice.drop(n), name);
    const p50 = stats(runs.map((r) => r.p50));
    const p95 = stats(runs.map((r) => r.p95));
    const raw50 = stats(runs.map((r) => r.raw50));
    const raw95 = stats(runs.map((r) => r.raw95));
    const ratio50 = stats(runs.map((r) => r.p50 / r.raw50));
    const ratio95 = stats(runs.map((r) => r.p95 / r.raw95));
    const rows = [
      ['recordVisit (the app)', fmt.spread(p50, fmt.ms), fmt.spread(p95, fmt.ms)],
      ['bare IndexedDB put (baseline)', fmt.spread(raw50, fmt.ms), fmt.spread(raw95, fmt.ms)],
      ['ratio app / baseline', fmt.spread(ratio50, fmt.ratio), fmt.spread(ratio95, fmt.ratio)],
    ];
    const t = table(['save a visit, ' + fmt.int(seeded.records) + ' records stored', 'p50', 'p95'], rows);
    console.info(t);
    const within = ratio50.median <= 2 && ratio95.median <= 2;
    writeSection(
      'local-write',
      `## local-write: save a visit with ${fmt.int(seeded.records)} records on the device

${machineLine()}. ${loadLine()}. Chromium (headless, Debian's), no CPU throttling.
${RUNS} runs of ${SAVES} saves each after a warm-up run; each cell is the median of the runs' p50 or p95 (min–max).
Baseline, in the same run: the same visit as a new row, put into the same \`visits\` store (same indexes) with one bare IndexedDB request.

${t}

Budget ≤ 2× the baseline: **${within ? 'met' : 'missed'}** (p50 ${fmt.ratio(ratio50.median)}, p95 ${fmt.ratio(ratio95.median)}). A save is a zod check and one Dexie transaction over three tables (households, visits, outbox) whose requests are placed in one round: the household and its visits read, the visit and its outbox entry written; the follow-up index row is computed from those visits (\`dueAfterNewVisit\`), with a second write only when a previous follow-up must be cleared. Before this, a save was a transaction over six tables with three awaited rounds and the follow-up refresh's four reads (p50 6.6×, p95 2.3× on 30 November 2026, load 12–17). The baseline is one put in a one-store transaction.`,
    );
  } finally {
    await device.close();
  }
}
