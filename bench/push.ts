// npm run bench -- push [--runs N] [--visits N] [--profile]
// (--profile: no figures; prints where the device's push time goes, step by step)
//
// 1,000 visits recorded offline, then pushed until acknowledged: time and
// bytes on the wire, side by side with PouchDB in the same run.
//
// App: in Chromium (support/device.ts), a device signed in against the real
// server (SQLite; PostgreSQL with TEST_DATABASE_URL) creates 100 households and
// syncs them (not measured), then records the visits through recordVisit (the
// visit form's call) with no sync running, then the app's sync engine pushes
// (SyncEngine.pushNow, the push half of every sync) until the outbox is empty.
// Each run is a fresh ward, volunteer and device database (a fresh clientId).
//
// Baseline, same run, same page: PouchDB (pouchdb-browser, IndexedDB adapter)
// holding the same 1,000 visit records as documents (stored before the clock
// starts) replicates them to express-pouchdb (express 4, memory adapter;
// support/pouch-server.ts) with `db.replicate.to`, into a fresh database.
//
// Bytes on the wire are counted by a TCP proxy in front of each server
// (countingProxy below): every byte of every request and answer, headers
// included, both directions, while the push (or replication) runs. The page
// is loaded through the app's proxy, so the app is same-origin as always.
//
// The "gzipped payload": gzip (Node zlib, default level 6) of
// JSON.stringify(visits), the array of the 1,000 visit records exactly as
// recordVisit stored them, i.e. the data a push has to carry, compressed once.
import { gzipSync } from 'node:zlib';
import net from 'node:net';
import { fmt, loadLine, machineLine, repeat, stats, table, writeSection, type Stats } from './lib';
import { startDevice } from './support/device';
import { startPouchServer } from './support/pouch-server';
import type { BenchPush } from './support/push-page';
import type { BenchWindow } from './support/device';

const HOUSEHOLDS = 100;
const BUDGET_TIME = 0.2; // × PouchDB's time
const BUDGET_BYTES = 1.5; // × the gzipped payload

interface Proxy {
  url: string;
  /** Bytes client → server and server → client since the last reset. */
  read(): { up: number; down: number };
  reset(): void;
  close(): Promise<void>;
}

