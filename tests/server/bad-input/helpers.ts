// The world every bad-input file starts from, and the assertion they share.
//
// The standard under test: bad input gets a clear error and changes nothing.
// `refuse` asserts a 4xx with the documented { error: { code, message } }
// shape and the stable code, no 500, nothing internal in the message, and an
// unchanged database (every table, row by row).
//
// Cases are it.each rows (`Refusal`), one test each, so that one failing case
// does not hide the rest. A row's request is built when its test runs, from
// the world the file's beforeAll made (users, cookies, ids).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from '../helpers';
import { Outbox } from '../../factories/mutations';
import { createHouseholdRecord, createPersonRecord } from '../../factories/records';
import { ERROR_CODES } from '../../../src/shared/protocol';
import type { Dialect } from '../../../src/server/db';
import type { Household } from '../../../src/shared/schemas';

warnIfNoPostgres();

export type Res = Awaited<ReturnType<TestServer['request']>>;
export type RequestOptions = NonNullable<Parameters<TestServer['request']>[2]>;

const TABLES = [
  'users',
  'sessions',
  'clients',
  'records',
  'ward_counters',
  'conflicts',
  'rejected_mutations',
  'login_failures',
  'scope_exits',
  'erasures',
  'export_audit',
  'wards',
  'ward_groups',
  'setup_tokens',
  'enrolments',
  'devices',
  'ward_group_stats',
  'ward_stats',
] as const;
export type Snapshot = Record<(typeof TABLES)[number], string[]>;

// A value a strict schema must keep out of the database, wherever it is smuggled.
export const NATIONAL_ID = '001203004567';

/** `depth` arrays, one inside the other, around a string. */
export function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export interface World {
  s: TestServer;
  sup: TestUser;
  vol: TestUser;
  /** A volunteer the supervisor may manage. Its only session is revoked. */
  target: TestUser;
  otherWard: TestUser;
  /** The city (ward '*'). */
  city: TestUser;
  cityCookie: string;
  /** A volunteer whose account is disabled; its session row stays valid. */
  disabled: TestUser;
  supCookie: string;
  volCookie: string;
  disabledCookie: string;
  revokedCookie: string;
  /** The volunteer's client: a household and a person pushed, lastAppliedSeq 2. */
  seedBox: Outbox;
  seeded: Household;
}

/**
 * `bad input on <dialect>: <area>` on SQLite and (when available) PostgreSQL,
 * each with its own server and world. The world is built in beforeAll: read
 * its fields inside tests and hooks, not while the suite is being collected.
 */
export function describeBadInput(area: string, body: (w: World, dialect: Dialect) => void): void {
  for (const { dialect, skip } of DIALECTS) {
    describe.skipIf(skip)(`bad input on ${dialect}: ${area}`, () => body(badInputWorld(dialect), dialect));
  }
}

/** Starts a server on `dialect` and builds the world in beforeAll; closes it in afterAll. */
function badInputWorld(dialect: Dialect): World {
  const w = {} as World;
  beforeAll(async () => {
    const s = await startTestServer({ dialect });
    w.s = s;
    w.sup = await s.createUser({ role: 'supervisor' });
    w.vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
    w.target = await s.createUser({ role: 'volunteer', groups: ['TDP 2'] });
    w.otherWard = await s.createUser({ role: 'volunteer', wardCode: 'HOANKIEM', groups: ['TDP 1'] });
    w.disabled = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
    w.city = await s.createUser({ role: 'city' });
    w.cityCookie = (await s.login(w.city.username, w.city.password)).cookie;
    w.supCookie = (await s.login(w.sup.username, w.sup.password)).cookie;
    w.volCookie = (await s.login(w.vol.username, w.vol.password)).cookie;
    w.disabledCookie = (await s.login(w.disabled.username, w.disabled.password)).cookie;
    w.revokedCookie = (await s.login(w.target.username, w.target.password)).cookie;
    await s.db.kysely.updateTable('users').set({ disabled: 1 }).where('id', '=', w.disabled.id).execute();
    await s.db.kysely.updateTable('sessions').set({ revoked: 1 }).where('user_id', '=', w.target.id).execute();
    w.seedBox = new Outbox();
    w.seeded = createHouseholdRecord({ notes: 'Gọi trước khi đến' });
    const r = await s.request('POST', '/api/v1/sync/push', {
      cookie: w.volCookie,
      body: w.seedBox.body([w.seedBox.create('household', w.seeded), w.seedBox.create('person', createPersonRecord(w.seeded.id))]),
    });
    expect(r.status).toBe(200);
    expect(r.body.lastAppliedSeq).toBe(2);
  });
  afterAll(async () => {
    await w.s?.close();
  });
  return w;
}

/** Every row of every table, in a stable order. */
export async function snapshot(s: TestServer): Promise<Snapshot> {
  const out = {} as Snapshot;
  for (const table of TABLES) {
    const rows = await s.db.kysely.selectFrom(table).selectAll().execute();
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** The documented error shape, with the stable code and nothing internal in it. */
export function expectApiError(res: Res, status: number, code: string, label: string) {
  expect(res.status, `${label}: status (body ${JSON.stringify(res.body)?.slice(0, 300)})`).toBe(status);
  expect(res.body, `${label}: error shape`).toMatchObject({ error: { code, message: expect.any(String) } });
  expect(ERROR_CODES as readonly string[]).toContain(res.body.error.code);
  const message: string = res.body.error.message;
  expect(message.length, label).toBeGreaterThan(0);
  expect(message.length, label).toBeLessThan(300);
  // Nothing internal: no stack frame, file, driver or framework text.
  const text = JSON.stringify(res.body);
  expect(text, label).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d|stack|SQLITE|sqlite3|postgres|kysely|FST_|Error:|undefined is not|Cannot read/i);
  expect(res.headers.get('content-type'), label).toMatch(/^application\/json/);
}

/** One refused request: what to send, and the status and code it must get. */
export interface Refusal {
  name: string;
  status: number;
  code: string;
  send: (w: World) => Promise<Res>;
}

type FromWorld<T> = T | ((w: World) => T);
const resolve = <T>(v: FromWorld<T>, w: World): T => (typeof v === 'function' ? (v as (w: World) => T)(w) : v);

/** A Refusal for `method url`; the URL and the options may be built from the world. */
export function refusal(
  name: string,
  status: number,
  code: string,
  method: string,
  url: FromWorld<string>,
  opts: FromWorld<RequestOptions> = {},
): Refusal {
  return { name, status, code, send: (w) => w.s.request(method, resolve(url, w), resolve(opts, w)) };
}

/** Sends the row's request, asserts its documented error, and asserts the database did not change. */
export async function refuse(w: World, row: Refusal): Promise<Res> {
  const before = await snapshot(w.s);
  const res = await row.send(w);
  expectApiError(res, row.status, row.code, row.name);
  expect(await snapshot(w.s), `${row.name}: database changed`).toEqual(before);
  return res;
}

/** it.each rows titled by their name in full (`$name` would quote it and cut it at 40 characters). */
export function named<T extends { name: string }>(rows: readonly T[]): [string, T][] {
  return rows.map((row) => [row.name, row]);
}

/** A describe with one test per row, titled by the row's name: each is refused and changes nothing. */
export function describeRefusals(title: string, w: World, rows: readonly Refusal[]): void {
  describe(title, () => {
    it.each(named(rows))('%s', async (_, row) => {
      await refuse(w, row);
    });
  });
}
