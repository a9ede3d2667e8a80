// @vitest-environment node
// Supervisor reports: the summary (SQL aggregates) against an independent
// computation in JS over the same generated records, and the streaming CSV
// export, on SQLite and (when available) PostgreSQL.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, ensureGroupsOf, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import { addVisitWork, generateWard } from '../factories/generate';
import { BLOCKERS, PLATFORMS, PLATFORM_STEPS } from '../../src/shared/platforms';
import { priorityReasons } from '../../src/shared/priority';
import { EXPORT_COLUMNS, EXPORT_FORMAT_VERSION, reportSummarySchema, type ReportSummary } from '../../src/shared/reports';
import type { Mutation, PushResponse } from '../../src/shared/protocol';
import type { Household, Person, Visit } from '../../src/shared/schemas';
import { csvCell, csvLine } from '../../src/server/reports/csv';
import { parseCsv } from './csv';

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

const guard = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

/**
 * The oracle for one CSV row, written independently of src/server/exports/.
 * Without full detail the house number, head of household and escalation
 * detail are empty (redacted by default).
 */
function expectedRow(v: Visit, h: Household | undefined, names: Map<string, string>, full = false): string[] {
  const steps = v.people.flatMap((p) => p.steps);
  const row: Record<string, string | number> = {
    visit_id: v.id,
    visited_at: v.at,
    channel: v.channel,
    literacy_point: v.literacyPointId ?? '',
    outcome: v.outcome,
    group: h?.group ?? '',
    // A deleted household is erased to its tombstone: its group is all that is left.
    house_number: full && h && !h.deleted ? h.address.houseNumber : '',
    lane: (h && !h.deleted ? h.address.lane : undefined) ?? '',
    sub_lane: (h && !h.deleted ? h.address.subLane : undefined) ?? '',
    street: h && !h.deleted ? h.address.street : '',
    head_of_household: full && h && !h.deleted ? (h.headName ?? '') : '',
    people_helped: v.people.length,
    steps_done: steps.filter((x) => x.status === 'done').length,
    steps_blocked: steps.filter((x) => x.status === 'blocked').length,
    blockers: BLOCKERS.filter((b) => steps.some((x) => x.blocker === b && x.status === 'blocked')).join('; '),
    independent_platforms: PLATFORMS.filter((p) => v.people.some((x) => x.independent?.includes(p))).join('; '),
    services: v.services.join('; '),
    follow_up_on: v.followUpOn ?? '',
    escalation_reason: v.escalate?.reason ?? '',
    volunteer: names.get(v.volunteerId) ?? v.volunteerId,
    escalation_detail: full ? (v.escalate?.detail ?? '') : '',
    // Every escalated visit opened a case, and nobody in this suite works on one.
    case_status: v.escalate ? 'open' : '',
    walk_in: v.householdId ? 'no' : 'yes',
  };
  return EXPORT_COLUMNS.map((c) => guard(String(row[c])));
}

/** The Hanoi calendar day of an instant. */
const hanoiDay = (at: string) => new Date(Date.parse(at) + 7 * 3600_000).toISOString().slice(0, 10);

