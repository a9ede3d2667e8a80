// @vitest-environment node
// The console's ward reports on SQLite and (when available) PostgreSQL:
// GET /api/v1/reports/activity under every filter, and the printable door
// list, each against an oracle computed here in JS from the records pushed;
// who may read them (per role).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createVisitRecord } from '../factories/records';
import { addVisitWork, generateWard } from '../factories/generate';
import { setTargets } from '../support/wardTables';
import { activityReportSchema, doorListSchema, type ActivityReport } from '../../src/shared/console';
import { PLATFORMS, PLATFORM_STEPS } from '../../src/shared/platforms';
import type { Mutation, PushResponse } from '../../src/shared/protocol';
import type { Household, Visit } from '../../src/shared/schemas';

warnIfNoPostgres();

const WARD = 'CUANAM';
const OTHER = 'HANGBONG';
const hanoiDay = (at: string) => new Date(Date.parse(at) + 7 * 3600_000).toISOString().slice(0, 10);

interface Filters { group?: string; from?: string; to?: string; volunteer?: string; channel?: 'door' | 'literacy_point' }

/** The oracle: the activity report, from the records as pushed (the households' final state). */
function expected(households: Household[], visits: Visit[], f: Filters, names: Map<string, string>, volunteersOf: Map<string, string[]>, targets: { independent: number; groups: Map<string, number | null> }) {
  const liveH = new Map(households.filter((h) => !h.deleted).map((h) => [h.id, h]));
  const groupOf = (v: Visit) => (v.householdId ? households.find((h) => h.id === v.householdId)?.group ?? null : null);
  const V = visits.filter(
    (v) =>
      !v.deleted &&
      (!f.from || hanoiDay(v.at) >= f.from) &&
      (!f.to || hanoiDay(v.at) <= f.to) &&
      (!f.group || groupOf(v) === f.group) &&
      (!f.volunteer || v.volunteerId === f.volunteer) &&
      (!f.channel || v.channel === f.channel),
  );
  const groups = [...new Set([...liveH.values()].map((h) => h.group).concat([...targets.groups.keys()]))].filter((g) => !f.group || g === f.group);
  const targetRows = groups.map((g) => ({
    group: g,
    households: [...liveH.values()].filter((h) => h.group === g).length,
    reached: new Set(V.filter((v) => v.householdId && liveH.get(v.householdId)?.group === g && (v.outcome === 'helped' || v.outcome === 'revisit')).map((v) => v.householdId)).size,
    targetHouseholds: targets.groups.get(g) ?? null,
  }));
  const aloneEntries = V.flatMap((v) => v.people.filter((p) => (p.independent ?? []).length > 0));
  const independent = new Set(aloneEntries.filter((p) => p.personId).map((p) => p.personId)).size + aloneEntries.filter((p) => !p.personId).length;
  const volIds = new Set(V.map((v) => v.volunteerId));
  for (const [id, gs] of volunteersOf) if ((!f.volunteer || id === f.volunteer) && (!f.group || gs.includes(f.group))) volIds.add(id);
  const volunteers = [...volIds].map((id) => {
    const mine = V.filter((v) => v.volunteerId === id);
    return {
      userId: id,
      visits: mine.length,
      households: new Set(mine.filter((v) => v.householdId && liveH.has(v.householdId)).map((v) => v.householdId)).size,
      peopleHelped: mine.filter((v) => v.outcome === 'helped').reduce((s, v) => s + v.people.length, 0),
      displayName: names.get(id) ?? null,
    };
  });
  const points = [...new Set(V.filter((v) => v.channel === 'literacy_point').map((v) => v.literacyPointId!))].map((lp) => {
    const at = V.filter((v) => v.channel === 'literacy_point' && v.literacyPointId === lp);
    return {
      literacyPoint: lp,
      walkIns: at.length,
      people: at.reduce((s, v) => s + v.people.length, 0),
      services: at.reduce((s, v) => s + v.services.length, 0),
      independent: at.reduce((s, v) => s + v.people.filter((p) => (p.independent ?? []).length > 0).length, 0),
    };
  });
  const funnel = PLATFORMS.map((platform) => {
    const entries = V.flatMap((v) => v.people).filter((p) => p.steps.some((s) => s.platform === platform) || p.independent?.includes(platform));
    const status = (p: (typeof entries)[number], step: string) => p.steps.filter((s) => s.platform === platform && s.step === step).at(-1)?.status;
    return {
      platform,
      people: entries.length,
      steps: PLATFORM_STEPS[platform].map((step) => ({ step, done: entries.filter((p) => status(p, step) === 'done').length, blocked: entries.filter((p) => status(p, step) === 'blocked').length })),
      independent: entries.filter((p) => p.independent?.includes(platform)).length,
    };
  });
  const perDay = new Map<string, { door: number; literacyPoint: number }>();
  for (const v of V) {
    const d = perDay.get(hanoiDay(v.at)) ?? { door: 0, literacyPoint: 0 };
    if (v.channel === 'door') d.door += 1;
    else d.literacyPoint += 1;
    perDay.set(hanoiDay(v.at), d);
  }
  return {
    totals: {
      visits: V.length,
      door: V.filter((v) => v.channel === 'door').length,
      literacyPoint: V.filter((v) => v.channel === 'literacy_point').length,
      households: new Set(V.filter((v) => v.householdId && liveH.has(v.householdId)).map((v) => v.householdId)).size,
      people: V.reduce((s, v) => s + v.people.length, 0),
    },
    targetRows,
    independent,
    volunteers,
    points,
    funnel,
    perDay,
  };
}

