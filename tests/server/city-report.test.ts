// @vitest-environment node
// GET /api/v1/reports/city on SQLite and (when available) PostgreSQL: one row
// per ward, each agreeing with that ward's summary and with an independent
// computation in JS over the records pushed; names and targets from the wards
// table; the city role only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer } from './helpers';
import { Outbox } from '../factories/mutations';
import { addVisitWork, generateWard, type GeneratedWard } from '../factories/generate';
import { PLATFORMS } from '../../src/shared/platforms';
import { priorityReasons } from '../../src/shared/priority';
import { cityReportSchema, reportSummarySchema, wardDashboardPath, type CityReport } from '../../src/shared/reports';
import type { PushResponse } from '../../src/shared/protocol';
import type { Visit } from '../../src/shared/schemas';
import { reportSummaryFullScan } from '../../src/server/reports/summary';
import { ensureWardGroups } from '../../src/server/wards';

warnIfNoPostgres();

const WARDS = ['CUANAM', 'HANGBONG'];

/** The oracle for one ward's row, computed in JS from the generated records (none deleted). */
function expectedRow(w: GeneratedWard, year: number) {
  const latest = new Map<string, Visit>();
  for (const v of w.visits) {
    const cur = latest.get(v.householdId!);
    if (!cur || Date.parse(v.at) > Date.parse(cur.at) || (v.at === cur.at && v.id > cur.id)) latest.set(v.householdId!, v);
  }
  const visited = new Set(w.households.filter((h) => ['helped', 'revisit'].includes(latest.get(h.id)?.outcome ?? '')).map((h) => h.id));
  const household = new Map(w.households.map((h) => [h.id, h]));
  const priority = w.people.filter((p) => priorityReasons({ birthYear: p.birthYear, disability: p.flags.disability, povertyStatus: household.get(p.householdId)!.povertyStatus }, year).length > 0);
  return {
    households: w.households.length,
    visited: visited.size,
    people: w.people.length,
    priorityPeople: priority.length,
    priorityPeopleReached: priority.filter((p) => visited.has(p.householdId)).length,
    independentPeople: w.people.filter((p) => PLATFORMS.some((x) => p.platforms[x].independent)).length,
  };
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`city report on ${dialect}`, () => {
    let s: TestServer;
    let cityCookie: string;
    const cookies: Record<string, string> = {};
    const wards = new Map<string, GeneratedWard>();

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      for (const [i, code] of WARDS.entries()) {
        const sup = await s.createUser({ role: 'supervisor', wardCode: code });
        const cookie = (await s.login(sup.username, sup.password)).cookie;
        const w = generateWard({ seed: 100 + i, households: 60 + 30 * i, wardCode: code, groups: 5 });
        await ensureWardGroups(s.db, code, [...new Set(w.households.map((h) => h.group))]); // groups are data
        addVisitWork(w);
        w.people.forEach((p, n) => {
          if (n % 3 === 0) p.platforms.vneid.independent = true;
        });
        const box = new Outbox();
        const all = [...w.households.map((h) => box.create('household', h)), ...w.people.map((p) => box.create('person', p)), ...w.visits.map((v) => box.create('visit', v))];
        for (let k = 0; k < all.length; k += 400) {
          const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(all.slice(k, k + 400)) });
          expect((r.body as PushResponse).results.every((x) => x.status === 'applied')).toBe(true);
        }
        wards.set(code, w);
        cookies[code] = cookie;
      }
      const city = await s.createUser({ role: 'city', wardCode: '*', groups: [] });
      cityCookie = (await s.login(city.username, city.password)).cookie;
    }, 60_000);
    afterAll(async () => {
      await s?.close();
    });

    it('answers one row per ward that agrees with its summary and with an independent computation', async () => {
      const r = await s.request('GET', '/api/v1/reports/city', { cookie: cityCookie });
      expect(r.status).toBe(200);
      const report = cityReportSchema.strict().parse(r.body) as CityReport;
      expect(report.wards.map((w) => w.code)).toEqual(WARDS);
      const year = new Date().getFullYear();
      for (const row of report.wards) {
        const w = wards.get(row.code)!;
        expect(row).toMatchObject({ ...expectedRow(w, year), name: row.code, dashboard: `#/console/dashboard?ward=${row.code}`, openCases: 0, inProgressCases: 0, targetIndependent: null });
        const summary = reportSummarySchema.parse((await s.request('GET', '/api/v1/reports/summary', { cookie: cookies[row.code] })).body);
        expect(row.funnel).toEqual(summary.funnel);
        expect(row.households).toBe(summary.coverage.reduce((t, c) => t + c.households, 0));
        expect(row.visited).toBe(summary.coverage.reduce((t, c) => t + c.visited, 0));
        expect(row.priorityPeople).toBe(summary.coverage.reduce((t, c) => t + c.priorityPeople, 0));
        expect(summary).toEqual({ ...(await reportSummaryFullScan(s.db, row.code, new Date(summary.generatedAt))) });
        // Not degenerate: every figure is there.
        for (const k of ['households', 'visited', 'people', 'priorityPeople', 'priorityPeopleReached', 'independentPeople'] as const) expect(row[k], k).toBeGreaterThan(0);
        expect(row.priorityPeopleReached).toBeLessThan(row.priorityPeople);
      }
    });

    it('names wards and carries their target from the wards table, in Vietnamese order, with a safe link', async () => {
      const exists =
        dialect === 'sqlite'
          ? (await sql`select 1 from sqlite_master where type = 'table' and name = 'wards'`.execute(s.db.kysely)).rows.length > 0
          : (await sql`select 1 from information_schema.tables where table_schema = current_schema() and table_name = 'wards'`.execute(s.db.kysely)).rows.length > 0;
      // The wards table is migration 6's (the shared contract's shape); this branch may not have it yet.
      if (!exists) await sql`create table wards (code text primary key, name text not null, target_independent integer null, created_at text)`.execute(s.db.kysely);
      const upsert = (code: string, name: string, target: number | null) =>
        sql`insert into wards (code, name, target_independent, created_at) values (${code}, ${name}, ${target}, ${new Date().toISOString()})
            on conflict (code) do update set name = excluded.name, target_independent = excluded.target_independent`.execute(s.db.kysely);
      await upsert('HANGBONG', 'Phường Hàng Bông', null);
      await upsert('CUANAM', 'Phường Cửa Nam', 500);
      await upsert('A&B <x>', 'Phường Ba Đình', 300);
      const r = await s.request('GET', '/api/v1/reports/city', { cookie: cityCookie });
      const report = cityReportSchema.parse(r.body);
      expect(report.wards.map((w) => w.name)).toEqual(['Phường Ba Đình', 'Phường Cửa Nam', 'Phường Hàng Bông']);
      const empty = report.wards[0]!;
      expect(empty).toMatchObject({ code: 'A&B <x>', households: 0, visited: 0, targetIndependent: 300, dashboard: '#/console/dashboard?ward=A%26B%20%3Cx%3E' });
      expect(empty.dashboard).toBe(wardDashboardPath('A&B <x>'));
      expect(report.wards[1]!.targetIndependent).toBe(500);
      if (!exists) await sql`drop table wards`.execute(s.db.kysely);
    });

    it.each([
      ['a volunteer', 'volunteer', 403, 'forbidden'],
      ['a supervisor', 'supervisor', 403, 'forbidden'],
      ['a responder', 'responder', 403, 'forbidden'],
    ] as const)('refuses %s', async (_, role, status, code) => {
      const u = await s.createUser({ role, groups: role === 'volunteer' ? ['TDP 1'] : [] });
      const cookie = (await s.login(u.username, u.password)).cookie;
      const r = await s.request('GET', '/api/v1/reports/city', { cookie });
      expect(r.status).toBe(status);
      expect(r.body.error.code).toBe(code);
    });

    it('refuses no session (401) and a query parameter (400)', async () => {
      expect((await s.request('GET', '/api/v1/reports/city')).status).toBe(401);
      const r = await s.request('GET', '/api/v1/reports/city?ward=CUANAM', { cookie: cityCookie });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
    });

    it('the city reads a ward summary only by naming the ward (a row\'s link), as the supervisor sees it', async () => {
      const none = await s.request('GET', '/api/v1/reports/summary', { cookie: cityCookie });
      expect(none.status).toBe(400);
      const [code] = WARDS;
      const r = await s.request('GET', `/api/v1/reports/summary?ward=${code}`, { cookie: cityCookie });
      expect(r.status).toBe(200);
      const sup = await s.request('GET', '/api/v1/reports/summary', { cookie: cookies[code!] });
      expect({ ...r.body, generatedAt: '' }).toEqual({ ...sup.body, generatedAt: '' });
    });
  });
}
