// Report figures: the ward summary and the city report over the incremental
// aggregates (not a test):
//   npm run bench -- reports
//   bash .ci/with-postgres.sh npm run bench -- reports   (adds PostgreSQL; or set DATABASE_URL)
// Options: --wards 20  --households 10000  --runs 5  --scale 0.1 (a quick smoke run)
//          --dialect sqlite|postgres: one database only, into its own section
//          (reports-sqlite, reports-postgres), so the two can run apart
//
// The budgets (issue 9, the city view), checked against these figures, not
// asserted anywhere:
//   ward summary p95 <= 50 ms at 10,000 households;
//   city report p95 <= 300 ms over 126 wards, extrapolated linearly from
//   20 seeded wards of 10,000 households each.
//
// Per database, one fresh database and a real server on a random port:
//   1. 20 wards W01..W20 of 10,000 households (their people, 2 visits each)
//      seeded straight into `records` (support/seed.ts), then their aggregates
//      built by rebuildAggregates() (migration 9's backfill), ward by ward.
//   2. City report, GET /reports/city over HTTP as the city user, with the
//      counters of 5, 10 and 20 wards built: each run is `requests` requests
//      after a warm-up, its p95 is one figure; median (min–max) of `runs` runs.
//      The figure at 126 wards is the one at 20 scaled linearly (× 126/20,
//      fixed costs included, so it errs high). As a check, the 20 wards'
//      counters are copied to 106 more ward codes and 126 wards are measured
//      directly.
//   3. Ward summary of W01: GET /reports/summary over HTTP (aggregates),
//      reportSummary() in-process (aggregates) and the baseline,
//      reportSummaryFullScan() in-process (what the summary did before: SQL
//      aggregates over the ward's records), in the same run; the answers are
//      checked equal.
//   4. Ward PUSHED: 10,000 generated households with their people and visits
//      pushed through /sync/push in batches of 500, as devices would (the
//      aggregates kept by the push); then its counters are checked against a
//      recount.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { DbConfig } from '../src/server/db';
import { rebuildAggregates, recountWard, storedWard } from '../src/server/reports/aggregates';
import { reportSummary, reportSummaryFullScan } from '../src/server/reports/summary';
import type { Mutation } from '../src/shared/protocol';
import { addVisitWork, generateWard } from '../tests/factories/generate';
import { createMutation, pushBody, runBench, withServer, type BenchServer, type BenchUser } from './driver';
import { ensureWardGroups } from '../src/server/wards';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scratchPostgres } from '../tests/support/scratch';
import { fmt, loadLine, machineLine, stats, writeSection, type Stats } from './lib';
import { seedWards, type WardPlan } from './support/seed';

interface Options {
  dialect?: 'sqlite' | 'postgres';
  wards: number;
  households: number;
  runs: number;
  requests: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = { wards: 20, households: 10_000, runs: 5, requests: 40 };
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (k === '--wards') o.wards = Number(v);
    else if (k === '--dialect' && (v === 'sqlite' || v === 'postgres')) o.dialect = v;
    else if (k === '--households') o.households = Number(v);
    else if (k === '--runs') o.runs = Number(v);
    else if (k === '--scale') {
      o.households = Math.round(o.households * Number(v));
      o.requests = 10;
    } else throw new Error(`unknown option ${k}`);
  }
  return o;
}

const CITY_WARDS = 126;
const wardCode = (i: number) => `W${String(i + 1).padStart(2, '0')}`;

/** The 95th percentile (nearest rank). */
function p95(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}

/** `runs` runs of `n` timed calls each: the p95 of each run, and their spread. */
async function p95Runs(runs: number, n: number, call: () => Promise<unknown>, warmup = 10): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await call();
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await call();
      ms.push(performance.now() - t0);
    }
    out.push(p95(ms));
  }
  return stats(out);
}

/**
 * Once more on a reset connection: after a long in-process measurement the
 * server may have closed the idle keep-alive socket fetch is about to reuse.
 */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch {
    return fn();
  }
}

async function getJson(url: string, cookie: string) {
  const res = await retrying(() => fetch(url, { headers: { cookie } }));
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return body;
}

