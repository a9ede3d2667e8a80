// @vitest-environment node
// Every endpoint, every role: one test per (endpoint, role), on SQLite and
// (when available) PostgreSQL. The rules are docs/API.md's "Roles" table:
//
//   volunteer   own groups of one ward: sync, attention, own session, own ward's group list
//   supervisor  one whole ward: reports, exports, erasures, its volunteers and responders, its groups
//   responder   the ward's tech response team: no records of its own yet (pull sends none, push is forbidden per mutation)
//   city        every ward, read-mostly: reports and redacted exports of a named ward, wards, supervisors; no sync
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';
import type { Role } from '../../src/shared/schemas';
import { ensureWardGroups } from '../../src/server/wards';

warnIfNoPostgres();

type Res = Awaited<ReturnType<TestServer['request']>>;

interface World {
  s: TestServer;
  users: Record<Role, TestUser>;
  cookies: Record<Role, string>;
  /** A second supervisor of the ward, a volunteer and a responder the first one manages, a supervisor of another ward. */
  peer: TestUser;
  managedVolunteer: TestUser;
  managedResponder: TestUser;
  otherSupervisor: TestUser;
  boxes: Record<Role, Outbox>;
}

const ROLES: Role[] = ['volunteer', 'supervisor', 'responder', 'city'];
let serial = 0;
const fresh = (prefix: string) => `${prefix}.${Date.now().toString(36)}.${++serial}`;

interface Row {
  name: string;
  method: string;
  url: (w: World, role: Role) => string;
  body?: (w: World, role: Role) => unknown;
  /** The status each role gets. */
  expect: Record<Role, number>;
  /** More checks on a role's answer. */
  check?: (res: Res, role: Role, w: World) => void | Promise<void>;
}

const allRoles = (status: number): Record<Role, number> => ({ volunteer: status, supervisor: status, responder: status, city: status });