/** GET over a raw socket: the body's chunks as they arrived, and the headers. */
function rawGet(url: string, cookie: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; chunks: Buffer[] }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('csvCell', () => {
  it('guards formula starts with an apostrophe, then quotes per RFC 4180', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+84912345678')).toBe("'+84912345678");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('Nguyễn Thị Ánh')).toBe('Nguyễn Thị Ánh');
    expect(csvCell(3)).toBe('3');
    expect(csvCell('')).toBe('');
    expect(csvLine(['a', 'b,c', 2])).toBe('a,"b,c",2\r\n');
    expect(parseCsv(csvLine(['x"y', 'p\r\nq', '', ',']))).toEqual([['x"y', 'p\r\nq', '', ',']]);
  });
});

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
      await ensureGroupsOf(s.db, all);
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
      addVisitWork(ward);
      ward.visits.forEach((v, i) => {
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
      const tz = createHouseholdRecord({ group: 'TDP 2', headName: 'Nguyễn Thị Ánh' });
      const a = createVisitRecord(tz.id, { at: '2026-08-02T08:00:00.000+07:00', outcome: 'declined', volunteerId: vol.id }); // 01:00Z
      const b = createVisitRecord(tz.id, { at: '2026-08-02T02:00:00.000Z', outcome: 'not_home', volunteerId: vol.id });
      // Tombstones: a deleted household with its person and a visit, a deleted
      // person, and a visit created as deleted. None may count anywhere.
      const gone = createHouseholdRecord({ group: 'TDP 1', povertyStatus: 'poor' });
      const goneP = createPersonRecord(gone.id);
      const goneV = createVisitRecord(gone.id, { outcome: 'helped' });
      const delP = createPersonRecord(tz.id, { birthYear: 1940 });
      const delV = createVisitRecord(tz.id, { at: '2026-08-03T02:00:00.000Z', outcome: 'helped', deleted: true });
      // A walk-in at a literacy point: a visit with no household.
      const walkIn = createVisitRecord(tz.id, {
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

      // Cells that need quoting or the formula guard, and Vietnamese text.
      const odd = createHouseholdRecord({
        group: 'TDP 3',
        headName: 'Nguyễn Thị Ánh, "bà Ánh"',
        address: { houseNumber: '-12', lane: 'Ngõ 45\nNgách 2', subLane: '@Ngách 7', street: 'Hàng Bông' },
      });
      const oddV = createVisitRecord(odd.id, {
        at: '2026-08-01T23:30:00.000Z', // 06:30 on 2 Aug in Hanoi
        volunteerId: vol.id,
        services: ['=HYPERLINK("http://x.example")', 'Đăng ký, tạm trú'],
        followUpOn: '2026-08-09',
        escalate: { reason: 'needs_official', detail: 'Cần cán bộ phường' },
        people: [
          {
            walkInName: 'Bà Ánh',
            steps: [
              { platform: 'vneid', step: 'installed', status: 'done' },
              { platform: 'vneid', step: 'registered', status: 'blocked', blocker: 'sim_not_own_name' },
              { platform: 'ihanoi', step: 'installed', status: 'blocked', blocker: 'phone_too_old' },
            ],
            independent: ['mpsPortal', 'vneid'],
          },
        ],
      });
      const oddWalkIn = createVisitRecord(odd.id, { channel: 'literacy_point', literacyPointId: '+84 912 345 678', outcome: 'helped', volunteerId: 'không-có-tài-khoản' });
      delete oddWalkIn.householdId;
      const tabbed = createVisitRecord(odd.id, { channel: 'literacy_point', literacyPointId: 'Điểm\tA', outcome: 'helped', services: ['\tTab'] });
      delete tabbed.householdId;
      await pushAll(supCookie, (box) => [box.create('household', odd), box.create('visit', oddV), box.create('visit', oddWalkIn), box.create('visit', tabbed)]);
      // The server sets volunteerId to whoever pushed (the supervisor here);
      // these two are stored as visits recorded before it did: by the
      // volunteer, and by an id that is no user.
      for (const v of [oddV, oddWalkIn]) {
        const row = await s.db.kysely.selectFrom('records').select('data').where('entity', '=', 'visit').where('id', '=', v.id).executeTakeFirstOrThrow();
        const data = { ...(JSON.parse(row.data) as Visit), volunteerId: v.volunteerId };
        await s.db.kysely.updateTable('records').set({ data: JSON.stringify(data) }).where('entity', '=', 'visit').where('id', '=', v.id).execute();
      }
      households.push(odd);
      visits.push(oddV, oddWalkIn, tabbed);

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
        // Every escalated visit opened a case, none taken yet (tests/server/cases.test.ts covers ages and statuses).
        expect(summary.cases.open).toBe(summary.visits.escalations);
        expect(summary.cases.byReason.reduce((t, r) => t + r.count, 0)).toBe(summary.visits.escalations);
        expect(summary.visits.literacyPoint).toBe(3);
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

    describe('GET /api/v1/exports/visits.csv', () => {
      const names = () => new Map([[vol.id, 'Nguyễn Thị Ánh'], [sup.id, sup.displayName]]);
      const storedVisit = async (v: Visit) => JSON.parse((await s.db.kysely.selectFrom('records').select('data').where('entity', '=', 'visit').where('id', '=', v.id).executeTakeFirstOrThrow()).data) as Visit;

      it('streams every visit of the ward as RFC 4180 CSV with a BOM, the contract header and the right cells', async () => {
        const r = await rawGet(`${s.url}/api/v1/exports/visits.csv`, supCookie);
        expect(r.status).toBe(200);
        expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
        const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
        const name = `gocua-visits-${WARD}-${today}-v${EXPORT_FORMAT_VERSION}.csv`;
        expect(r.headers['content-disposition']).toBe(`attachment; filename="${name}"; filename*=UTF-8''${name}`);
        expect(r.headers['cache-control']).toBe('no-store');
        const body = Buffer.concat(r.chunks);
        expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        // Vietnamese byte for byte (NFC UTF-8), as the volunteer.
        expect(body.includes(Buffer.from('Nguyễn Thị Ánh', 'utf8'))).toBe(true);
        const rows = parseCsv(body.subarray(3).toString('utf8'));
        expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
        const data = rows.slice(1);
        const live = visits.filter((v) => !v.deleted);
        expect(data).toHaveLength(live.length);
        // Every row equals the oracle's (the server stores parsed records: compare with those).
        const hById = new Map(households.map((h) => [h.id, h]));
        const got = new Map(data.map((row) => [row[0]!, row]));
        for (const v of live) {
          const stored = await storedVisit(v);
          expect(got.get(v.id), v.id).toEqual(expectedRow(stored, stored.householdId ? hById.get(stored.householdId) : undefined, names()));
        }
        // Deleted visits and other wards' visits are absent; rows come in time order.
        expect(got.has(visits.find((v) => v.deleted)!.id)).toBe(false);
        const times = data.map((row) => Date.parse(row[1]!));
        expect(times).toEqual([...times].sort((a, b) => a - b));
      });

      it('quotes commas, quotes and newlines, and defuses formulas', async () => {
        const r = await rawGet(`${s.url}/api/v1/exports/visits.csv?detail=full&reason=${encodeURIComponent('Kiểm tra định dạng')}`, supCookie);
        const text = Buffer.concat(r.chunks).subarray(3).toString('utf8');
        const rows = parseCsv(text);
        const col = (name: (typeof EXPORT_COLUMNS)[number]) => EXPORT_COLUMNS.indexOf(name);
        const odd = rows.find((row) => row[col('head_of_household')] === 'Nguyễn Thị Ánh, "bà Ánh"')!;
        expect(odd).toBeDefined();
        expect(odd[col('lane')]).toBe('Ngõ 45\nNgách 2');
        expect(odd[col('sub_lane')]).toBe("'@Ngách 7");
        expect(odd[col('house_number')]).toBe("'-12");
        expect(odd[col('services')]).toBe(`'=HYPERLINK("http://x.example"); Đăng ký, tạm trú`);
        expect(odd[col('blockers')]).toBe('phone_too_old; sim_not_own_name'); // distinct, in platforms.ts order
        expect(odd[col('independent_platforms')]).toBe('vneid; mpsPortal');
        expect(odd[col('steps_done')]).toBe('1');
        expect(odd[col('steps_blocked')]).toBe('2');
        expect(odd[col('escalation_reason')]).toBe('needs_official');
        expect(odd[col('volunteer')]).toBe('Nguyễn Thị Ánh');
        // On the wire: the quoted cell with doubled quotes, the apostrophe inside the quotes.
        expect(text).toContain(`"'=HYPERLINK(""http://x.example""); Đăng ký, tạm trú"`);
        expect(text).toContain(`"Nguyễn Thị Ánh, ""bà Ánh"""`);
        const walkIn = rows.find((row) => row[col('literacy_point')] === "'+84 912 345 678")!;
        expect(walkIn[col('group')]).toBe('');
        expect(walkIn[col('volunteer')]).toBe('không-có-tài-khoản'); // no such user: the id
        const tabbed = rows.find((row) => row[col('literacy_point')] === 'Điểm\tA')!;
        expect(tabbed[col('services')]).toBe('Tab'); // the schema trims: a leading TAB/CR cannot be stored (see the csvCell test)
        // No cell anywhere begins with a formula character.
        for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      });

      it('filters by Hanoi calendar day with ?from=&to=', async () => {
        const day = async (q: string) => {
          const r = await rawGet(`${s.url}/api/v1/exports/visits.csv?${q}`, supCookie);
          expect(r.status).toBe(200);
          return parseCsv(Buffer.concat(r.chunks).subarray(3).toString('utf8')).slice(1).map((row) => row[0]!).sort();
        };
        const live = visits.filter((v) => !v.deleted);
        const within = (from: string, to: string) => live.filter((v) => hanoiDay(v.at) >= from && hanoiDay(v.at) <= to).map((v) => v.id).sort();
        const aug2 = await day('from=2026-08-02&to=2026-08-02');
        expect(aug2).toEqual(within('2026-08-02', '2026-08-02'));
        expect(aug2).toHaveLength(3); // 06:30 in Hanoi (23:30Z the day before), 08:00 and 09:00
        expect(await day('to=2026-08-01')).toEqual(within('0000-01-01', '2026-08-01'));
        expect(await day('from=2026-08-02')).toEqual(within('2026-08-02', '9999-12-31'));
        expect(await day('from=2030-01-01')).toEqual([]);
      });

      it('refuses bad queries (400), volunteers (403) and no session (401)', async () => {
        for (const q of ['from=2026-13-01', 'from=2026-08-3', 'to=yesterday', 'from=2026-08-05&to=2026-08-01', 'limit=5', 'from=2026-08-01&from=2026-08-02']) {
          const r = await s.request('GET', `/api/v1/exports/visits.csv?${q}`, { cookie: supCookie });
          expect(r.status, q).toBe(400);
          expect(r.body.error.code, q).toBe('invalid_request');
        }
        const v = await s.request('GET', '/api/v1/exports/visits.csv', { cookie: volCookie });
        expect(v.status).toBe(403);
        expect(v.body.error.code).toBe('forbidden');
        const none = await s.request('GET', '/api/v1/exports/visits.csv');
        expect(none.status).toBe(401);
      });

      it("names the file per RFC 5987: an ASCII filename= and the exact UTF-8 filename*= with ' encoded", async () => {
        const ward = "CỬA NAM'S (cũ)*";
        const boss = await s.createUser({ role: 'supervisor', wardCode: ward });
        const { cookie } = await s.login(boss.username, boss.password);
        const r = await rawGet(`${s.url}/api/v1/exports/visits.csv`, cookie);
        expect(r.status).toBe(200);
        const header = String(r.headers['content-disposition']);
        const m = /^attachment; filename="([^"]*)"; filename\*=UTF-8''(.*)$/.exec(header);
        expect(m, header).not.toBeNull();
        const [, ascii, encoded] = m!;
        expect(ascii).toMatch(/^gocua-visits-[A-Za-z0-9_-]+-\d{4}-\d{2}-\d{2}-v\d+\.csv$/);
        // RFC 5987 attr-char only: no quote, apostrophe, parenthesis, asterisk or space left raw.
        expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
        expect(decodeURIComponent(encoded!)).toMatch(new RegExp(`^gocua-visits-CỬA NAM'S \\(cũ\\)\\*-\\d{4}-\\d{2}-\\d{2}-v${EXPORT_FORMAT_VERSION}\\.csv$`));
      });

      it("exports only the supervisor's own ward", async () => {
        const r = await rawGet(`${s.url}/api/v1/exports/visits.csv`, otherCookie);
        const rows = parseCsv(Buffer.concat(r.chunks).subarray(3).toString('utf8')).slice(1);
        const other = generateWard({ seed: 7, households: 30, wardCode: OTHER_WARD, groups: 6 });
        expect(rows.map((row) => row[0]).sort()).toEqual(other.visits.map((v) => v.id).sort());
        expect(r.headers['content-disposition']).toContain(`gocua-visits-${OTHER_WARD}-`);
      });

      it('streams 3000 visits in pages: many chunks, every visit once, in (at, id) order across ties', async () => {
        const boss = await s.createUser({ role: 'supervisor', wardCode: 'STREAM' });
        const { cookie } = await s.login(boss.username, boss.password);
        const box = new Outbox();
        const ids: string[] = [];
        for (let batch = 0; batch < 6; batch++) {
          const mutations = Array.from({ length: 500 }, (_, i) => {
            const n = batch * 500 + i;
            // Ten distinct instants, so page boundaries fall inside runs of equal `at`.
            const at = new Date(Date.UTC(2026, 7, 1, 2, n % 10)).toISOString();
            const v = createVisitRecord(createHouseholdRecord().id, {
              wardCode: 'STREAM',
              channel: 'literacy_point',
              literacyPointId: `Điểm ${n % 7}`,
              at,
              services: ['Cài VNeID, mức 2'],
              people: [{ walkInName: 'Nguyễn Thị Ánh', steps: [{ platform: 'vneid', step: 'installed', status: 'done' }] }],
            });
            delete v.householdId;
            ids.push(v.id);
            return box.create('visit', v);
          });
          const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(mutations) });
          expect(r.status).toBe(200);
          expect((r.body as PushResponse).results.every((x) => x.status === 'applied')).toBe(true);
        }
        const t0 = performance.now();
        const r = await rawGet(`${s.url}/api/v1/exports/visits.csv`, cookie);
        const ms = performance.now() - t0;
        expect(r.status).toBe(200);
        expect(r.headers['transfer-encoding']).toBe('chunked'); // no Content-Length: not built in memory first
        expect(r.chunks.length).toBeGreaterThan(3);
        const rows = parseCsv(Buffer.concat(r.chunks).subarray(3).toString('utf8')).slice(1);
        expect(rows).toHaveLength(3000);
        expect(new Set(rows.map((row) => row[0])).size).toBe(3000);
        expect(rows.map((row) => row[0]).sort()).toEqual([...ids].sort());
        const keys = rows.map((row) => `${new Date(row[1]!).toISOString()} ${row[0]}`);
        expect(keys).toEqual([...keys].sort());
        expect(ms).toBeLessThan(5000);
      }, 30_000);
    });
  });
}

