// Sync throughput figures (not a test):
//   npx tsx scripts/bench-sync.ts
//   DATABASE_URL=postgres://… npx tsx scripts/bench-sync.ts   (or TEST_DATABASE_URL; adds PostgreSQL)
//
// For each database: a fresh database, a real server on a random port, then
//   1. push: 500-mutation batches of new households (one HTTP request each),
//      reported as mutations per second and ms per batch;
//   2. first pull: 10,000 records paged at limit=1000, from cursor 0 to hasMore=false.
// Medians over several runs. On PostgreSQL a scratch database is created next to
// the one in the URL and dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machineLine, median, scratchPostgres } from '../tests/support/scratch';
import { buildApp } from '../src/server/app';
import { openDb, type Db, type DbConfig } from '../src/server/db';
import { migrate } from '../src/server/migrations';
import { createUser } from '../src/server/users';
import { allFields } from '../src/shared/fields';
import { uuidv7 } from '../src/shared/ids';
import { PROTOCOL_VERSION, type Mutation, type PullResponse, type PushResponse } from '../src/shared/protocol';

const PUSH_RUNS = 7;
const PULL_RUNS = 5;
const PULL_RECORDS = 10_000;



function household(i: number) {
  const at = new Date().toISOString();
  return {
    id: uuidv7(),
    createdAt: at,
    updatedAt: at,
    deleted: false,
    wardCode: 'BENCH',
    group: `TDP ${(i % 12) + 1}`,
    address: { houseNumber: String(i), lane: 'Ngõ 45', street: 'Hàng Bông' },
    headName: 'Trần Văn Minh',
    phone: '0912345678',
    povertyStatus: 'none' as const,
    consent: { given: true, at, by: 'bench' },
    notes: 'Hộ có người cao tuổi sống một mình, cần hỗ trợ cài VNeID mức 2.',
  };
}

class Device {
  seq = 0;
  readonly clientId = `bench-${uuidv7()}`;
  batch(n: number) {
    const mutations: Mutation[] = Array.from({ length: n }, (_, i) => {
      const h = household(this.seq + i);
      return { seq: this.seq + i + 1, entity: 'household', id: h.id, op: 'upsert', fields: allFields(h), at: h.createdAt };
    });
    this.seq += n;
    return JSON.stringify({ protocol: PROTOCOL_VERSION, clientId: this.clientId, mutations });
  }
}

async function bench(label: string, config: DbConfig) {
  const db: Db = openDb(config);
  await migrate(db);
  await createUser(db, { username: 'bench', password: 'bench-password', role: 'supervisor', wardCode: 'BENCH', groups: [] }, 10);
  const app = await buildApp({ db, scryptLogN: 10 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const headers = { 'content-type': 'application/json', cookie };

    const device = new Device();
    const pushMs: number[] = [];
    for (let run = 0; run < PUSH_RUNS + 1; run++) {
      const body = device.batch(500);
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/sync/push`, { method: 'POST', headers, body });
      const json = (await res.json()) as PushResponse;
      const ms = performance.now() - t0;
      if (res.status !== 200 || json.results.some((r) => r.status !== 'applied')) throw new Error(`push failed: ${res.status}`);
      if (run > 0) pushMs.push(ms); // the first run warms up caches and the JIT
    }

    // Fill up to 10,000 records for the pull.
    const have = (PUSH_RUNS + 1) * 500;
    for (let n = have; n < PULL_RECORDS; n += 500) {
      await fetch(`${base}/api/v1/sync/push`, { method: 'POST', headers, body: device.batch(Math.min(500, PULL_RECORDS - n)) });
    }
    const pullMs: number[] = [];
    let pulled = 0;
    for (let run = 0; run < PULL_RUNS; run++) {
      const t0 = performance.now();
      let cursor = 0;
      pulled = 0;
      for (;;) {
        const res = await fetch(`${base}/api/v1/sync/pull?cursor=${cursor}&limit=1000`, { headers: { cookie, 'accept-encoding': 'gzip' } });
        const page = (await res.json()) as PullResponse;
        pulled += page.changes.length;
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      pullMs.push(performance.now() - t0);
    }
    const p = median(pushMs);
    console.info(
      `${label.padEnd(11)} push 500 mutations: median ${p.toFixed(0)} ms/batch = ${((500 * 1000) / p).toFixed(0)} mutations/s ` +
        `(${(1000 / p).toFixed(1)} batches/s; ${PUSH_RUNS} runs, min ${Math.min(...pushMs).toFixed(0)}, max ${Math.max(...pushMs).toFixed(0)})`,
    );
    console.info(
      `${label.padEnd(11)} first pull of ${pulled} records (10 pages of 1000): median ${median(pullMs).toFixed(0)} ms ` +
        `(${PULL_RUNS} runs, min ${Math.min(...pullMs).toFixed(0)}, max ${Math.max(...pullMs).toFixed(0)})`,
    );
  } finally {
    await app.close();
    await db.close();
  }
}

async function mainBench() {
  console.info(machineLine());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gocua-bench-'));
  try {
    await bench('SQLite', { dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (url) {
    const scratch = await scratchPostgres(url, 'gocua_bench');
    try {
      await bench('PostgreSQL', { dialect: 'postgres', url: scratch.url });
    } finally {
      await scratch.drop();
    }
  } else {
    console.info('PostgreSQL: skipped (set DATABASE_URL or TEST_DATABASE_URL, e.g. bash .ci/with-postgres.sh npx tsx scripts/bench-sync.ts)');
  }
}

mainBench().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
