// Server ingest under many devices at once (issue 11, items 5 and 6):
//   npm run bench -- server-ingest                       SQLite only
//   bash .ci/with-postgres.sh npm run bench -- server-ingest   SQLite and PostgreSQL
// Options: --devices 200 --batches 10 --size 50 --runs 5 --dialects sqlite,postgres
//          --diagnose  (one run, server in this process, with the writer queue's
//                       wait and hold times and the event loop's delay; see below)
// Profile the server: GOCUA_CPU_PROF=/tmp/prof npm run bench -- server-ingest --runs 1
//   (bench/support/server-process.ts; one .cpuprofile per run, for Chrome DevTools).
//
// One run, per database:
//   1. A fresh database with `devices` volunteers (one ward, 20 groups), each
//      with its own password, created before the server starts.
//   2. The real server in a child process (bench/support/server-process.ts:
//      `node --import tsx src/server/main.ts`, request log on, as deployed).
//   3. Every device signs in, one after another, BEFORE the clock starts:
//      sign-in is scrypt in the 2-thread hash pool, and the login throttle
//      counts attempts in flight per address (all devices here share
//      127.0.0.1), so a storm of 200 sign-ins measures something else.
//   4. Timed: all devices at once, each with its own session and clientId,
//      pushes `batches` batches of `size` new households one after another
//      (the next when the previous is acknowledged, as the app's outbox does).
//      Latency is per push as the device sees it; an error is any answer
//      other than 200 with every mutation applied, or a failed request.
//   5. After the server stops, the database must hold exactly the pushed
//      households (none lost, none doubled).
// Baseline in the same run: the same rows inserted with the raw driver
// (better-sqlite3 with the server's pragmas; pg on one connection), one
// transaction per batch of `size`, one statement per row — the database's own
// floor for storing these rows in these transactions.
//
// All request bodies are built before the clock starts, so the benchmark's own
// JSON work does not compete with the server for the CPU while timed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import diagnostics from 'node:diagnostics_channel';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { scratchPostgres } from '../tests/support/scratch';
import { buildApp } from '../src/server/app';
import { openDb, type Db, type DbConfig } from '../src/server/db';
import { migrate } from '../src/server/migrations';
import { createUser } from '../src/server/users';
import { uuidv7 } from '../src/shared/ids';
import type { PushResponse } from '../src/shared/protocol';
import { createMutation, pushBody } from './driver';
import { fmt, loadLine, machineLine, stats, table, writeSection, type Stats } from './lib';
import { startServer } from './support/server-process';

const WARD = 'BENCH';
const GROUPS = 20;
const PASSWORD = 'ingest bench: gõ từng nhà 2026';
const SCRYPT_LOG_N = 10; // sign-in is not what is measured (and happens before the clock)