const ROWS: Row[] = [
  { name: 'GET /session', method: 'GET', url: () => '/api/v1/session', expect: allRoles(200), check: (r, role) => expect(r.body.user.role).toBe(role) },
  {
    name: 'PUT /session/password (wrong current password: the role check passed)',
    method: 'PUT',
    url: () => '/api/v1/session/password',
    body: () => ({ currentPassword: 'not-the-password', newPassword: 'a-brand-new-long-password' }),
    expect: allRoles(403),
    check: (r) => expect(r.body.error.code).toBe('wrong_password'),
  },
  {
    name: 'POST /sync/push (a household in TDP 1)',
    method: 'POST',
    url: () => '/api/v1/sync/push',
    body: (w, role) => {
      const box = w.boxes[role];
      return box.body([box.create('household', createHouseholdRecord({ group: 'TDP 1' }))]);
    },
    expect: { volunteer: 200, supervisor: 200, responder: 200, city: 403 },
    check: (r, role) => {
      if (role === 'city') return expect(r.body.error.code).toBe('forbidden');
      const result = r.body.results[0];
      if (role === 'responder') expect(result).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
      else expect(result.status).toBe('applied');
    },
  },
  {
    name: 'GET /sync/pull',
    method: 'GET',
    url: () => '/api/v1/sync/pull?cursor=0',
    expect: allRoles(200),
    check: (r, role) => {
      // The supervisor and the volunteer see the ward's households; the responder and the city hold no records.
      if (role === 'responder' || role === 'city') expect(r.body.changes).toEqual([]);
      else expect(r.body.changes.length).toBeGreaterThan(0);
    },
  },
  { name: 'GET /attention', method: 'GET', url: () => '/api/v1/attention', expect: { volunteer: 200, supervisor: 200, responder: 200, city: 403 } },
  {
    name: 'GET /reports/summary',
    method: 'GET',
    url: (_w, role) => `/api/v1/reports/summary${role === 'city' ? '?ward=CUANAM' : ''}`,
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 200 },
    check: (r, role) => {
      if (r.status === 200) expect(r.body.wardCode, role).toBe('CUANAM');
    },
  },
  { name: 'GET /reports/summary of another ward', method: 'GET', url: () => '/api/v1/reports/summary?ward=HOANKIEM', expect: { volunteer: 403, supervisor: 403, responder: 403, city: 200 } },
  {
    name: 'GET /reports/summary without a ward',
    method: 'GET',
    url: () => '/api/v1/reports/summary',
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 400 },
  },
  { name: 'GET /reports/summary of a ward that does not exist', method: 'GET', url: () => '/api/v1/reports/summary?ward=NOWHERE', expect: { volunteer: 403, supervisor: 403, responder: 403, city: 404 } },
  {
    name: 'GET /exports/visits.csv',
    method: 'GET',
    url: (_w, role) => `/api/v1/exports/visits.csv${role === 'city' ? '?ward=CUANAM' : ''}`,
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 200 },
  },
  { name: 'GET /exports/visits.csv of another ward', method: 'GET', url: () => '/api/v1/exports/visits.csv?ward=HOANKIEM', expect: { volunteer: 403, supervisor: 403, responder: 403, city: 200 } },
  { name: 'GET /exports/visits.csv of every ward (*)', method: 'GET', url: () => '/api/v1/exports/visits.csv?ward=*', expect: allRoles(403) },
  {
    name: 'GET /exports/people.csv with full detail',
    method: 'GET',
    url: (_w, role) => `/api/v1/exports/people.csv?detail=full&reason=${encodeURIComponent('Danh sách cho UBND phường')}${role === 'city' ? '&ward=CUANAM' : ''}`,
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 403 },
  },
  {
    name: 'GET /audit/exports',
    method: 'GET',
    url: () => '/api/v1/audit/exports',
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 200 },
    check: (r, role) => {
      if (role === 'supervisor') expect(r.body.entries.every((e: { ward: string }) => e.ward === 'CUANAM')).toBe(true);
    },
  },
  {
    name: 'GET /privacy/erasures',
    method: 'GET',
    url: (_w, role) => `/api/v1/privacy/erasures${role === 'city' ? '?ward=CUANAM' : ''}`,
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 200 },
  },
  {
    name: 'POST /users: a volunteer of TDP 1',
    method: 'POST',
    url: () => '/api/v1/users',
    body: () => ({ username: fresh('vol'), password: 'mat-khau-that-dai', displayName: 'Nguyễn Thị Lan', role: 'volunteer', groups: ['TDP 1'] }),
    // The city's schema has wardCode and role supervisor only: a volunteer is not the city's to make.
    expect: { volunteer: 403, supervisor: 201, responder: 403, city: 400 },
  },
  {
    name: 'POST /users: a responder',
    method: 'POST',
    url: () => '/api/v1/users',
    body: () => ({ username: fresh('resp'), password: 'mat-khau-that-dai', displayName: 'Trần Văn Bình', role: 'responder', groups: [] }),
    expect: { volunteer: 403, supervisor: 201, responder: 403, city: 400 },
  },
  {
    name: 'POST /users: a supervisor of HOANKIEM',
    method: 'POST',
    url: () => '/api/v1/users',
    body: () => ({ username: fresh('sup'), password: 'mat-khau-that-dai', displayName: 'Lê Thị Hoa', role: 'supervisor', wardCode: 'HOANKIEM', groups: [] }),
    expect: { volunteer: 403, supervisor: 400, responder: 403, city: 201 },
    check: (r, role) => {
      if (role === 'city') expect(r.body.user).toMatchObject({ role: 'supervisor', wardCode: 'HOANKIEM' });
    },
  },
  {
    name: 'GET /users',
    method: 'GET',
    url: () => '/api/v1/users',
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 200 },
    check: (r, role, w) => {
      if (r.status !== 200) return;
      const wards = new Set(r.body.users.map((u: { wardCode: string }) => u.wardCode));
      if (role === 'supervisor') expect([...wards]).toEqual(['CUANAM']);
      else expect(wards).toEqual(new Set(['CUANAM', 'HOANKIEM', '*']));
      expect(r.body.users.some((u: { id: string }) => u.id === w.otherSupervisor.id)).toBe(role === 'city');
    },
  },
  {
    name: 'PATCH /users/:id of a volunteer of the ward',
    method: 'PATCH',
    url: (w) => `/api/v1/users/${w.managedVolunteer.id}`,
    body: () => ({ displayName: 'Nguyễn Thị Lan' }),
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 403 },
  },
  {
    name: 'PATCH /users/:id of a responder of the ward',
    method: 'PATCH',
    url: (w) => `/api/v1/users/${w.managedResponder.id}`,
    body: () => ({ displayName: 'Trần Văn Bình' }),
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 403 },
  },
  {
    name: 'PATCH /users/:id of another supervisor of the ward',
    method: 'PATCH',
    url: (w) => `/api/v1/users/${w.peer.id}`,
    body: () => ({ displayName: 'Phạm Văn Cường' }),
    expect: { volunteer: 403, supervisor: 403, responder: 403, city: 200 },
  },
  {
    name: "PATCH /users/:id of another ward's supervisor",
    method: 'PATCH',
    url: (w) => `/api/v1/users/${w.otherSupervisor.id}`,
    body: () => ({ displayName: 'Đỗ Thị Mai' }),
    // Another ward's users do not exist for a supervisor (404, like an unknown id).
    expect: { volunteer: 403, supervisor: 404, responder: 403, city: 200 },
  },
  {
    name: 'POST /users/:id/revoke of a volunteer of the ward',
    method: 'POST',
    url: (w) => `/api/v1/users/${w.managedVolunteer.id}/revoke`,
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 403 },
  },
  {
    name: 'POST /users/:id/revoke of another supervisor of the ward',
    method: 'POST',
    url: (w) => `/api/v1/users/${w.peer.id}/revoke`,
    expect: { volunteer: 403, supervisor: 403, responder: 403, city: 200 },
  },
  {
    name: 'POST /wards',
    method: 'POST',
    url: () => '/api/v1/wards',
    body: () => ({ code: fresh('W').replace(/\./g, '-').toUpperCase(), name: 'Phường Mới' }),
    expect: { volunteer: 403, supervisor: 403, responder: 403, city: 201 },
  },
  { name: 'GET /wards', method: 'GET', url: () => '/api/v1/wards', expect: { volunteer: 403, supervisor: 403, responder: 403, city: 200 } },
  {
    name: 'GET /wards/CUANAM (their own ward)',
    method: 'GET',
    url: () => '/api/v1/wards/CUANAM',
    expect: allRoles(200),
    check: (r) => expect(r.body.ward.groups.map((g: { code: string }) => g.code)).toEqual(['TDP 1', 'TDP 2']),
  },
  { name: 'GET /wards/HOANKIEM (another ward)', method: 'GET', url: () => '/api/v1/wards/HOANKIEM', expect: { volunteer: 403, supervisor: 403, responder: 403, city: 200 } },
  {
    name: 'PUT /wards/CUANAM/groups',
    method: 'PUT',
    url: () => '/api/v1/wards/CUANAM/groups',
    body: () => [
      { code: 'TDP 1', name: 'Tổ dân phố số 1', targetHouseholds: 400 },
      { code: 'TDP 2', name: 'Tổ dân phố số 2' },
    ],
    expect: { volunteer: 403, supervisor: 200, responder: 403, city: 200 },
  },
  {
    name: 'PUT /wards/HOANKIEM/groups (another ward)',
    method: 'PUT',
    url: () => '/api/v1/wards/HOANKIEM/groups',
    body: () => [{ code: 'TDP 1', name: 'TDP 1' }],
    expect: { volunteer: 403, supervisor: 403, responder: 403, city: 200 },
  },
  {
    name: 'POST /setup (users exist: done, whoever asks)',
    method: 'POST',
    url: () => '/api/v1/setup',
    body: () => ({ token: 'x'.repeat(43), username: 'admin', password: 'mat-khau-that-dai', displayName: 'Admin', ward: { code: 'NEW', name: 'Mới' }, groups: 'TDP 1' }),
    expect: allRoles(410),
    check: (r) => expect(r.body.error.code).toBe('setup_done'),
  },
];

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`roles on ${dialect}`, () => {
    const w = {} as World;
    beforeAll(async () => {
      w.s = await startTestServer({ dialect });
      await ensureWardGroups(w.s.db, 'CUANAM', ['TDP 1', 'TDP 2']);
      await ensureWardGroups(w.s.db, 'HOANKIEM', ['TDP 1']);
      w.users = {
        volunteer: await w.s.createUser({ role: 'volunteer', groups: ['TDP 1'] }),
        supervisor: await w.s.createUser({ role: 'supervisor' }),
        responder: await w.s.createUser({ role: 'responder' }),
        city: await w.s.createUser({ role: 'city' }),
      };
      w.peer = await w.s.createUser({ role: 'supervisor' });
      w.managedVolunteer = await w.s.createUser({ role: 'volunteer', groups: ['TDP 2'] });
      w.managedResponder = await w.s.createUser({ role: 'responder' });
      w.otherSupervisor = await w.s.createUser({ role: 'supervisor', wardCode: 'HOANKIEM' });
      w.cookies = {} as World['cookies'];
      w.boxes = {} as World['boxes'];
      for (const role of ROLES) {
        w.cookies[role] = (await w.s.login(w.users[role].username, w.users[role].password)).cookie;
        w.boxes[role] = new Outbox();
      }
    });
    afterAll(async () => {
      await w.s?.close();
    });

    describe.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
      it.each(ROLES)('%s', async (role) => {
        const res = await w.s.request(row.method, row.url(w, role), {
          cookie: w.cookies[role],
          ...(row.body ? { body: row.body(w, role) } : {}),
        });
        expect(res.status, `${role}: ${JSON.stringify(res.body)?.slice(0, 300)}`).toBe(row.expect[role]);
        if (res.status >= 400) expect(res.body.error.code).toEqual(expect.any(String));
        await row.check?.(res, role, w);
      });
    });

    it('the city user has ward "*", which is never a ward', async () => {
      expect(w.users.city.wardCode).toBe('*');
      const wards = await w.s.request('GET', '/api/v1/wards', { cookie: w.cookies.city });
      expect(wards.body.wards.map((x: { code: string }) => x.code)).not.toContain('*');
    });
  });
}
