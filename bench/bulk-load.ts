// Storing a big pull on the device (not a test):
//   npm run bench -- bulk-load [records=50000] [runs=5]
//
// 50,000 records (10,000 households, 20,000 people, 20,000 visits), generated
// once in the page in the server's pull-page shape ({ entity, id, record,
// version }, pages of 1,000 changes), are stored into a fresh device database
// through storePulledPage, the function pullAll calls for every page (schema
// check of each record, outbox and attention reads, bulk puts, the follow-up
// index, the cursor, one transaction a page). Nothing is downloaded: this is
// the device's own cost.
//
// Baseline, in the same run and the same Chromium: PouchDB (pouchdb-browser,
// its IndexedDB adapter) bulkDocs of the same 50,000 records as documents,
// 1,000 a call, into a fresh database. And, for where the time goes, the
// floor: the same rows (index fields computed before timing) put into the same
// stores and indexes by bare IndexedDB puts, one native transaction a page.
// Runs alternate app / floor / PouchDB so that a change of the machine's load
// hits all three.
import { fmt, loadLine, machineLine, stats, table, writeSection } from './lib';
import { startDevice, type BenchWindow } from './support/device';

const PAGE = 1_000;

export async function main(args: string[]) {
  const records = Number(args[0] ?? 50_000);
  const runs = Math.max(5, Number(args[1] ?? 5));
  const load0 = loadLine();
  const device = await startDevice();
  try {
    const page = await device.benchPage();
    const made = await page.evaluate(([n, p]) => (window as unknown as BenchWindow).benchDevice.makePullPages(n, p), [records, PAGE] as const);
    console.info(`generated ${fmt.int(made.records)} records in ${made.pages} pages of ${PAGE}`);
    const app: number[] = [];
    const pouch: number[] = [];
    const raw: number[] = [];
    // One unmeasured run of each first (JIT, IndexedDB's first files).
    for (let run = -1; run < runs; run++) {
      const a = await page.evaluate(() => (window as unknown as BenchWindow).benchDevice.bulkLoad('gocua-bench-bulk-load'));
      const stored = a.counts.households + a.counts.people + a.counts.visits;
      if (a.stored !== made.records || stored !== made.records) throw new Error(`stored ${a.stored}, holds ${stored} of ${made.records}`);
      const f = await page.evaluate(() => (window as unknown as BenchWindow).benchDevice.rawLoad('gocua-bench-bulk-load-raw'));
      const b = await page.evaluate(() => (window as unknown as BenchWindow).benchDevice.pouchBulkLoad('gocua-bench-bulk-load-pouch'));
      console.info(`run ${run < 0 ? 'warm-up' : run + 1}: storePulledPage ${fmt.ms(a.ms)}, bare puts ${fmt.ms(f)}, PouchDB bulkDocs ${fmt.ms(b)}`);
      if (run < 0) continue;
      app.push(a.ms);
      raw.push(f);
      pouch.push(b);
    }
    const appMs = stats(app);
    const pouchMs = stats(pouch);
    const appRate = stats(app.map((ms) => (made.records / ms) * 1000));
    const pouchRate = stats(pouch.map((ms) => (made.records / ms) * 1000));
    const speedup = stats(app.map((ms, i) => pouch[i]! / ms));
    const rawMs = stats(raw);
    const overFloor = stats(app.map((ms, i) => ms / raw[i]!));
    const t = table(
      [`store ${fmt.int(made.records)} pulled records`, 'time', 'records/s'],
      [
        ['storePulledPage, pages of 1,000 (the app)', fmt.spread(appMs, fmt.ms), fmt.spread(appRate, fmt.int)],
        ['PouchDB bulkDocs, 1,000 a call (baseline)', fmt.spread(pouchMs, fmt.ms), fmt.spread(pouchRate, fmt.int)],
        ['PouchDB time / app time', fmt.spread(speedup, fmt.ratio), ''],
        ['floor: bare IndexedDB puts of the same rows', fmt.spread(rawMs, fmt.ms), fmt.spread(stats(raw.map((ms) => (made.records / ms) * 1000)), fmt.int)],
        ['app time / floor time', fmt.spread(overFloor, fmt.ratio), ''],
      ],
    );
    console.info(t);
    const fast = speedup.median >= 10;
    const rate = appRate.median >= 5_000;
    writeSection(
      'bulk-load',
      `## bulk-load: store ${fmt.int(made.records)} pulled records on the device

${machineLine()}. Chromium (headless, Debian's), no CPU throttling.
${load0} at the start; ${loadLine()} at the end.
${runs} runs after a warm-up; each run stores into a fresh database; cells are median (min–max).
What is measured: ${fmt.int(made.records)} records (households, people, visits 1 : 2 : 2) in the server's pull-page shape, ${made.pages} pages of ${fmt.int(PAGE)}, stored through \`storePulledPage\` (src/app/db/pulledPages.ts) page after page, as \`pullAll\` does, without the network.
Floor, in the same run: the same rows (index fields computed before timing) put into the same stores and indexes by bare IndexedDB puts, one native transaction a page with the cursor: what IndexedDB itself costs for these rows.
Baseline, in the same run and the same Chromium (runs alternate): PouchDB \`bulkDocs\` (pouchdb-browser, IndexedDB adapter) of the same records as documents, 1,000 a call, into a fresh database.

${t}

Budget ≥ 10× faster than PouchDB: **${fast ? 'met' : 'missed'}** (${fmt.ratio(speedup.median)}). Budget ≥ 5,000 records/s: **${rate ? 'met' : 'missed'}** (${fmt.int(appRate.median)}).`,
    );
  } finally {
    await device.close();
  }
}