/** A TCP proxy on a free port in front of 127.0.0.1:`port`, counting every byte both ways. */
async function countingProxy(port: number): Promise<Proxy> {
  let up = 0;
  let down = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (d: Buffer) => {
      up += d.length;
    });
    upstream.on('data', (d: Buffer) => {
      down += d.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    read: () => ({ up, down }),
    reset: () => {
      up = 0;
      down = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Run {
  appMs: number;
  pouchMs: number;
  appUp: number;
  appDown: number;
  pouchUp: number;
  pouchDown: number;
  gzipPayload: number;
  jsonPayload: number;
  requests: number;
  /** Sum of the push requests' round trips (request sent → answer read): the network and server share of appMs. */
  inFlightMs: number;
  recordMs: number;
}

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: a positive integer`);
  return v;
}

export async function main(args: string[]) {
  const runs = flag(args, '--runs', 5);
  const visits = flag(args, '--visits', 1000);
  const dialect = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite';
  console.info(`push: ${visits} visits, ${runs} runs + 1 warm-up, server on ${dialect}`);
  const device = await startDevice();
  const pouch = await startPouchServer();
  const appProxy = await countingProxy(device.server.port);
  const pouchProxy = await countingProxy(Number(new URL(pouch.url).port));
  try {
    // The app's Content-Security-Policy (connect-src 'self') would stop the
    // PouchDB baseline reaching its server on another port: this context
    // bypasses CSP. The app's own requests are same-origin either way.
    const context = await device.browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`  [page error] ${e.message}`));
    await page.goto(`${appProxy.url}/bench/device.html`);
    await page.waitForFunction(() => 'benchPush' in window && 'benchPouch' in window);

    const results = await repeat(
      runs,
      async (run): Promise<Run> => {
        const k = run + 1; // the warm-up is run -1: ward PUSH0
        const wardCode = `PUSH${k}`;
        const groups = ['TDP 1', 'TDP 2', 'TDP 3'];
        const u = await device.server.createUser({ role: 'volunteer', wardCode, groups });
        const user = { id: u.id, wardCode, groups };
        const name = `bench-push-${k}`;
        await page.evaluate(([n, p]) => (window as unknown as { benchPush: BenchPush }).benchPush.signIn(n, p), [u.username, u.password] as const);
        const prep = await page.evaluate(([n, usr, h, v]) => (window as unknown as { benchPush: BenchPush }).benchPush.prepare(n, usr, h, v), [name, user, HOUSEHOLDS, visits] as const);
        if (prep.outbox !== visits) throw new Error(`outbox holds ${prep.outbox}, not ${visits}`);
        const json = JSON.stringify(prep.visits);
        const docs = prep.visits.map(({ id, ...rest }) => ({ _id: id, ...rest }));

        if (args.includes('--profile')) {
          const steps = await page.evaluate(([n, usr]) => (window as unknown as { benchPush: BenchPush }).benchPush.profile(n, usr), [name, user] as const);
          console.info(`  profile: ${Object.entries(steps).map(([key, ms]) => `${key} ${fmt.ms(ms)}`).join(', ')}`);
          return undefined as unknown as Run;
        }
        const app = async () => {
          appProxy.reset();
          const r = await page.evaluate(([n, usr]) => (window as unknown as { benchPush: BenchPush }).benchPush.push(n, usr), [name, user] as const);
          const bytes = appProxy.read();
          if (r.outboxAfter !== 0 || r.pushed !== visits) throw new Error(`push left ${r.outboxAfter} in the outbox (pushed ${r.pushed})`);
          const stored = await device.server.db.kysely
            .selectFrom('records')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('entity', '=', 'visit')
            .where('ward_code', '=', wardCode)
            .executeTakeFirstOrThrow();
          if (Number(stored.n) !== visits) throw new Error(`the server holds ${String(stored.n)} visits of ${wardCode}, not ${visits}`);
          return { ...r, bytes };
        };
        const baseline = async () => {
          pouchProxy.reset();
          const r = await page.evaluate(
            ([n, d, url]) =>
              (window as unknown as BenchWindow).benchPouch.replicateTo(n, d, url).catch((e: unknown) => {
                // PouchDB rejects with plain objects: make them readable.
                throw new Error(`replicateTo: ${JSON.stringify(e, Object.getOwnPropertyNames(e ?? {}))}`);
              }),
            [`pouch-push-${k}`, docs, `${pouchProxy.url}/push-${k}`] as const,
          );
          const bytes = pouchProxy.read();
          if (r.docs !== visits) throw new Error(`PouchDB wrote ${r.docs} documents, not ${visits}`);
          await page.evaluate((n) => (window as unknown as BenchWindow).benchPouch.destroy(n), `pouch-push-${k}`);
          return { ...r, bytes };
        };
        // Alternate which goes first, so neither always runs on a warmer machine.
        let a: Awaited<ReturnType<typeof app>>;
        let b: Awaited<ReturnType<typeof baseline>>;
        if (k % 2 === 0) {
          a = await app();
          b = await baseline();
        } else {
          b = await baseline();
          a = await app();
        }
        await page.evaluate((n) => (window as unknown as { benchPush: BenchPush }).benchPush.drop(n), name);
        const out: Run = {
          appMs: a.ms,
          pouchMs: b.ms,
          appUp: a.bytes.up,
          appDown: a.bytes.down,
          pouchUp: b.bytes.up,
          pouchDown: b.bytes.down,
          gzipPayload: gzipSync(Buffer.from(json)).length,
          jsonPayload: Buffer.byteLength(json),
          requests: a.requests.length,
          inFlightMs: a.requests.reduce((s, q) => s + (q.endMs - q.startMs), 0),
          recordMs: prep.recordMs,
        };
        console.info(
          `  ${run < 0 ? 'warm-up' : `run ${run + 1}`}: app ${fmt.ms(out.appMs)} (${out.requests} requests, ${fmt.ms(out.inFlightMs)} in flight), ${fmt.int(out.appUp + out.appDown)} B; ` +
            `PouchDB ${fmt.ms(out.pouchMs)}, ${fmt.int(out.pouchUp + out.pouchDown)} B; gzipped payload ${fmt.int(out.gzipPayload)} B`,
        );
        return out;
      },
      1,
    );

    if (args.includes('--profile')) return;
    const s = (f: (r: Run) => number): Stats => stats(results.map(f));
    const timeRatio = s((r) => r.appMs / r.pouchMs);
    const bytesRatio = s((r) => (r.appUp + r.appDown) / r.gzipPayload);
    const pouchBytesRatio = s((r) => (r.pouchUp + r.pouchDown) / r.gzipPayload);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const ratio = fmt.ratio;
    const rows = [
      ['time', fmt.spread(s((r) => r.appMs), fmt.ms), fmt.spread(s((r) => r.pouchMs), fmt.ms), fmt.spread(timeRatio, ratio), `≤ ${BUDGET_TIME}× PouchDB`, timeRatio.median <= BUDGET_TIME ? 'met' : 'missed'],
      ['visits/s', fmt.int(visits / (s((r) => r.appMs).median / 1000)), fmt.int(visits / (s((r) => r.pouchMs).median / 1000)), '', '', ''],
      ['bytes up', fmt.spread(s((r) => r.appUp), kb), fmt.spread(s((r) => r.pouchUp), kb), '', '', ''],
      ['bytes down', fmt.spread(s((r) => r.appDown), kb), fmt.spread(s((r) => r.pouchDown), kb), '', '', ''],
      [
        'bytes total ÷ gzipped payload',
        fmt.spread(bytesRatio, ratio),
        fmt.spread(pouchBytesRatio, ratio),
        '',
        `≤ ${BUDGET_BYTES}×`,
        bytesRatio.median <= BUDGET_BYTES ? 'met' : 'missed',
      ],
    ];
    const t = table(['', 'app (gzip push)', 'PouchDB replicate.to', 'app ÷ PouchDB', 'budget', ''], rows);
    const payload = `${fmt.int(s((r) => r.gzipPayload).median)} B gzipped (${fmt.int(s((r) => r.jsonPayload).median)} B of JSON)`;
    const body = `## push

1,000 visits recorded offline through \`recordVisit\` in Chromium, then pushed by the app's sync engine
(\`SyncEngine.pushNow\`) to the real server (${dialect}) until every outbox entry is acknowledged; the server's
record count is checked after each run. Baseline in the same run and page: PouchDB (\`pouchdb-browser\`)
replicating the same 1,000 visit records (already stored locally) to \`express-pouchdb\` (express 4, memory
adapter) with \`replicate.to\`, into a fresh database. Each run: a fresh ward, volunteer, device database and
PouchDB database; app and PouchDB alternate which goes first. Medians of ${runs} runs (after 1 warm-up), min–max.

**Bytes on the wire**: counted by a TCP proxy in front of each server (every byte of every request and answer,
HTTP headers included, both directions) while the push or replication runs. **Gzipped payload**: gzip (Node
zlib, level 6) of \`JSON.stringify\` of the array of the 1,000 visit records as \`recordVisit\` stored them:
${payload}. The device gzips its push bodies (\`CompressionStream\`, \`Content-Encoding: gzip\`); the server
gzips its answers.

\`\`\`
${machineLine()}
${loadLine()}
\`\`\`

${t}

Per run: ${results[0] ? `${results[0].requests}` : '?'} push requests (500 mutations each at most, one at a time). Of the app's time, a median of
${fmt.ms(s((r) => r.inFlightMs).median)} is requests in flight (request sent → answer read: network and server); the device reads the
next batch while one is in flight and stores an answer while the next batch travels, so the rest is the device's work that
does not overlap (numbering the outbox, the first batch's read and gzip, the last answer's store).
\`npm run bench -- push --profile\` times each step of the loop. Recording the 1,000 visits (not part of the push time) took
${fmt.spread(s((r) => r.recordMs), fmt.ms)}.
`;
    console.info(`\n${body}`);
    writeSection('push', body);
  } finally {
    await appProxy.close();
    await pouchProxy.close();
    await pouch.close();
    await device.close();
  }
}
