// @vitest-environment node
// `npm run demo`'s ward, seeded small: everything goes in through push with no
// rejection, every account signs in, the visits spread over four weeks, and
// every escalation became exactly one case. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, TEST_SCRYPT_LOG_N, startTestServer, warnIfNoPostgres, type TestServer } from '../server/helpers';
import { DEMO_PASSWORD, DEMO_WARD, LITERACY_POINTS, seedDemo, type DemoSummary } from '../../scripts/demo-seed';

warnIfNoPostgres();

describe.each(DIALECTS)('demo ward ($dialect)', ({ dialect, skip }) => {
  let s: TestServer;
  let summary: DemoSummary;
  beforeAll(async () => {
    if (skip) return;
    s = await startTestServer({ dialect });
    summary = await seedDemo(s.db, { households: 150, scryptLogN: TEST_SCRYPT_LOG_N, now: new Date('2026-11-20T05:00:00Z') });
  }, 120_000);
  afterAll(async () => {
    if (!skip) await s.close();
  });

  it.skipIf(skip)('stores every record it pushed, with no rejection', async () => {
    expect(summary.rejected).toBe(0);
    const rows = await s.db.kysely.selectFrom('records').select(['entity', 'data']).where('ward_code', '=', DEMO_WARD.code).execute();
    const count = (e: string) => rows.filter((r) => r.entity === e).length;
    expect(count('household')).toBe(summary.households);
    expect(count('person')).toBe(summary.people);
    expect(count('visit')).toBe(summary.visits);
    const visits = rows.filter((r) => r.entity === 'visit').map((r) => JSON.parse(r.data) as { at: string; channel: string; literacyPointId?: string });
    const days = new Set(visits.map((v) => v.at.slice(0, 10)));
    expect(days.size).toBeGreaterThanOrEqual(20);
    const points = new Set(visits.filter((v) => v.channel === 'literacy_point').map((v) => v.literacyPointId));
    expect([...points].sort()).toEqual([...LITERACY_POINTS].sort());
    expect(summary.escalations).toBeGreaterThan(0);
    expect(count('case')).toBe(summary.escalations);
  });

  it.skipIf(skip)('every demo account signs in with the printed password', async () => {
    for (const a of summary.accounts) {
      const { user } = await s.login(a.username, DEMO_PASSWORD);
      expect(user.role).toBe(a.role);
    }
  });

  it.skipIf(skip)('names the ward and its 28 groups', async () => {
    const ward = await s.db.kysely.selectFrom('wards').selectAll().where('code', '=', DEMO_WARD.code).executeTakeFirstOrThrow();
    expect(ward.name).toBe(DEMO_WARD.name);
    const groups = await s.db.kysely.selectFrom('ward_groups').select('code').where('ward_code', '=', DEMO_WARD.code).execute();
    expect(groups).toHaveLength(28);
  });
});