const byKey = <T,>(key: keyof T) => (a: T, b: T) => String(a[key]).localeCompare(String(b[key]));

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`console reports on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let lan: TestUser;
    let minh: TestUser;
    let supCookie: string;
    const households: Household[] = [];
    const visits: Visit[] = [];
    const names = new Map<string, string>();
    const volunteersOf = new Map<string, string[]>();
    const targetGroups = new Map<string, number | null>([
      ['TDP 1', 40],
      ['TDP 2', null],
      ['TDP 3', 25],
      ['TDP 9', 10], // a group with a target and no household yet
    ]);

    async function push(cookie: string, ms: Mutation[], box = new Outbox()) {
      for (let i = 0; i < ms.length; i += 400) {
        const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(ms.slice(i, i + 400)) });
        expect(r.status).toBe(200);
        expect((r.body as PushResponse).results.filter((x) => x.status !== 'applied')).toEqual([]);
      }
    }

    async function activity(query: string, cookie = supCookie): Promise<ActivityReport> {
      const r = await s.request('GET', `/api/v1/reports/activity${query}`, { cookie });
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
      return activityReportSchema.parse(r.body);
    }

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      sup = await s.createUser({ role: 'supervisor', groups: [] });
      lan = await s.createUser({ role: 'volunteer', groups: ['TDP 1', 'TDP 2', 'TDP 3', 'TDP 4', 'TDP 9'] });
      minh = await s.createUser({ role: 'volunteer', groups: ['TDP 5', 'TDP 6'] });
      await s.createUser({ role: 'volunteer', wardCode: OTHER, groups: ['TDP 1'] });
      await s.db.kysely.updateTable('users').set({ display_name: 'Nguyễn Thị Lan' }).where('id', '=', lan.id).execute();
      await s.db.kysely.updateTable('users').set({ display_name: 'Trần Văn Minh' }).where('id', '=', minh.id).execute();
      names.set(lan.id, 'Nguyễn Thị Lan').set(minh.id, 'Trần Văn Minh').set(sup.id, sup.username);
      volunteersOf.set(lan.id, ['TDP 1', 'TDP 2', 'TDP 3', 'TDP 4', 'TDP 9']).set(minh.id, ['TDP 5', 'TDP 6']);
      await setTargets(s.db, WARD, 30, [...targetGroups].map(([code, target]) => ({ code, target })));
      supCookie = (await s.login(sup.username, sup.password)).cookie;

      // Visits over two weeks, by two volunteers, with checklist work.
      const ward = generateWard({ seed: 7, households: 120, wardCode: WARD, groups: 6, volunteerId: lan.id, baseTime: Date.UTC(2026, 7, 1, 1) });
      addVisitWork(ward);
      // The server stamps a visit with the volunteer who pushed it: each
      // volunteer pushes the visits of their own groups.
      const minhGroups = new Set(['TDP 5', 'TDP 6']);
      const groupOfH = new Map(ward.households.map((h) => [h.id, h.group]));
      ward.visits.forEach((v, i) => {
        v.at = new Date(Date.UTC(2026, 7, 1, 1) + (i % 14) * 86_400_000 + (i % 5) * 3_600_000 * 4).toISOString();
        v.volunteerId = minhGroups.has(groupOfH.get(v.householdId!)!) ? minh.id : lan.id;
      });
      households.push(...ward.households);
      visits.push(...ward.visits);
      await push(supCookie, [...ward.households.map((h) => new Outbox().create('household', h)), ...ward.people.map((p) => new Outbox().create('person', p))].map((m, i) => ({ ...m, seq: i + 1 })));
      const lanCookie = (await s.login(lan.username, lan.password)).cookie;
      const minhCookie = (await s.login(minh.username, minh.password)).cookie;
      const lanBox = new Outbox();
      const minhBox = new Outbox();
      await push(lanCookie, ward.visits.filter((v) => v.volunteerId === lan.id).map((v) => lanBox.create('visit', v)), lanBox);
      await push(minhCookie, ward.visits.filter((v) => v.volunteerId === minh.id).map((v) => minhBox.create('visit', v)), minhBox);

      // Walk-ins at two literacy points; one at 23:30Z (06:30 next day in Hanoi).
      const anyH = ward.households[0]!.id;
      const walkIn = (lp: string, at: string, extra: Partial<Visit> = {}) => {
        const v = createVisitRecord(anyH, { channel: 'literacy_point', literacyPointId: lp, at, volunteerId: lan.id, outcome: 'helped', ...extra });
        delete v.householdId;
        return v;
      };
      const walkIns = [
        walkIn('Nhà văn hoá TDP 3', '2026-08-03T02:00:00.000Z', {
          people: [
            { walkInName: 'Đỗ Văn Hùng', steps: [{ platform: 'ihanoi', step: 'installed', status: 'done' }], independent: ['ihanoi'] },
            { walkInName: 'Lê Thị Hoa', steps: [{ platform: 'vneid', step: 'installed', status: 'blocked', blocker: 'no_smartphone' }] },
          ],
          services: ['Đăng ký tạm trú', 'Cấp đổi căn cước'],
        }),
        walkIn('Nhà văn hoá TDP 3', '2026-08-04T23:30:00.000Z', { people: [{ walkInName: 'Phạm Văn An', steps: [], independent: ['vneid'] }] }),
        walkIn('Điểm Quán Sứ', '2026-08-06T03:00:00.000Z', { volunteerId: minh.id, people: [{ walkInName: 'Bùi Thị Mai', steps: [{ platform: 'nationalPortal', step: 'account', status: 'done' }] }] }),
      ];
      // A deleted visit, and a visit of a household deleted later: neither counts as reached.
      const gone = createHouseholdRecord({ group: 'TDP 1' });
      const goneV = createVisitRecord(gone.id, { at: '2026-08-05T02:00:00.000Z', volunteerId: sup.id, outcome: 'helped' });
      const delV = createVisitRecord(ward.households[1]!.id, { at: '2026-08-05T02:00:00.000Z', volunteerId: sup.id, deleted: true });
      // A household that moves group after its visit: its visit counts in the new group.
      const mover = createHouseholdRecord({ group: 'TDP 2', address: { houseNumber: '7', lane: 'Ngõ 45', street: 'Hàng Bông' } });
      const moverV = createVisitRecord(mover.id, { at: '2026-08-07T02:00:00.000Z', volunteerId: sup.id, outcome: 'revisit' });
      await push(lanCookie, walkIns.filter((v) => v.volunteerId === lan.id).map((v) => lanBox.create('visit', v)), lanBox);
      await push(minhCookie, walkIns.filter((v) => v.volunteerId === minh.id).map((v) => minhBox.create('visit', v)), minhBox);
      const box = new Outbox();
      await push(supCookie, [
        box.create('household', gone),
        box.create('visit', goneV),
        box.create('visit', delV),
        box.create('household', mover),
        box.create('visit', moverV),
        box.remove('household', gone.id),
        box.update('household', mover, { ...mover, group: 'TDP 3' }),
      ], box);
      households.push({ ...gone, deleted: true }, { ...mover, group: 'TDP 3' });
      visits.push(...walkIns, goneV, delV, moverV);
      // Somebody in the other ward, never counted here.
      const other = await s.createUser({ role: 'supervisor', wardCode: OTHER });
      const oc = (await s.login(other.username, other.password)).cookie;
      const oh = createHouseholdRecord({ wardCode: OTHER, group: 'TDP 1' });
      const ob = new Outbox();
      await push(oc, [ob.create('household', oh), ob.create('visit', createVisitRecord(oh.id, { wardCode: OTHER, at: '2026-08-03T02:00:00.000Z', volunteerId: lan.id }))], ob);
    });
    afterAll(async () => {
      await s?.close();
    });

    const cases: Array<[string, Filters]> = [
      ['no filter', {}],
      ['one group', { group: 'TDP 3' }],
      ['a date range (Hanoi days)', { from: '2026-08-03', to: '2026-08-05' }],
      ['one day: a walk-in at 23:30Z belongs to the next Hanoi day', { from: '2026-08-05', to: '2026-08-05' }],
      ['one volunteer', { volunteer: 'MINH' }],
      ['walk-ins only', { channel: 'literacy_point' }],
      ['door visits of one group and volunteer over a week', { group: 'TDP 1', volunteer: 'LAN', channel: 'door', from: '2026-08-01', to: '2026-08-07' }],
      ['a group nobody lives in yet', { group: 'TDP 9' }],
    ];

    it.each(cases)('activity with %s equals the oracle', async (_, raw) => {
      const f = { ...raw, ...(raw.volunteer ? { volunteer: raw.volunteer === 'MINH' ? minh.id : lan.id } : {}) };
      const q = new URLSearchParams(Object.entries(f) as [string, string][]).toString();
      const got = await activity(q ? `?${q}` : '');
      const want = expected(households, visits, f, names, volunteersOf, { independent: 30, groups: targetGroups });
      expect(got.wardCode).toBe(WARD);
      expect(got.totals).toEqual(want.totals);
      expect(got.targets.groups.map(({ name: _n, ...g }) => g).sort(byKey('group'))).toEqual(want.targetRows.sort(byKey('group')));
      expect(got.targets.independent).toEqual({ people: want.independent, target: 30 });
      expect(got.volunteers.map(({ lastSyncAt: _l, ...v }) => v).sort(byKey('userId'))).toEqual(want.volunteers.sort(byKey('userId')));
      expect(got.literacyPoints.sort(byKey('literacyPoint'))).toEqual(want.points.sort(byKey('literacyPoint')));
      expect(got.funnel).toEqual(want.funnel);
      const days = got.visitsPerDay.filter((d) => d.door + d.literacyPoint > 0);
      expect(Object.fromEntries(days.map((d) => [d.day, { door: d.door, literacyPoint: d.literacyPoint }]))).toEqual(Object.fromEntries(want.perDay));
      // Days run without a gap, from the filter's first day (or the first visit) to its last.
      for (let i = 1; i < got.visitsPerDay.length; i++) expect(Date.parse(got.visitsPerDay[i]!.day) - Date.parse(got.visitsPerDay[i - 1]!.day)).toBe(86_400_000);
      if (f.from && f.to) expect([got.visitsPerDay[0]?.day, got.visitsPerDay.at(-1)?.day]).toEqual([f.from, f.to]);
    });

    it('the figures are not trivially empty', async () => {
      const all = await activity('');
      expect(all.totals.visits).toBeGreaterThan(100);
      expect(all.totals.literacyPoint).toBe(3);
      expect(all.literacyPoints.map((p) => p.literacyPoint).sort()).toEqual(['Nhà văn hoá TDP 3', 'Điểm Quán Sứ']);
      expect(all.targets.groups.find((g) => g.group === 'TDP 1')?.reached).toBeGreaterThan(0);
      expect(all.targets.independent.people).toBeGreaterThan(2);
      expect(all.funnel.find((p) => p.platform === 'vneid')?.steps[0]?.done).toBeGreaterThan(0);
      // Groups in the ward's order (ward_groups.position first), then natural order.
      expect(all.targets.groups.map((g) => g.group)).toEqual(['TDP 1', 'TDP 2', 'TDP 3', 'TDP 9', 'TDP 4', 'TDP 5', 'TDP 6']);
    });

    it('lastSyncAt is the latest push of any of the volunteer’s devices', async () => {
      const { cookie } = await s.login(minh.username, minh.password);
      const h = households.find((x) => !x.deleted && x.group === 'TDP 5')!;
      const box = new Outbox();
      await push(cookie, [box.create('visit', createVisitRecord(h.id, { volunteerId: minh.id, at: '2026-08-20T02:00:00.000Z', outcome: 'not_home' }))], box);
      const got = await activity(`?volunteer=${minh.id}&from=2026-08-20&to=2026-08-20`);
      const row = got.volunteers.find((v) => v.userId === minh.id)!;
      expect(row.visits).toBe(1);
      const last = await s.db.kysely.selectFrom('clients').select('last_push_at').where('client_id', '=', box.clientId).executeTakeFirstOrThrow();
      expect(row.lastSyncAt).toBe(last.last_push_at);
      expect(got.volunteers.find((v) => v.userId === lan.id)).toBeUndefined();
    });

    describe('door list', () => {
      it('lists unknocked doors and due follow-ups of one group, lane by lane, with names only under consent', async () => {
        s.clock.offsetMs = Date.parse('2026-08-10T05:00:00.000Z') - Date.now();
        try {
          const r = await s.request('GET', `/api/v1/reports/doors?group=${encodeURIComponent('TDP 1')}`, { cookie: supCookie });
          expect(r.status).toBe(200);
          const list = doorListSchema.parse(r.body);
          expect(list.today).toBe('2026-08-10');
          const liveVisits = visits.filter((v) => !v.deleted);
          const latest = (h: Household) =>
            liveVisits.filter((v) => v.householdId === h.id).sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id)).at(-1);
          const want = households
            .filter((h) => !h.deleted && h.group === 'TDP 1')
            .flatMap((h): Array<{ h: Household; reason: string; due: string | null }> => {
              const v = latest(h);
              if (!v) return [{ h, reason: 'unknocked', due: null }];
              if (v.outcome !== 'revisit' && !v.followUpOn && !v.escalate) return [];
              const due = v.followUpOn ?? hanoiDay(v.at);
              return due <= '2026-08-10' ? [{ h, reason: 'follow_up', due }] : [];
            });
          const got = list.lanes.flatMap((l) => l.doors.map((d) => ({ lane: l.lane, ...d })));
          expect(got.map((d) => d.householdId).sort()).toEqual(want.map((x) => x.h.id).sort());
          expect(want.some((x) => x.reason === 'follow_up')).toBe(true);
          expect(want.some((x) => x.reason === 'unknocked')).toBe(true);
          for (const d of got) {
            const w = want.find((x) => x.h.id === d.householdId)!;
            expect(d.reason).toBe(w.reason);
            expect(d.followUpOn).toBe(w.due);
            expect(d.lane).toBe(w.h.address.lane ?? '');
            expect(d.houseNumber).toBe(w.h.address.houseNumber);
            expect(d.headName).toBe(w.h.consent.given ? w.h.headName : null);
          }
          // Nothing personal beyond the address and a consenting head's name.
          expect(JSON.stringify(r.body)).not.toMatch(/phone|notes|birthYear|disability|povertyStatus/);
          // One lane only.
          const lane = list.lanes.find((l) => l.lane !== '')!.lane;
          const one = await s.request('GET', `/api/v1/reports/doors?group=${encodeURIComponent('TDP 1')}&lane=${encodeURIComponent(lane)}`, { cookie: supCookie });
          expect(doorListSchema.parse(one.body).lanes.map((l) => l.lane)).toEqual([lane]);
        } finally {
          s.clock.offsetMs = 0;
        }
      });
    });

    describe('who may read', () => {
      it.each([
        ['volunteer', 403],
        ['responder', 403],
      ] as const)('a %s gets %i from both reports', async (role, status) => {
        const u = await s.createUser({ role, groups: ['TDP 1'] });
        const { cookie } = await s.login(u.username, u.password);
        for (const url of ['/api/v1/reports/activity', '/api/v1/reports/doors?group=TDP%201']) {
          const r = await s.request('GET', url, { cookie });
          expect(r.status, url).toBe(status);
          expect(r.body.error.code).toBe('forbidden');
        }
      });

      it('without a session both reports answer 401', async () => {
        for (const url of ['/api/v1/reports/activity', '/api/v1/reports/doors?group=TDP%201']) expect((await s.request('GET', url)).status).toBe(401);
      });

      it('a supervisor may not name another ward', async () => {
        for (const url of [`/api/v1/reports/activity?ward=${OTHER}`, `/api/v1/reports/doors?group=TDP%201&ward=${OTHER}`]) {
          const r = await s.request('GET', url, { cookie: supCookie });
          expect(r.status, url).toBe(403);
        }
        expect((await activity(`?ward=${WARD}`)).wardCode).toBe(WARD);
      });

      it('the city reads any ward it names, and must name one', async () => {
        const city = await s.createUser({ role: 'city', wardCode: '*' });
        const { cookie } = await s.login(city.username, city.password);
        const other = await activity(`?ward=${OTHER}`, cookie);
        expect(other.wardCode).toBe(OTHER);
        expect(other.totals.visits).toBe(1);
        expect((await activity(`?ward=${WARD}`, cookie)).totals).toEqual((await activity('')).totals);
        const r = await s.request('GET', '/api/v1/reports/activity', { cookie });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('invalid_request');
      });
    });
  });
}
