// Test server on a real port over a throwaway database, for the server suite
// and for the device-engine suite (two simulated devices against a real server).
//
//   const s = await startTestServer({ dialect: 'sqlite' });
//   const alice = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
//   const { cookie } = await s.login(alice.username, alice.password);
//   await s.stop({ force: true }); await s.restart(); // same database, same port
//   await s.close();                                   // stops and drops the database
//
// PostgreSQL runs only when TEST_DATABASE_URL is set (.ci/with-postgres.sh sets
// it); each server gets a fresh database created next to that one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { scratchPostgres } from '../support/scratch';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../src/server/app';
import { openDb, type Db, type Dialect } from '../../src/server/db';
import { migrate } from '../../src/server/migrations';
import { createUser, type AuthUser } from '../../src/server/users';
import type { TestHooks } from '../../src/server/context';
import type { Role } from '../../src/shared/schemas';
import { ensureWardGroups } from '../../src/server/wards';

/**
 * Fixtures: creates the ward groups that the households among `mutations`
 * name (a push refuses a group its ward does not have: unknown_group). For
 * suites that push generated wards; a test about groups creates them itself.
 */
export async function ensureGroupsOf(db: Db, mutations: readonly { entity: string; fields: Record<string, unknown> }[]): Promise<void> {
  const byWard = new Map<string, Set<string>>();
  for (const m of mutations) {
    const { wardCode, group } = m.fields;
    if (m.entity !== 'household' || typeof wardCode !== 'string' || typeof group !== 'string') continue;
    if (!byWard.has(wardCode)) byWard.set(wardCode, new Set());
    byWard.get(wardCode)!.add(group);
  }
  for (const [ward, groups] of byWard) await ensureWardGroups(db, ward, [...groups]);
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
/** Dialects to run the suite on: SQLite always, PostgreSQL when available. */
export const DIALECTS: { dialect: Dialect; skip: boolean }[] = [
  { dialect: 'sqlite', skip: false },
  { dialect: 'postgres', skip: !TEST_DATABASE_URL },
];
let warned = false;
export function warnIfNoPostgres() {
  if (!TEST_DATABASE_URL && !warned) {
    warned = true;
    console.warn('[tests/server] TEST_DATABASE_URL is not set: the PostgreSQL half is skipped. Run: bash .ci/with-postgres.sh npx vitest run tests/server');
  }
}

// Low scrypt cost for speed; one test checks the production default separately.
export const TEST_SCRYPT_LOG_N = 10;

export interface TestUser extends AuthUser {
  password: string;
}

export interface TestServer {
  dialect: Dialect;
  url: string;
  port: number;
  app: FastifyInstance;
  db: Db;
  /** Shift the server's clock (ms). */
  clock: { offsetMs: number };
  hooks: TestHooks;
  createUser(opts?: { username?: string; password?: string; role?: Role; wardCode?: string; groups?: string[] }): Promise<TestUser>;
  /** Signs in; returns the cookie header value to send back. */
  login(username: string, password: string): Promise<{ cookie: string; user: AuthUser }>;
  /** JSON request helper: returns status, parsed body (or text), and headers. */
  request(method: string, urlPath: string, opts?: { cookie?: string; body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Stops listening; force drops open connections (a crash mid-request). The database stays. */
  stop(opts?: { force?: boolean }): Promise<void>;
  /** Starts again on the same port and database. */
  restart(): Promise<void>;
  /** Stops, closes and deletes the database. */
  close(): Promise<void>;
}

export async function startTestServer(opts: {
  dialect: Dialect;
  scryptLogN?: number;
  appOptions?: Partial<BuildAppOptions>;
}): Promise<TestServer> {
  let db: Db;
  let cleanup: () => Promise<void>;
  if (opts.dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'gocua-test-'));
    db = openDb({ dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
    const created = await scratchPostgres(TEST_DATABASE_URL);
    db = openDb({ dialect: 'postgres', url: created.url, poolSize: 20 });
    cleanup = created.drop;
  }
  await migrate(db);
  const scryptLogN = opts.scryptLogN ?? TEST_SCRYPT_LOG_N;
  const clock = { offsetMs: 0 };
  const hooks: TestHooks = {};
  let port = 0;
  let app!: FastifyInstance;
  let counter = 0;

  async function listen() {
    app = await buildApp({
      db,
      scryptLogN,
      now: () => new Date(Date.now() + clock.offsetMs),
      hooks,
      ...opts.appOptions,
    });
    await app.listen({ host: '127.0.0.1', port });
    const address = app.server.address();
    if (address && typeof address === 'object') port = address.port;
    server.app = app;
    server.port = port;
    server.url = `${opts.appOptions?.https ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  const server: TestServer = {
    dialect: opts.dialect,
    url: '',
    port: 0,
    app,
    db,
    clock,
    hooks,
    async createUser(u = {}) {
      counter += 1;
      const password = u.password ?? `pw-${randomBytes(6).toString('hex')}`;
      const user = await createUser(
        db,
        {
          username: u.username ?? `user${counter}-${randomBytes(3).toString('hex')}`,
          password,
          role: u.role ?? 'volunteer',
          ...(u.role === 'city' ? {} : { wardCode: u.wardCode ?? 'CUANAM' }),
          groups: u.groups ?? [],
        },
        scryptLogN,
      );
      return { ...user, password };
    },
    async login(username, password) {
      const res = await fetch(`${server.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      const setCookie = res.headers.get('set-cookie') ?? '';
      const cookie = setCookie.split(';')[0]!;
      const body = (await res.json()) as { user: AuthUser };
      return { cookie, user: body.user };
    },
    async request(method, urlPath, r = {}) {
      const headers: Record<string, string> = { ...r.headers };
      if (r.cookie) headers.cookie = r.cookie;
      let body: string | Uint8Array | undefined;
      if (r.rawBody !== undefined) body = r.rawBody;
      else if (r.body !== undefined) body = JSON.stringify(r.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${server.url}${urlPath}`, { method, headers, body: body as BodyInit | undefined });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop(o = {}) {
      if (o.force) app.server.closeAllConnections();
      await app.close();
    },
    restart: listen,
    async close() {
      await app.close().catch(() => undefined);
      await db.close();
      await cleanup();
    },
  };
  await listen();
  return server;
}
