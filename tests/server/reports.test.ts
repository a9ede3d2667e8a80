// @vitest-environment node
// Supervisor reports: the summary (SQL aggregates) against an independent
// computation in JS over the same generated records, and the streaming CSV
// export, on SQLite and (when available) PostgreSQL.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox, household, person, visit } from './fixtures';
import { generateWard } from '../factories/generate';
import { BLOCKERS, PLATFORMS, PLATFORM_STEPS } from '../../src/shared/platforms';
import { priorityReasons } from '../../src/shared/priority';
import { EXPORT_COLUMNS, EXPORT_FORMAT_VERSION, reportSummarySchema, type ReportSummary } from '../../src/shared/reports';
import type { Mutation, PushResponse } from '../../src/shared/protocol';
import type { Household, Person, Visit } from '../../src/shared/schemas';

warnIfNoPostgres();

const WARD = 'CUANAM';
const OTHER_WARD = 'HANGBONG';

/** The oracle: what the summary must say, computed in JS from the records we pushed. */
function expectedSummary(households: Household[], people: Person[], visits: Visit[], year: number) {
  const liveH = new Map(households.filter((h) => !h.deleted).map((h) => [h.id, h]));
  const liveV = visits.filter((v) => !v.deleted);
  const latest = new Map<string, Visit>();
  for (const v of liveV) {
    if (!v.householdId) continue;
    const cur = latest.get(v.householdId);
    const t = Date.parse(v.at);
    if (!cur || t > Date.parse(cur.at) || (t === Date.parse(cur.at) && v.id > cur.id)) latest.set(v.householdId, v);
  }
  const livePeople = people.filter((p) => !p.deleted && liveH.has(p.householdId));
  const coverage = new Map<string, ReportSummary['coverage'][number]>();
  for (const h of liveH.values()) {
    const c = coverage.get(h.group) ?? { group: h.group, households: 0, visited: 0, notHome: 0, declined: 0, unknocked: 0, people: 0, priorityPeople: 0 };
    c.households += 1;
    const o = latest.get(h.id)?.outcome;
    if (o === 'helped' || o === 'revisit') c.visited += 1;
    else if (o === 'not_home') c.notHome += 1;
    else if (o === 'declined') c.declined += 1;
    else c.unknocked += 1;
    coverage.set(h.group, c);
  }
  for (const p of livePeople) {
    const h = liveH.get(p.householdId)!;
    const c = coverage.get(h.group)!;
    c.people += 1;
    if (priorityReasons({ birthYear: p.birthYear, disability: p.flags.disability, povertyStatus: h.povertyStatus }, year).length > 0) c.priorityPeople += 1;
  }
  const funnel = PLATFORMS.map((platform) => ({
    platform,
    people: livePeople.length,
    steps: PLATFORM_STEPS[platform].map((step) => {
      const statuses = livePeople.map((p) => (p.platforms[platform].steps as Record<string, { status: string }>)[step]!.status);
      return { step, done: statuses.filter((s) => s === 'done').length, blocked: statuses.filter((s) => s === 'blocked').length };
    }),
    independent: livePeople.filter((p) => p.platforms[platform].independent).length,
  }));
  const blockers: ReportSummary['blockers'] = [];
  for (const platform of PLATFORMS) {
    for (const blocker of BLOCKERS) {
      const count = livePeople.filter((p) =>
        Object.values(p.platforms[platform].steps as Record<string, { status: string; blocker?: string }>).some((s) => s.status === 'blocked' && s.blocker === blocker),
      ).length;
      if (count > 0) blockers.push({ platform, blocker, count });
    }
  }
  return {
    coverage: [...coverage.values()],
    funnel,
    blockers,
    visits: {
      total: liveV.length,
      door: liveV.filter((v) => v.channel === 'door').length,
      literacyPoint: liveV.filter((v) => v.channel === 'literacy_point').length,
      helped: liveV.filter((v) => v.outcome === 'helped').length,
      escalations: liveV.filter((v) => v.escalate !== undefined).length,
    },
  };
}

const byGroup = (rows: { group: string }[]) => [...rows].sort((a, b) => a.group.localeCompare(b.group));