interface Options {
  devices: number;
  batches: number;
  size: number;
  runs: number;
  dialects: ('sqlite' | 'postgres')[];
  diagnose: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = { devices: 200, batches: 10, size: 50, runs: 5, dialects: ['sqlite', 'postgres'], diagnose: false };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: a positive integer`);
      return n;
    };
    if (flag === '--devices') o.devices = int();
    else if (flag === '--batches') o.batches = int();
    else if (flag === '--size') o.size = int();
    else if (flag === '--runs') o.runs = int();
    else if (flag === '--diagnose') o.diagnose = true;
    else if (flag === '--dialects') {
      const list = value().split(',');
      if (list.some((d) => d !== 'sqlite' && d !== 'postgres')) throw new Error('--dialects: sqlite,postgres');
      o.dialects = list as Options['dialects'];
    } else throw new Error(`unknown option ${flag}`);
  }
  return o;
}

function household(device: number, i: number) {
  const at = new Date().toISOString();
  return {
    id: uuidv7(),
    createdAt: at,
    updatedAt: at,
    deleted: false,
    wardCode: WARD,
    group: groupOf(device),
    address: { houseNumber: String(i + 1), lane: `Ngõ ${device + 1}`, street: 'Hàng Bông' },
    headName: 'Trần Văn Minh',
    phone: '0912345678',
    povertyStatus: 'none' as const,
    consent: { given: true, at, by: 'bench' },
    notes: 'Hộ có người cao tuổi sống một mình, cần hỗ trợ cài VNeID mức 2.',
  };
}

const groupOf = (device: number) => `TDP ${(device % GROUPS) + 1}`;

interface Workload {
  /** bodies[device][batch]: the push request's JSON. */
  bodies: string[][];
  /** The same households as rows, per batch, for the raw baseline. */
  rows: { id: string; group: string; data: string }[][];
  total: number;
}

function workload(o: Options): Workload {
  const bodies: string[][] = [];
  const rows: Workload['rows'] = [];
  for (let d = 0; d < o.devices; d++) {
    const clientId = `bench-${uuidv7()}`;
    const mine: string[] = [];
    for (let b = 0; b < o.batches; b++) {
      const records = Array.from({ length: o.size }, (_, i) => household(d, b * o.size + i));
      mine.push(pushBody(clientId, records.map((r, i) => createMutation(b * o.size + i + 1, 'household', r))));
      rows.push(records.map((r) => ({ id: r.id, group: r.group, data: JSON.stringify(r) })));
    }
    bodies.push(mine);
  }
  return { bodies, rows, total: o.devices * o.batches * o.size };
}

/** Percentile by nearest rank. */
function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

interface RunResult {
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  firstP50: number;
  firstMax: number;
  laterP50: number;
  laterP95: number;
  laterMax: number;
  errors: number;
  stored: number;
  baselinePerSecond: number;
  /** PostgreSQL: mean sessions waiting for a lock / for the app inside a transaction / running. */
  sessions?: { lock: number; app: number; running: number };
}

async function freshDatabase(dialect: 'sqlite' | 'postgres', pgUrl: string | undefined) {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gocua-ingest-'));
    const config: DbConfig = { dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') };
    return { config, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const scratch = await scratchPostgres(pgUrl!, 'gocua_bench');
  return { config: { dialect: 'postgres', url: scratch.url } as DbConfig, drop: scratch.drop };
}

async function createDevices(db: Db, o: Options): Promise<string[]> {
  const names: string[] = [];
  for (let d = 0; d < o.devices; d++) {
    const username = `ingest${d}`;
    await createUser(db, { username, password: PASSWORD, role: 'volunteer', wardCode: WARD, groups: [groupOf(d)] }, SCRYPT_LOG_N);
    names.push(username);
  }
  return names;
}

async function countStored(db: Db): Promise<number> {
  const r = await db.kysely.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).where('entity', '=', 'household').executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** All devices at once, each pushing its batches in order. Returns the latencies (ms), errors and wall time. */
async function pushAll(base: string, cookies: string[], w: Workload) {
  const latencies: number[] = [];
  // A device's first push also waits for its connection to be accepted; the rest reuse it.
  const first: number[] = [];
  const later: number[] = [];
  let errors = 0;
  const firstError: string[] = [];
  const t0 = performance.now();
  await Promise.all(
    w.bodies.map(async (batches, d) => {
      for (const [b, body] of batches.entries()) {
        const started = performance.now();
        const took = () => (b === 0 ? first : later).push(performance.now() - started);
        try {
          const res = await fetch(`${base}/api/v1/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies[d]! }, body });
          const json = (await res.json()) as PushResponse;
          latencies.push(performance.now() - started);
          took();
          if (res.status !== 200 || json.results.some((r) => r.status !== 'applied')) {
            errors++;
            if (firstError.length < 3) firstError.push(`${res.status} ${JSON.stringify(json).slice(0, 200)}`);
          }
        } catch (error) {
          latencies.push(performance.now() - started);
          took();
          errors++;
          if (firstError.length < 3) firstError.push(String(error));
        }
      }
    }),
  );
  if (firstError.length) console.info(`  first errors: ${firstError.join(' | ')}`);
  return { latencies, first, later, errors, seconds: (performance.now() - t0) / 1000 };
}

/** The raw driver's floor: the same rows, one transaction per batch, one INSERT per row. */
async function baseline(dialect: 'sqlite' | 'postgres', pgUrl: string | undefined, w: Workload): Promise<number> {
  const { config, drop } = await freshDatabase(dialect, pgUrl);
  const db = openDb(config);
  await migrate(db);
  await db.close();
  const now = new Date().toISOString();
  try {
    if (config.dialect === 'sqlite') {
      const raw = new SQLite(config.file);
      raw.pragma('journal_mode = WAL');
      raw.pragma('synchronous = FULL');
      const insert = raw.prepare(
        'insert into records (entity, id, ward_code, group_code, created_by, data, deleted, version, server_updated_at) values (?, ?, ?, ?, ?, ?, 0, ?, ?)',
      );
      let version = 0;
      const batch = raw.transaction((rows: Workload['rows'][number]) => {
        for (const r of rows) insert.run('household', r.id, WARD, r.group, 'bench', r.data, ++version, now);
      });
      const t0 = performance.now();
      for (const rows of w.rows) batch.immediate(rows);
      const seconds = (performance.now() - t0) / 1000;
      raw.close();
      return w.total / seconds;
    }
    const client = new pg.Client({ connectionString: config.url });
    await client.connect();
    try {
      let version = 0;
      const t0 = performance.now();
      for (const rows of w.rows) {
        await client.query('begin');
        for (const r of rows) {
          await client.query({
            name: 'insert-record',
            text: 'insert into records (entity, id, ward_code, group_code, created_by, data, deleted, version, server_updated_at) values ($1, $2, $3, $4, $5, $6, 0, $7, $8)',
            values: ['household', r.id, WARD, r.group, 'bench', r.data, ++version, now],
          });
        }
        await client.query('commit');
      }
      return w.total / ((performance.now() - t0) / 1000);
    } finally {
      await client.end();
    }
  } finally {
    await drop();
  }
}