async function pushWard(server: BenchServer, cookie: string, households: number) {
  const { base } = server;
  const w = generateWard({ seed: 2026, households, wardCode: 'PUSHED', groups: 28 });
  addVisitWork(w);
  const all: Mutation[] = [];
  let seq = 0;
  const add = (entity: Mutation['entity'], r: { id: string; createdAt: string }) => all.push(createMutation(++seq, entity, r));
  for (const h of w.households) add('household', h);
  for (const p of w.people) add('person', p);
  for (const v of w.visits) add('visit', v);
  // Groups are data: a push refuses a group its ward does not have.
  await ensureWardGroups(server.db, 'PUSHED', [...new Set(w.households.map((h) => h.group))]);
  const clientId = `bench-${randomBytes(6).toString('hex')}`;
  const batchMs: number[] = [];
  for (let i = 0; i < all.length; i += 500) {
    const t0 = performance.now();
    const res = await retrying(() => fetch(`${base}/api/v1/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: pushBody(clientId, all.slice(i, i + 500)) }));
    const json = (await res.json()) as { results: { status: string }[] };
    if (res.status !== 200 || json.results.some((r) => r.status !== 'applied')) throw new Error('push failed');
    batchMs.push(performance.now() - t0);
  }
  return { mutations: all.length, batch: stats(batchMs) };
}

function plain(g: Map<string, Map<string, number>>) {
  return JSON.stringify([...g].filter(([, m]) => m.size > 0).sort(([a], [b]) => a.localeCompare(b)).map(([k, m]) => [k, [...m].sort()]));
}

async function bench(label: string, config: DbConfig, print: (line: string) => void, o: Options) {
  const users: BenchUser[] = [
    { username: 'city', displayName: 'Thành phố', role: 'city', wardCode: '*', groups: [] },
    { username: 'w01', displayName: 'Giám sát W01', role: 'supervisor', wardCode: wardCode(0), groups: [] },
    { username: 'pushed', displayName: 'Giám sát PUSHED', role: 'supervisor', wardCode: 'PUSHED', groups: [] },
  ];
  await withServer(config, users, async (server) => {
    const { base, db } = server;
    const plans: WardPlan[] = Array.from({ length: o.wards }, (_, i) => ({ ward: wardCode(i), households: o.households, visits: 2 * o.households, seed: 11 + i, volunteerId: server.users[1]!.id }));
    const t0 = performance.now();
    const counts = await seedWards(config, plans);
    const c1 = counts.get(wardCode(0))!;
    const records = [...counts.values()].reduce((n, c) => n + c.households + c.people + c.visits, 0);
    print(`${label}: seeded ${o.wards} wards × ${fmt.int(o.households)} households (${fmt.int(records)} records; W01: ${fmt.int(c1.households)} households, ${fmt.int(c1.people)} people, ${fmt.int(c1.visits)} visits) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);

    const cityCookie = await retrying(() => server.login('city'));
    const city = () => getJson(`${base}/api/v1/reports/city`, cityCookie);
    const rebuildMs: number[] = [];
    const points: [number, number][] = [];
    const cityRows: string[] = [];
    let built = 0;
    for (const size of [5, 10, 20].filter((n) => n <= o.wards)) {
      for (; built < size; built++) {
        const r0 = performance.now();
        await db.writeTx((trx) => rebuildAggregates(trx, db.dialect, [wardCode(built)]));
        rebuildMs.push(performance.now() - r0);
      }
      if (db.dialect === 'postgres') await sql`analyze ward_stats`.execute(db.kysely);
      const s = await p95Runs(o.runs, o.requests, city);
      points.push([size, s.median]);
      cityRows.push(`  city report, ${String(size).padStart(3)} wards: p95 ${fmt.spread(s, fmt.ms)}`);
    }
    const rebuild = stats(rebuildMs);
    print(`  backfill (rebuildAggregates, one ward of ${fmt.int(o.households)} households): ${fmt.spread(rebuild, (n) => `${(n / 1000).toFixed(2)} s`)} (${rebuildMs.length} wards)`);
    const rows = (await db.kysely.selectFrom('ward_stats').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n;
    print(`  counters: ${fmt.int(Number(rows))} ward_stats rows for ${built} wards (${fmt.int(Number(rows) / built)} per ward)`);
    for (const line of cityRows) print(line);
    const at20 = points.find(([n]) => n === built)![1];
    const at126 = (at20 * CITY_WARDS) / built;
    print(`  city report, ${CITY_WARDS} wards, extrapolated linearly from ${built}: ${fmt.ms(at20)} × ${CITY_WARDS}/${built} = ${fmt.ms(at126)} (budget 300 ms: ${at126 <= 300 ? 'within' : 'OVER'})`);
    // The extrapolation's check: copies of the built wards' counters under 106 more codes.
    const extra = Array.from({ length: CITY_WARDS - built }, (_, i) => `X${String(i + 1).padStart(3, '0')}`);
    for (const [i, code] of extra.entries()) {
      await sql`insert into ward_stats (ward_code, metric, value) select ${code}, metric, value from ward_stats where ward_code = ${wardCode(i % built)}`.execute(db.kysely);
    }
    if (db.dialect === 'postgres') await sql`analyze ward_stats`.execute(db.kysely);
    const direct = await p95Runs(o.runs, o.requests, city);
    print(`  city report, ${CITY_WARDS} wards (${built} built + ${extra.length} copies of their counters), measured: p95 ${fmt.spread(direct, fmt.ms)} (budget 300 ms: ${direct.median <= 300 ? 'within' : 'OVER'})`);
    await db.kysely.deleteFrom('ward_stats').where('ward_code', 'in', extra).execute();

    // Ward summary: aggregates against the full scan, same ward, same run.
    const w01Cookie = await retrying(() => server.login('w01'));
    const now = new Date();
    const [fast, slow] = [await reportSummary(db, wardCode(0), now), await reportSummaryFullScan(db, wardCode(0), now)];
    if (JSON.stringify(fast) !== JSON.stringify(slow)) throw new Error('the summary from the aggregates differs from the full scan');
    const http = await p95Runs(o.runs, o.requests, () => getJson(`${base}/api/v1/reports/summary`, w01Cookie));
    const inProcess = await p95Runs(o.runs, o.requests, () => reportSummary(db, wardCode(0), new Date()));
    const baseline = await p95Runs(o.runs, 3, () => reportSummaryFullScan(db, wardCode(0), new Date()), 1);
    print(`  ward summary (W01), GET /reports/summary, aggregates: p95 ${fmt.spread(http, fmt.ms)} (budget 50 ms: ${http.median <= 50 ? 'within' : 'OVER'})`);
    print(`  ward summary (W01), in-process, aggregates:            p95 ${fmt.spread(inProcess, fmt.ms)}`);
    print(`  ward summary (W01), in-process, full scan (baseline):  p95 ${fmt.spread(baseline, fmt.ms)} (3 calls a run) → ${fmt.ratio(baseline.median / inProcess.median)} faster`);

    // The write path keeps them: a ward pushed as devices would, then recounted.
    const pushed = await pushWard(server, await retrying(() => server.login('pushed')), o.households);
    const check = await db.readTx(async (trx) => [plain(await recountWard(trx, db.dialect, 'PUSHED')), plain((await storedWard(trx, 'PUSHED')).groups)]);
    if (check[0] !== check[1]) throw new Error('PUSHED: the aggregates differ from the recount');
    print(`  push with aggregates: ${fmt.int(pushed.mutations)} mutations (10,000 households, their people and visits) in batches of 500: ${fmt.spread(pushed.batch, fmt.ms)} a batch; counters equal to a recount afterwards`);
  });
}

export const main = async (args: string[]) => {
  const o = parseArgs(args);
  if (!o.dialect) return runBench('reports', (label, config, print) => bench(label, config, print, o));
  // One database: the section reports-<dialect>, with the machine line.
  const lines: string[] = [];
  const print = (line: string) => {
    console.info(line);
    lines.push(line);
  };
  print(machineLine());
  print(loadLine());
  if (o.dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gocua-bench-'));
    try {
      await bench('SQLite', { dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') }, print, o);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const url = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('set DATABASE_URL or TEST_DATABASE_URL (bash .ci/with-postgres.sh npm run bench -- reports --dialect postgres)');
    const scratch = await scratchPostgres(url, 'gocua_bench');
    try {
      await bench('PostgreSQL', { dialect: 'postgres', url: scratch.url }, print, o);
    } finally {
      await scratch.drop();
    }
  }
  print(loadLine());
  writeSection(`reports-${o.dialect}`, `## reports (${o.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'})\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``);
};
