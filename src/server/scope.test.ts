// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db, type RecordsTable } from './db';
import { Rejection } from './errors';
import { migrate } from './migrations';
import { checkMayChange, scopeFilter } from './scope';
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
