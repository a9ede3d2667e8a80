// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db, type RecordsTable } from './db';
import { Rejection } from './errors';
import { migrate } from './migrations';
import { checkMayChange, checkMayWrite, inScope, loadCaseLinks, scopeFilter } from './scope';
import type { AuthUser } from './users';

function user(over: Partial<AuthUser> = {}): AuthUser {
  return { id: 'vol-1', username: 'lan', displayName: 'Lan', role: 'volunteer', wardCode: 'CUANAM', groups: ['TDP 1'], disabled: false, ...over };
}

/** The record rows of one ward that the table below is about. */
const rows: Pick<RecordsTable, 'id' | 'ward_code' | 'created_by' | 'group_code'>[] = [
  { id: 'own-group', ward_code: 'CUANAM', created_by: 'vol-2', group_code: 'TDP 1' },
  { id: 'other-group', ward_code: 'CUANAM', created_by: 'vol-2', group_code: 'TDP 2' },
  { id: 'created-elsewhere', ward_code: 'CUANAM', created_by: 'vol-1', group_code: 'TDP 2' },
  { id: 'own-walk-in', ward_code: 'CUANAM', created_by: 'vol-1', group_code: null },
  { id: 'others-walk-in', ward_code: 'CUANAM', created_by: 'vol-2', group_code: null },
];

const mayChange = (u: AuthUser, row: (typeof rows)[number]) => {
  try {
    checkMayChange(u, row);
    return true;
  } catch (error) {
    if (error instanceof Rejection) return false;
    throw error;
  }
};

describe('scope', () => {
  let db: Db;
  beforeAll(async () => {
    db = openDb({ dialect: 'sqlite', file: ':memory:' });
    await migrate(db);
    await db.kysely
      .insertInto('records')
      .values(rows.map((r, i) => ({ ...r, entity: 'household', data: '{}', deleted: 0, version: i + 1, server_updated_at: '' })))
      .execute();
  });
  afterAll(() => db.close());

  it.each<[string, AuthUser, string[]]>([
    ['a supervisor sees every record of the ward', user({ role: 'supervisor', id: 'sup-1', groups: [] }), rows.map((r) => r.id)],
    // Creating a grouped record gives no lasting right to it: only walk-ins (no group) stay with their creator.
    ['a volunteer sees their groups and the walk-ins they created', user(), ['own-group', 'own-walk-in']],
    ['a volunteer without groups sees only their own walk-ins', user({ groups: [] }), ['own-walk-in']],
  ])('%s, in SQL (pull) and in JS (push) alike', async (_label, u, expected) => {
    let q = db.kysely.selectFrom('records').select('id').orderBy('version');
    const filter = scopeFilter(u);
    if (filter) q = q.where(filter);
    expect((await q.execute()).map((r) => r.id)).toEqual(expected);
    expect(rows.filter((r) => mayChange(u, r)).map((r) => r.id)).toEqual(expected);
  });

  it.each([
    ['another ward', { id: 'x', ward_code: 'OTHER', created_by: 'vol-1', group_code: 'TDP 1' }, 'wrong_ward'],
    ['a group not assigned to the user', rows[1]!, 'forbidden'],
    ['another group, though the user created it', rows[2]!, 'forbidden'],
  ])('refuses a push to a record of %s', (_label, row, code) => {
    expect(() => checkMayChange(user(), row)).toThrow(expect.objectContaining({ code }));
  });
});

// The responder's rule reads the records' JSON, so its SQL differs per database:
// both forms are compared on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
const RESPONDER_DIALECTS = [
  { dialect: 'sqlite' as const, skip: false },
  { dialect: 'postgres' as const, skip: !process.env.TEST_DATABASE_URL },
];

describe.each(RESPONDER_DIALECTS)('a responder’s scope on $dialect', ({ dialect, skip }) => {
  const H1 = '01900000-0000-7000-8000-0000000000a1'; // a household a case points at
  const H2 = '01900000-0000-7000-8000-0000000000a2'; // one no case points at
  const V1 = '01900000-0000-7000-8000-0000000000b1'; // the escalated visit
  const rec = (entity: string, id: string, data: object, over: Partial<RecordsTable> = {}) => ({
    entity, id, ward_code: 'CUANAM', created_by: 'vol-2', group_code: 'TDP 1', data: JSON.stringify({ id, ...data }), deleted: 0, server_updated_at: '', ...over,
  });
  const table = [
    rec('household', H1, { group: 'TDP 1' }),
    rec('household', H2, { group: 'TDP 1' }),
    rec('person', 'person-of-h1', { householdId: H1 }),
    rec('person', 'person-of-h2', { householdId: H2 }),
    rec('visit', V1, { householdId: H1 }),
    rec('visit', 'other-visit-of-h1', { householdId: H1 }),
    rec('visit', 'walk-in', {}, { group_code: null }),
    rec('case', 'case-1', { visitId: V1, householdId: H1 }),
    rec('case', 'walk-in-case', { visitId: 'walk-in' }, { group_code: null }),
    rec('household', 'other-ward', { group: 'TDP 1' }, { ward_code: 'HANGBAC' }),
    rec('case', 'other-ward-case', { visitId: 'x', householdId: H2 }, { ward_code: 'HANGBAC' }),
  ].map((r, i) => ({ ...r, version: i + 1 }));
  const expected = ['H1', 'person-of-h1', 'V1', 'walk-in', 'case-1', 'walk-in-case'].map((x) => ({ H1, V1 })[x as 'H1'] ?? x);

  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (skip) return;
    if (dialect === 'sqlite') db = openDb({ dialect: 'sqlite', file: ':memory:' });
    else {
      const { scratchPostgres } = await import('../../tests/support/scratch');
      const created = await scratchPostgres(process.env.TEST_DATABASE_URL!);
      db = openDb({ dialect: 'postgres', url: created.url });
      drop = created.drop;
    }
    await migrate(db);
    await db.kysely.insertInto('records').values(table).execute();
  });
  afterAll(async () => {
    if (skip) return;
    await db.close();
    await drop?.();
  });

  it.skipIf(skip)('sees the ward’s cases, their visits, households and those households’ people, in SQL (pull) and in JS alike', async () => {
    const responder = user({ id: 'resp-1', role: 'responder', groups: [] });
    const q = db.kysely.selectFrom('records').select('id').where('ward_code', '=', 'CUANAM').where(scopeFilter(responder, dialect)!).orderBy('version');
    expect((await q.execute()).map((r) => r.id)).toEqual(expected);
    const links = await loadCaseLinks(db.kysely, 'CUANAM');
    expect(table.filter((r) => r.ward_code === 'CUANAM' && inScope(responder, r, links)).map((r) => r.id)).toEqual(expected);
  });

  it.skipIf(skip)('may change a case, and nothing else, without knowing the links', () => {
    const responder = user({ id: 'resp-1', role: 'responder', groups: [] });
    const byId = (id: string) => table.find((r) => r.id === id)!;
    expect(() => checkMayChange(responder, byId('case-1'))).not.toThrow();
    expect(() => checkMayChange(responder, byId(H1))).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => checkMayWrite(responder, 'household')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => checkMayWrite(responder, 'case')).not.toThrow();
  });
});
