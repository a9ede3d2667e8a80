// The driver that sync.ts and reports.ts share: for each database
// a fresh, migrated database with the benchmark's users, a real server on a
// random port, then HTTP as a device sends it (sign-in, pushes of up to 500
// mutations).
//   - SQLite always, in a temporary directory removed afterwards.
//   - PostgreSQL when DATABASE_URL or TEST_DATABASE_URL is set: a scratch
//     database is created next to the one in the URL and dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scratchPostgres } from '../tests/support/scratch';
import { loadLine, machineLine, writeSection } from './lib';
import { buildApp } from '../src/server/app';
import { openDb, type Db, type DbConfig } from '../src/server/db';
import { migrate } from '../src/server/migrations';
import { createUser, type AuthUser, type NewUser } from '../src/server/users';
import { allFields } from '../src/shared/fields';
import { PROTOCOL_VERSION, type Mutation, type PushResponse } from '../src/shared/protocol';
import type { Entity } from '../src/shared/schemas';

const PASSWORD = 'bench-password';
// Low scrypt cost: sign-in speed is not what is measured.
const SCRYPT_LOG_N = 10;

/** A user the benchmark signs in as; they all share one password. */
export type BenchUser = Omit<NewUser, 'password'>;

export interface BenchServer {
  db: Db;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The users created at start, in the order given. */
  users: AuthUser[];
  /** Signs in; returns the cookie header value to send back. */
  login(username: string): Promise<string>;
  /** POST /api/v1/sync/push with a body from pushBody(); throws unless the answer is 200. */
  push(cookie: string, body: string): Promise<PushResponse>;
}

/** A create mutation for a record, as the device sends it. */
export function createMutation(seq: number, entity: Entity, record: { id: string; createdAt: string }): Mutation {
  return { seq, entity, id: record.id, op: 'upsert', fields: allFields(record), at: record.createdAt };
}

export function pushBody(clientId: string, mutations: Mutation[]): string {
  return JSON.stringify({ protocol: PROTOCOL_VERSION, clientId, mutations });
}

/** Runs fn against a server over a fresh database holding `users`; closes both afterwards. */
export async function withServer(config: DbConfig, users: BenchUser[], fn: (s: BenchServer) => Promise<void>) {
  const db = openDb(config);
  await migrate(db);
  const created: AuthUser[] = [];
  for (const u of users) created.push(await createUser(db, { ...u, password: PASSWORD }, SCRYPT_LOG_N));
  const app = await buildApp({ db, scryptLogN: SCRYPT_LOG_N });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    await fn({
      db,
      base,
      users: created,
      async login(username) {
        const res = await fetch(`${base}/api/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: PASSWORD }),
        });
        return res.headers.get('set-cookie')!.split(';')[0]!;
      },
      async push(cookie, body) {
        const res = await fetch(`${base}/api/v1/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body });
        const json = (await res.json()) as PushResponse;
        if (res.status !== 200) throw new Error(`push failed: ${res.status}`);
        return json;
      },
    });
  } finally {
    await app.close();
    await db.close();
  }
}

/**
 * The whole benchmark: a line describing the machine, then bench() on SQLite
 * and, when a URL is set, on PostgreSQL. What bench() passes to `print` goes to
 * the console and, at the end, into the benchmark's section of RESULTS.md.
 */
export async function runBench(name: string, bench: (label: string, config: DbConfig, print: (line: string) => void) => Promise<void>) {
  const lines: string[] = [];
  const print = (line: string) => {
    console.info(line);
    lines.push(line);
  };
  print(machineLine());
  print(loadLine());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gocua-bench-'));
  try {
    await bench('SQLite', { dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') }, print);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!url) {
    print(`PostgreSQL: skipped (set DATABASE_URL or TEST_DATABASE_URL, e.g. bash .ci/with-postgres.sh npm run bench -- ${name})`);
  } else {
    const scratch = await scratchPostgres(url, 'gocua_bench');
    try {
      await bench('PostgreSQL', { dialect: 'postgres', url: scratch.url }, print);
    } finally {
      await scratch.drop();
    }
  }
  writeSection(name, `## ${name}\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``);
}
