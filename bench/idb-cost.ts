// What IndexedDB itself charges in this Chromium (not a test):
//   npm run bench -- idb-cost [rows=10000] [runs=5]
//
// Why it exists: first-sync and bulk-load showed the app waiting on IndexedDB,
// at the floor set by bare puts of its own rows. This asks what sets that
// floor: household-shaped rows (what toHouseholdRow stores, ten search words)
// put by bare IndexedDB requests, 1,000 a transaction, into a fresh store
//   - with no index (the baseline, in the same run),
//   - with two plain indexes (group, updatedAt),
//   - with those and a multi-entry index over ten words (households' *_words),
//   - with no index but every row in one transaction,
//   - with no index and durability 'relaxed' / 'strict'.
// Medians of `runs` runs, each variant into its own fresh database.
import { fmt, loadLine, machineLine, stats, table, writeSection } from './lib';
import { startDevice } from './support/device';

// Runs in the page as a string, so that no bundler helper leaks into it.
const PAGE_CODE = (rows: number) => `(async () => {
  const words = (i) => ['nguyen', 'van', 'minh', 'ngo', '45', 'hang', 'bong', String(i % 300), 'tdp', 'x' + (i % 997)];
  const row = (i) => ({ id: 'h' + i + '-' + Math.random().toString(36).slice(2), group: 'TDP ' + (i % 12), updatedAt: new Date(1785000000000 + i * 60000).toISOString(), headName: 'Nguyễn Văn Minh', address: { lane: 'Ngõ 45', street: 'Hàng Bông', houseNumber: String(i % 300) }, povertyStatus: 'none', consent: { given: true }, _words: words(i) });
  const open = (name, setup) => new Promise((res, rej) => { const rq = indexedDB.open(name, 1); rq.onupgradeneeded = () => setup(rq.result); rq.onsuccess = () => res(rq.result); rq.onerror = () => rej(rq.error); });
  const drop = (name) => new Promise((res) => { const rq = indexedDB.deleteDatabase(name); rq.onsuccess = rq.onerror = rq.onblocked = () => res(); });
  const plain = (db) => db.createObjectStore('s', { keyPath: 'id' });
  const two = (db) => { const s = plain(db); s.createIndex('group', 'group'); s.createIndex('updatedAt', 'updatedAt'); };
  const withWords = (db) => { const s = plain(db); s.createIndex('group', 'group'); s.createIndex('updatedAt', 'updatedAt'); s.createIndex('words', '_words', { multiEntry: true }); };
  const data = Array.from({ length: ${rows} }, (_, i) => row(i));
  const run = async (name, setup, per, durability) => {
    await drop(name);
    const db = await open(name, setup);
    const t0 = performance.now();
    for (let i = 0; i < data.length; i += per) {
      await new Promise((res, rej) => {
        const tx = db.transaction(['s'], 'readwrite', durability ? { durability } : undefined);
        const s = tx.objectStore('s');
        for (let k = i; k < Math.min(data.length, i + per); k++) s.put(data[k]);
        tx.oncomplete = () => res();
        tx.onerror = () => rej(tx.error);
      });
    }
    const ms = performance.now() - t0;
    db.close();
    await drop(name);
    return ms;
  };
  return {
    plain: await run('cost-plain', plain, 1000),
    two: await run('cost-two', two, 1000),
    words: await run('cost-words', withWords, 1000),
    oneTx: await run('cost-onetx', plain, ${rows}),
    relaxed: await run('cost-relaxed', plain, 1000, 'relaxed'),
    strict: await run('cost-strict', plain, 1000, 'strict'),
  };
})()`;

type Result = Record<'plain' | 'two' | 'words' | 'oneTx' | 'relaxed' | 'strict', number>;

export async function main(args: string[]) {
  const rows = Number(args[0] ?? 10_000);
  const runs = Math.max(5, Number(args[1] ?? 5));
  const device = await startDevice();
  try {
    const page = await device.benchPage();
    await page.evaluate(PAGE_CODE(100)); // warm-up
    const results: Result[] = [];
    for (let i = 0; i < runs; i++) {
      const r = (await page.evaluate(PAGE_CODE(rows))) as Result;
      console.info(`run ${i + 1}: ${Object.entries(r).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}`);
      results.push(r);
    }
    const col = (k: keyof Result) => stats(results.map((r) => r[k]));
    const ratio = (k: keyof Result) => stats(results.map((r) => r[k] / r.plain));
    const perEntry = stats(results.map((r) => ((r.words - r.two) / (rows * 10)) * 1000));
    const label: Record<keyof Result, string> = {
      plain: 'no index, 1,000 a transaction (baseline)',
      two: 'two plain indexes (group, updatedAt)',
      words: 'two plain + multi-entry index of 10 words',
      oneTx: 'no index, all rows in one transaction',
      relaxed: "no index, durability 'relaxed'",
      strict: "no index, durability 'strict'",
    };
    const keys = Object.keys(label) as Array<keyof Result>;
    const t = table([`put ${fmt.int(rows)} household rows`, 'time', '× baseline'], keys.map((k) => [label[k], fmt.spread(col(k), fmt.ms), fmt.spread(ratio(k), fmt.ratio)]));
    console.info(t);
    writeSection(
      'idb-cost',
      `## idb-cost: what an index entry costs in this Chromium

${machineLine()}. ${loadLine()}. ${runs} runs; cells are median (min–max). Chromium (headless, Debian's).
Household-shaped rows (the app's fields and ten search words) put by bare IndexedDB requests into a fresh store; baseline: no index, 1,000 puts a transaction, in the same run.

${t}

One multi-entry word-index entry costs ${perEntry.median.toFixed(3)} ms (median; (words − two) ÷ (rows × 10)). This is the floor under first-sync and bulk-load (see docs/ARCHITECTURE.md, "First sync: where the time goes").`,
    );
  } finally {
    await device.close();
  }
}