/**
 * PostgreSQL only: what the database's sessions do while the devices push,
 * sampled every 200 ms from pg_stat_activity — waiting for a row lock (the
 * ward's counter: every push of a ward takes it), waiting for the app server
 * to send the next statement inside a transaction, or running.
 */
function sampleSessions(url: string) {
  const client = new pg.Client({ connectionString: url });
  const counts = { lock: 0, app: 0, running: 0, samples: 0 };
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  return {
    async start() {
      await client.connect();
      timer = setInterval(() => {
        if (busy) return;
        busy = true;
        client
          .query<{ lock: string; app: string; running: string }>(
            `select count(*) filter (where wait_event_type = 'Lock') as lock,
                    count(*) filter (where state = 'idle in transaction') as app,
                    count(*) filter (where state = 'active' and wait_event_type is distinct from 'Lock') as running
               from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
          )
          .then((r) => {
            const row = r.rows[0]!;
            counts.lock += Number(row.lock);
            counts.app += Number(row.app);
            counts.running += Number(row.running);
            counts.samples++;
          })
          .catch(() => undefined)
          .finally(() => (busy = false));
      }, 200);
    },
    async stop() {
      clearInterval(timer);
      await client.end();
      const n = Math.max(1, counts.samples);
      return { lock: counts.lock / n, app: counts.app / n, running: counts.running / n };
    },
  };
}

async function oneRun(dialect: 'sqlite' | 'postgres', pgUrl: string | undefined, o: Options): Promise<RunResult> {
  const w = workload(o);
  const { config, drop } = await freshDatabase(dialect, pgUrl);
  try {
    const setup = openDb(config);
    await migrate(setup);
    const usernames = await createDevices(setup, o);
    await setup.close();

    const server = await startServer(config);
    let result: Awaited<ReturnType<typeof pushAll>>;
    let sessions: RunResult['sessions'];
    try {
      const cookies: string[] = [];
      for (const u of usernames) cookies.push(await server.login(u, PASSWORD)); // untimed, one at a time
      const sampler = config.dialect === 'postgres' ? sampleSessions(config.url) : undefined;
      await sampler?.start();
      result = await pushAll(server.base, cookies, w);
      sessions = await sampler?.stop();
    } finally {
      await server.stop();
    }
    const check = openDb(config);
    const stored = await countStored(check);
    await check.close();
    const baselinePerSecond = await baseline(dialect, pgUrl, w);
    const { latencies, first, later, errors, seconds } = result;
    return {
      seconds,
      perSecond: w.total / seconds,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      firstP50: percentile(first, 50),
      firstMax: Math.max(...first),
      laterP50: percentile(later, 50),
      laterP95: percentile(later, 95),
      laterMax: Math.max(...later),
      errors: errors + (stored === w.total ? 0 : 1),
      stored,
      baselinePerSecond,
      sessions,
    };
  } finally {
    await drop();
  }
}

/**
 * --diagnose: one run with the server in this process, so that its parts can
 * be timed: each write transaction's wait for the writer (queue) and its hold
 * (from BEGIN to COMMIT), and the event loop's delay. Client and server share
 * one event loop here, so latencies are higher than in the real runs; the
 * point is where a slow push spends its time.
 */
async function diagnose(dialect: 'sqlite' | 'postgres', pgUrl: string | undefined, o: Options, print: (line: string) => void) {
  const w = workload(o);
  const { config, drop } = await freshDatabase(dialect, pgUrl);
  const db = openDb(config);
  try {
    await migrate(db);
    const usernames = await createDevices(db, o);
    const waits: number[] = [];
    const holds: number[] = [];
    const timed: Db = {
      ...db,
      writeTx: (fn) => {
        const asked = performance.now();
        return db.writeTx(async (trx) => {
          const began = performance.now();
          waits.push(began - asked);
          try {
            return await fn(trx);
          } finally {
            holds.push(performance.now() - began);
          }
        });
      },
    };
    const app = await buildApp({ db: timed, scryptLogN: SCRYPT_LOG_N });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const cookies: string[] = [];
      for (const u of usernames) {
        const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: PASSWORD }) });
        await res.arrayBuffer();
        cookies.push(res.headers.get('set-cookie')!.split(';')[0]!);
      }
      waits.length = 0;
      holds.length = 0;
      // From the request's headers being read to its answer being written.
      const served: number[] = [];
      app.server.prependListener('request', (_req, res) => {
        const t = performance.now();
        res.once('finish', () => served.push(performance.now() - t));
      });
      // The client's side (undici, behind fetch): from a request's creation to
      // its headers being written on a socket, and from then to the answer's headers.
      const created = new WeakMap<object, number>();
      const sentAt = new WeakMap<object, number>();
      const queued: number[] = [];
      const answered: number[] = [];
      const onCreate = ({ request }: { request: object }) => created.set(request, performance.now());
      const onSend = ({ request }: { request: object }) => {
        const t = performance.now();
        sentAt.set(request, t);
        queued.push(t - (created.get(request) ?? t));
      };
      const onHeaders = ({ request }: { request: object }) => answered.push(performance.now() - (sentAt.get(request) ?? performance.now()));
      const channels = [
        ['undici:request:create', onCreate],
        ['undici:client:sendHeaders', onSend],
        ['undici:request:headers', onHeaders],
      ] as const;
      for (const [name, fn] of channels) diagnostics.subscribe(name, fn as (m: unknown) => void);
      let sockets = 0;
      const acceptedAt: number[] = [];
      const tStart = performance.now();
      app.server.on('connection', () => {
        sockets++;
        acceptedAt.push(performance.now() - tStart);
      });
      let clientConnects = 0;
      const onConnected = () => clientConnects++;
      diagnostics.subscribe('undici:client:connected', onConnected);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const r = await pushAll(base, cookies, w);
      loop.disable();
      for (const [name, fn] of channels) diagnostics.unsubscribe(name, fn as (m: unknown) => void);
      print(`connections opened while timed: ${sockets} accepted by the server, ${clientConnects} connected by the client; accepted by 1/5/10/20 s: ${[1, 5, 10, 20].map((t) => acceptedAt.filter((a) => a < t * 1000).length).join('/')}`);
      const row = (name: string, xs: number[]) => [name, fmt.ms(percentile(xs, 50)), fmt.ms(percentile(xs, 95)), fmt.ms(percentile(xs, 99)), fmt.ms(Math.max(...xs))];
      print(`${dialect} --diagnose: ${fmt.int(w.total / r.seconds)} mutations/s, ${r.errors} errors, server in the benchmark's process`);
      print(
        table(
          ['part', 'p50', 'p95', 'p99', 'max'],
          [
            row('push as the device sees it', r.latencies),
            row('client: created to headers sent', queued),
            row('client: headers sent to answer', answered),
            row('request in the server (headers to answer)', served),
            row('wait for the writer', waits),
            row('write transaction held', holds),
            ['event loop delay', fmt.ms(loop.percentile(50) / 1e6), fmt.ms(loop.percentile(95) / 1e6), fmt.ms(loop.percentile(99) / 1e6), fmt.ms(loop.max / 1e6)],
          ],
        ),
      );
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
    await drop();
  }
}

export async function main(args: string[]) {
  const o = parseArgs(args);
  const pgUrl = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  const lines: string[] = [];
  const print = (line: string) => {
    console.info(line);
    lines.push(line);
  };
  print(machineLine());
  print(loadLine());
  print(
    `${o.devices} devices at once, each its own session and clientId, ${o.batches} pushes of ${o.size} new households each, one after another ` +
      `(${fmt.int(o.devices * o.batches * o.size)} mutations per run); sign-in before the clock; real server process`,
  );
  const dialects = o.dialects.filter((d) => {
    if (d === 'postgres' && !pgUrl) {
      print('PostgreSQL: skipped (set DATABASE_URL or TEST_DATABASE_URL, e.g. bash .ci/with-postgres.sh npm run bench -- server-ingest)');
      return false;
    }
    return true;
  });
  if (o.diagnose) {
    for (const d of dialects) await diagnose(d, pgUrl, o, print);
    return; // diagnostics are printed, not written to RESULTS.md
  }
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const d of dialects) {
    const label = d === 'sqlite' ? 'SQLite' : 'PostgreSQL 15';
    const results: RunResult[] = [];
    for (let run = 0; run < o.runs; run++) {
      const r = await oneRun(d, pgUrl, o);
      console.info(
        `  ${label} run ${run + 1}/${o.runs}: ${fmt.int(r.perSecond)} mutations/s, p50 ${fmt.ms(r.p50)}, p95 ${fmt.ms(r.p95)}, max ${fmt.ms(r.max)}, ` +
          `${r.errors} errors, ${fmt.int(r.stored)} stored; raw ${fmt.int(r.baselinePerSecond)} rows/s; ` +
          `first pushes p50 ${fmt.ms(r.firstP50)} max ${fmt.ms(r.firstMax)}, later p50 ${fmt.ms(r.laterP50)} p95 ${fmt.ms(r.laterP95)} max ${fmt.ms(r.laterMax)}`,
      );
      results.push(r);
    }
    const s = (f: (r: RunResult) => number): Stats => stats(results.map(f));
    const ratio = s((r) => r.perSecond / r.baselinePerSecond);
    const p95 = s((r) => r.p95);
    const max = s((r) => r.max);
    const errors = results.reduce((n, r) => n + r.errors, 0);
    rows.push(
      [label, 'server: mutations/s', fmt.spread(s((r) => r.perSecond), fmt.int)],
      [label, 'raw driver: rows/s (baseline)', fmt.spread(s((r) => r.baselinePerSecond), fmt.int)],
      [label, 'server ÷ raw', fmt.spread(ratio, fmt.ratio)],
      [label, 'push latency p50', fmt.spread(s((r) => r.p50), fmt.ms)],
      [label, 'push latency p95', fmt.spread(p95, fmt.ms)],
      [label, 'push latency p99', fmt.spread(s((r) => r.p99), fmt.ms)],
      [label, 'push latency max', fmt.spread(max, fmt.ms)],
      [label, 'max ÷ p50', fmt.spread(s((r) => r.max / r.p50), fmt.ratio)],
      [label, 'first push of a device (+ accept): p50', fmt.spread(s((r) => r.firstP50), fmt.ms)],
      [label, 'first push of a device (+ accept): max', fmt.spread(s((r) => r.firstMax), fmt.ms)],
      [label, 'pushes 2 to last: p50', fmt.spread(s((r) => r.laterP50), fmt.ms)],
      [label, 'pushes 2 to last: p95', fmt.spread(s((r) => r.laterP95), fmt.ms)],
      [label, 'pushes 2 to last: max', fmt.spread(s((r) => r.laterMax), fmt.ms)],
      [label, 'mean wait by Little\'s law: devices ÷ pushes/s', fmt.spread(s((r) => (o.devices * o.size * 1000) / r.perSecond), fmt.ms)],
      [label, 'errors (all runs)', String(errors)],
      [label, 'wall time of a run', fmt.spread(s((r) => r.seconds * 1000), fmt.ms)],
    );
    if (results.every((r) => r.sessions)) {
      const one = (n: number) => n.toFixed(1);
      rows.push(
        [label, 'DB sessions waiting for a lock (mean)', fmt.spread(s((r) => r.sessions!.lock), one)],
        [label, 'DB sessions idle in transaction (mean)', fmt.spread(s((r) => r.sessions!.app), one)],
        [label, 'DB sessions running (mean)', fmt.spread(s((r) => r.sessions!.running), one)],
      );
    }
    const miss = (v: number, budget: number) => (v <= budget ? 'met' : `missed by ${fmt.ratio(v / budget)}`);
    verdicts.push(
      `${label}: p95 ≤ 300 ms ${miss(p95.median, 300)}; max ≤ 2 s ${miss(max.median, 2000)}; 0 errors ${errors === 0 ? 'met' : 'missed'} (medians of ${o.runs} runs)`,
    );
  }
  const out = table(['database', 'figure', `median (min–max) of ${o.runs} runs`], rows);
  print(out);
  for (const v of verdicts) print(v);
  const args0 = args.length ? ` ${args.join(' ')}` : '';
  // One database per run gets its own section, so the two can be measured at different times.
  const section = dialects.length === 1 ? `server-ingest-${dialects[0]}` : 'server-ingest';
  writeSection(section, `## ${section}\n\n\`npm run bench -- server-ingest${args0}\`\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``);
}
