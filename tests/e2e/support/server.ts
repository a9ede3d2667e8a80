// The real server (src/server/app.ts, as `npm start` wires it) on a random
// port over a fresh SQLite database, serving a build of the app. With
// TEST_DATABASE_URL set (bash .ci/with-postgres.sh npm run test:e2e -- ...),
// over a fresh PostgreSQL database beside it instead.
//
// serve(distDir) restarts it on the same port and database with another build:
// that is a deployment, as far as a phone can tell (journey 4).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app';
import { openDb, type Db } from '../../../src/server/db';
import { migrate } from '../../../src/server/migrations';
import { createUser } from '../../../src/server/users';
import type { Role } from '../../../src/shared/schemas';
import { scratchPostgres } from '../../support/scratch';

// Low scrypt cost: sign-in is part of every journey, and the cost is not what they prove.
const SCRYPT_LOG_N = 10;

export interface E2EUser {
  id: string;
  username: string;
  password: string;
  displayName: string;
  groups: string[];
}

export interface RecordCounts {
  household: number;
  person: number;
  visit: number;
}

export interface E2EServer {
  url: string;
  port: number;
  db: Db;
  /** A user of the server's ward, or of `wardCode` (created with its groups as it goes); a city user has no ward. */
  createUser(u: { role?: Role; groups?: string[]; displayName?: string; username?: string; wardCode?: string }): Promise<E2EUser>;
  /** Restart on the same port and database, serving another build. */
  serve(distDir: string): Promise<void>;
  /** Live (not deleted) records on the server, read through the API as a supervisor. */
  countThroughApi(): Promise<RecordCounts>;
  /** Every record of one entity as the server has it, through the API as a supervisor. */
  recordsThroughApi(entity: keyof RecordCounts | 'case'): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export async function startServer(opts: { distDir: string; wardCode?: string }): Promise<E2EServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gocua-e2e-db-'));
  const pgAdmin = process.env.TEST_DATABASE_URL;
  const scratch = pgAdmin ? await scratchPostgres(pgAdmin, 'gocua_e2e') : undefined;
  if (scratch) console.info('[e2e] server database: PostgreSQL (TEST_DATABASE_URL)');
  const db = scratch ? openDb({ dialect: 'postgres', url: scratch.url }) : openDb({ dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') });
  await migrate(db);
  const wardCode = opts.wardCode ?? 'CUANAM';
  let app: FastifyInstance | undefined;
  let port = 0;
  let supervisor: E2EUser | undefined;
  let counter = 0;

  async function listen(distDir: string) {
    app = await buildApp({ db, distDir, scryptLogN: SCRYPT_LOG_N });
    await app.listen({ host: '127.0.0.1', port });
    const address = app.server.address();
    if (address && typeof address === 'object') port = address.port;
    server.port = port;
    server.url = `http://127.0.0.1:${port}`;
  }

  async function pullAll(): Promise<Array<{ entity: string; id: string; record: Record<string, unknown> }>> {
    supervisor ??= await server.createUser({ role: 'supervisor' });
    const login = await fetch(`${server.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: supervisor.username, password: supervisor.password }),
    });
    if (login.status !== 200) throw new Error(`supervisor sign-in failed: ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const out: Array<{ entity: string; id: string; record: Record<string, unknown> }> = [];
    let cursor = '0';
    for (;;) {
      const res = await fetch(`${server.url}/api/v1/sync/pull?cursor=${encodeURIComponent(cursor)}&limit=1000`, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`pull failed: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { changes: typeof out; cursor: string | number; hasMore: boolean };
      out.push(...body.changes);
      cursor = String(body.cursor);
      if (!body.hasMore) return out;
    }
  }

  const server: E2EServer = {
    url: '',
    port: 0,
    db,
    async createUser(u) {
      counter += 1;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const username = u.username ?? `${u.role === 'supervisor' ? 'sup' : u.role === 'volunteer' || u.role === undefined ? 'vol' : u.role}${counter}-${randomBytes(2).toString('hex')}`;
      const user = await createUser(
        db,
        {
          username,
          password,
          role: u.role ?? 'volunteer',
          ...(u.role === 'city' ? {} : { wardCode: u.wardCode ?? wardCode }), // the city has no ward
          groups: u.groups ?? [],
          ...(u.displayName ? { displayName: u.displayName } : {}),
        },
        SCRYPT_LOG_N,
      );
      return { id: user.id, username: user.username, password, displayName: user.displayName, groups: user.groups };
    },
    async serve(distDir) {
      await app?.close();
      await listen(distDir);
    },
    async countThroughApi() {
      const counts: RecordCounts = { household: 0, person: 0, visit: 0 };
      for (const c of await pullAll()) {
        if (c.record.deleted === true || !(c.entity in counts)) continue;
        counts[c.entity as keyof RecordCounts] += 1;
      }
      return counts;
    },
    async recordsThroughApi(entity) {
      return (await pullAll()).filter((c) => c.entity === entity).map((c) => c.record);
    },
    async close() {
      await app?.close().catch(() => undefined);
      await db.close();
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await listen(opts.distDir);
  return server;
}