/** A tiny RFC 4180 parser: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (ch === '"' || ch === '\r' || ch === '\n') {
      throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
    } else field += ch;
  }
  if (field !== '' || row.length > 0 || quoted) throw new Error('the last record does not end with CRLF');
  return rows;
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`reports on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let vol: TestUser;
    let otherSup: TestUser;
    let supCookie: string;
    let volCookie: string;
    let otherCookie: string;
    const households: Household[] = [];
    const people: Person[] = [];
    const visits: Visit[] = [];

    async function pushAll(cookie: string, mutations: (box: Outbox) => Mutation[], box = new Outbox()) {
      const all = mutations(box);
      for (let i = 0; i < all.length; i += 400) {
        const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(all.slice(i, i + 400)) });
        expect(r.status).toBe(200);
        const rejected = (r.body as PushResponse).results.filter((x) => x.status !== 'applied');
        expect(rejected).toEqual([]);
      }
      return box;
    }

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      sup = await s.createUser({ role: 'supervisor' });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      otherSup = await s.createUser({ role: 'supervisor', wardCode: OTHER_WARD });
      await s.db.kysely.updateTable('users').set({ display_name: 'Nguyễn Thị Ánh' }).where('id', '=', vol.id).execute();
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      volCookie = (await s.login(vol.username, vol.password)).cookie;
      otherCookie = (await s.login(otherSup.username, otherSup.password)).cookie;

      // A realistic ward, pushed as creates exactly as devices would.
      const ward = generateWard({ seed: 42, households: 150, wardCode: WARD, groups: 6, volunteerId: vol.id });
      // Give some visits checklist work, people and escalations (the generator leaves them empty).
      ward.visits.forEach((v, i) => {
        const hp = ward.people.filter((p) => p.householdId === v.householdId);
        if (v.outcome === 'helped' && hp.length > 0) {
          v.people = hp.slice(0, 2).map((p) => ({
            personId: p.id,
            steps: [
              { platform: 'vneid', step: 'installed', status: 'done' },
              ...(i % 3 === 0 ? [{ platform: 'vneid' as const, step: 'level2', status: 'blocked' as const, blocker: 'nfc_unreadable' as const }] : []),
            ],
            independent: i % 4 === 0 ? ['ihanoi'] : [],
          }));
        }
        if (i % 11 === 0) v.escalate = { reason: 'identity_verification', detail: 'Cần công an phường xác thực' };
      });
      households.push(...ward.households);
      people.push(...ward.people);
      visits.push(...ward.visits);
      await pushAll(supCookie, (box) => [
        ...ward.households.map((h) => box.create('household', h)),
        ...ward.people.map((p) => box.create('person', p)),
        ...ward.visits.map((v) => box.create('visit', v)),
      ]);

      // Latest-visit semantics across time zones: B is later in UTC although its
      // string sorts first. Pushed in reverse order.
      const tz = household({ group: 'TDP 2', headName: 'Nguyễn Thị Ánh' });
      const a = visit(tz.id, { at: '2026-08-02T08:00:00.000+07:00', outcome: 'declined', volunteerId: vol.id }); // 01:00Z
      const b = visit(tz.id, { at: '2026-08-02T02:00:00.000Z', outcome: 'not_home', volunteerId: vol.id });
      // Tombstones: a deleted household with its person and a visit, a deleted
      // person, and a visit created as deleted. None may count anywhere.
      const gone = household({ group: 'TDP 1', povertyStatus: 'poor' });
      const goneP = person(gone.id);
      const goneV = visit(gone.id, { outcome: 'helped' });
      const delP = person(tz.id, { birthYear: 1940 });
      const delV = visit(tz.id, { at: '2026-08-03T02:00:00.000Z', outcome: 'helped', deleted: true });
      // A walk-in at a literacy point: a visit with no household.
      const walkIn = visit(tz.id, {
        channel: 'literacy_point',
        literacyPointId: 'Nhà văn hoá TDP 3',
        outcome: 'helped',
        people: [{ walkInName: 'Đỗ Văn Hùng', steps: [{ platform: 'ihanoi', step: 'installed', status: 'done' }] }],
      });
      delete walkIn.householdId;
      await pushAll(supCookie, (box) => [
        box.create('household', tz),
        box.create('visit', b),
        box.create('visit', a),
        box.create('household', gone),
        box.create('person', goneP),
        box.create('visit', goneV),
        box.create('person', delP),
        box.create('visit', delV),
        box.create('visit', walkIn),
        box.remove('household', gone.id),
        box.remove('person', delP.id),
      ]);
      households.push(tz, { ...gone, deleted: true });
      people.push(goneP, { ...delP, deleted: true });
      visits.push(a, b, goneV, delV, walkIn);

      // Another ward, same group names: must never show up.
      const other = generateWard({ seed: 7, households: 30, wardCode: OTHER_WARD, groups: 6 });
      await pushAll(otherCookie, (box) => [
        ...other.households.map((h) => box.create('household', h)),
        ...other.people.map((p) => box.create('person', p)),
        ...other.visits.map((v) => box.create('visit', v)),
      ]);
    }, 60_000);
    afterAll(async () => {
      await s?.close();
    });

    describe('GET /api/v1/reports/summary', () => {
      it('answers the contract schema with the same numbers as an independent computation', async () => {
        const r = await s.request('GET', '/api/v1/reports/summary', { cookie: supCookie });
        expect(r.status).toBe(200);
        const summary = reportSummarySchema.strict().parse(r.body);
        const expected = expectedSummary(households, people, visits, new Date().getFullYear());
        expect(summary.wardCode).toBe(WARD);
        expect(Math.abs(Date.parse(summary.generatedAt) - Date.now())).toBeLessThan(60_000);
        expect(byGroup(summary.coverage)).toEqual(byGroup(expected.coverage));
        expect(summary.funnel).toEqual(expected.funnel);
        expect(summary.blockers).toEqual(expected.blockers);
        expect(summary.visits).toEqual(expected.visits);
        // The data is not degenerate: every bucket and kind is exercised.
        const totals = summary.coverage.reduce((t, c) => ({ v: t.v + c.visited, n: t.n + c.notHome, d: t.d + c.declined, u: t.u + c.unknocked, p: t.p + c.priorityPeople }), { v: 0, n: 0, d: 0, u: 0, p: 0 });
        expect(Object.values(totals).every((x) => x > 0)).toBe(true);
        expect(summary.blockers.length).toBeGreaterThan(3);
        expect(summary.visits.escalations).toBeGreaterThan(0);
        expect(summary.visits.literacyPoint).toBe(1);
        // Groups in natural order.
        expect(summary.coverage.map((c) => c.group)).toEqual(summary.coverage.map((c) => c.group).sort((x, y) => x.localeCompare(y, 'vi', { numeric: true })));
      });

      it('takes the latest visit by time in UTC, not by the text of `at`, and ignores tombstones', async () => {
        const r = await s.request('GET', '/api/v1/reports/summary', { cookie: supCookie });
        const expected = expectedSummary(households, people, visits, new Date().getFullYear());
        const tdp2 = (r.body as ReportSummary).coverage.find((c) => c.group === 'TDP 2')!;
        expect(tdp2).toEqual(expected.coverage.find((c) => c.group === 'TDP 2'));
        // The oracle itself: the household's latest is the not_home visit.
        const tz = households.find((h) => h.headName === 'Nguyễn Thị Ánh' && h.group === 'TDP 2')!;
        const latest = visits.filter((v) => v.householdId === tz.id && !v.deleted).sort((x, y) => Date.parse(y.at) - Date.parse(x.at))[0]!;
        expect(latest.outcome).toBe('not_home');
      });

      it('shows another ward only its own records', async () => {
        const r = await s.request('GET', '/api/v1/reports/summary', { cookie: otherCookie });
        expect(r.status).toBe(200);
        const other = generateWard({ seed: 7, households: 30, wardCode: OTHER_WARD, groups: 6 });
        const expected = expectedSummary(other.households, other.people, other.visits, new Date().getFullYear());
        const summary = r.body as ReportSummary;
        expect(summary.wardCode).toBe(OTHER_WARD);
        expect(byGroup(summary.coverage)).toEqual(byGroup(expected.coverage));
        expect(summary.visits).toEqual(expected.visits);
        expect(summary.funnel[0]!.people).toBe(other.people.length);
      });

      it('is for supervisors: volunteer 403, no session 401', async () => {
        const v = await s.request('GET', '/api/v1/reports/summary', { cookie: volCookie });
        expect(v.status).toBe(403);
        expect(v.body.error.code).toBe('forbidden');
        const none = await s.request('GET', '/api/v1/reports/summary');
        expect(none.status).toBe(401);
        expect(none.body.error.code).toBe('unauthenticated');
        expect(none.headers.get('cache-control')).toBe('no-store');
      });

      it('answers an empty ward with zeros', async () => {
        const lone = await s.createUser({ role: 'supervisor', wardCode: 'EMPTY' });
        const { cookie } = await s.login(lone.username, lone.password);
        const r = await s.request('GET', '/api/v1/reports/summary', { cookie });
        expect(r.status).toBe(200);
        const summary = reportSummarySchema.parse(r.body);
        expect(summary.coverage).toEqual([]);
        expect(summary.blockers).toEqual([]);
        expect(summary.funnel.map((f) => f.people)).toEqual([0, 0, 0, 0]);
        expect(summary.visits).toEqual({ total: 0, door: 0, literacyPoint: 0, helped: 0, escalations: 0 });
      });
    });
  });
}

void http;
void EXPORT_COLUMNS;
void EXPORT_FORMAT_VERSION;
void parseCsv;
