// @vitest-environment node
// The incremental aggregates (src/server/reports/aggregates.ts) against a full
// recount from records, on SQLite and (when available) PostgreSQL: after
// random pushes through the real write path (creates, edits, deletes, moves
// between groups, poverty changes, consent withdrawals, visits out of order,
// walk-ins, escalations and, when the branch has them, cases), every counter
// of every group must equal the recount, and the summary read from them must
// equal the summary computed by scanning records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, TEST_DATABASE_URL, warnIfNoPostgres, type TestServer } from './helpers';
import { scratchPostgres } from '../support/scratch';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import { generateWard, rng, type Rng } from '../factories/generate';
import { BLOCKERS, PLATFORMS, PLATFORM_STEPS } from '../../src/shared/platforms';
import { ENTITIES, emptyPlatforms, type Entity, type Household, type Person } from '../../src/shared/schemas';
import type { Mutation, PushResponse } from '../../src/shared/protocol';
import { openDb, type Db } from '../../src/server/db';
import { migrate } from '../../src/server/migrations';
import { keepingAggregates, rebuildAggregates, recountWard, storedWard, type GroupMetrics } from '../../src/server/reports/aggregates';
import { cityReport } from '../../src/server/reports/city';
import * as records from '../../src/server/records';
import type { RecordsTable } from '../../src/server/db';
import { reportSummary, reportSummaryFullScan } from '../../src/server/reports/summary';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

warnIfNoPostgres();

const WARD = 'CUANAM';
const OTHER = 'HANGBONG';
const GROUPS = ['TDP 1', 'TDP 2', 'TDP 3', 'TDP 4'];
const HAS_CASES = (ENTITIES as readonly string[]).includes('case');

type Rec = Record<string, unknown>;

const plain = (g: GroupMetrics) =>
  Object.fromEntries([...g].filter(([, m]) => m.size > 0).map(([group, m]) => [group, Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)))]));

function sumGroups(g: GroupMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of g.values()) for (const [k, v] of m) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== 0).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every stored counter of the ward equals the recount from records, per group and per ward. */
async function expectAggregatesMatchRecount(db: Db, ward: string) {
  const recount = await db.readTx((trx) => recountWard(trx, db.dialect, ward));
  const stored = await db.readTx((trx) => storedWard(trx, ward));
  expect(plain(stored.groups), `${ward}: per group`).toEqual(plain(recount));
  expect(Object.fromEntries([...stored.ward].sort(([a], [b]) => a.localeCompare(b))), `${ward}: per ward`).toEqual(sumGroups(recount));
  return recount;
}

/** The summary from the aggregates equals the one computed by scanning records, this year and in 40 years. */
async function expectSummaryMatchesFullScan(db: Db, ward: string) {
  for (const now of [new Date(), new Date(Date.UTC(new Date().getUTCFullYear() + 40, 5, 1))]) {
    expect(await reportSummary(db, ward, now), `${ward} in ${now.getUTCFullYear()}`).toEqual(await reportSummaryFullScan(db, ward, now));
  }
}

/** A random checklist: done, blocked (with a blocker) or not started, sometimes independent. */
function randomPlatforms(r: Rng) {
  const platforms = emptyPlatforms() as unknown as Record<string, { steps: Record<string, Rec>; independent: boolean }>;
  for (const platform of PLATFORMS) {
    for (const step of PLATFORM_STEPS[platform]) {
      const roll = r.next();
      if (roll < 0.35) platforms[platform]!.steps[step] = { status: 'done' };
      else if (roll < 0.5) {
        const blocker = r.pick(BLOCKERS);
        platforms[platform]!.steps[step] = blocker === 'other' ? { status: 'blocked', blocker, blockerText: 'Máy hỏng' } : { status: 'blocked', blocker };
      }
    }
    platforms[platform]!.independent = r.chance(0.25);
  }
  return platforms as unknown as Person['platforms'];
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`incremental aggregates on ${dialect}`, () => {
    let s: TestServer;
    let supCookie: string;
    let volCookie: string;
    let otherCookie: string;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      const sup = await s.createUser({ role: 'supervisor', groups: GROUPS });
      const vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1', 'TDP 2'] });
      const other = await s.createUser({ role: 'supervisor', wardCode: OTHER, groups: GROUPS });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      volCookie = (await s.login(vol.username, vol.password)).cookie;
      otherCookie = (await s.login(other.username, other.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    async function push(cookie: string, box: Outbox, mutations: Mutation[]) {
      const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(mutations) });
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
      return r.body as PushResponse;
    }

    async function stored(entity: string, id: string): Promise<{ data: Rec; deleted: boolean; group: string | null } | undefined> {
      const row = await s.db.kysely.selectFrom('records').select(['data', 'deleted', 'group_code']).where('entity', '=', entity).where('id', '=', id).executeTakeFirst();
      return row && { data: JSON.parse(row.data) as Rec, deleted: Boolean(row.deleted), group: row.group_code };
    }

    it('equal a full recount after random pushes, edits, deletes, moves, consent withdrawals, visits and cases', async () => {
      const r = rng(dialect === 'sqlite' ? 9001 : 9002);
      const households: string[] = [];
      const people: string[] = [];
      const sbox = new Outbox();
      const vbox = new Outbox();
      const obox = new Outbox();
      let applied = 0;
      const kinds = new Map<string, number>();
      const year = new Date().getFullYear();

      for (let round = 0; round < 45; round++) {
        const mutations: Mutation[] = [];
        const done = new Set<string>(); // one change per record per push: base values come from the stored record
        const live = async (entity: string, ids: string[]) => {
          for (let tries = 0; tries < 6 && ids.length > 0; tries++) {
            const id = r.pick(ids);
            const row = await stored(entity, id);
            if (row && !row.deleted && !done.has(id)) return { id, ...row };
          }
          return undefined;
        };
        const ops = r.int(3, 14);
        for (let i = 0; i < ops; i++) {
          const roll = r.next();
          let kind = '';
          if (roll < 0.2 || households.length < 3) {
            const consent = r.chance(0.85);
            const h = createHouseholdRecord({
              group: r.pick(GROUPS),
              povertyStatus: r.pick(['none', 'none', 'near_poor', 'poor'] as const),
              consent: { given: consent, at: new Date().toISOString(), by: 'x' },
              ...(consent ? {} : { headName: undefined }),
            });
            if (!consent) delete h.headName;
            mutations.push(sbox.create('household', h));
            households.push(h.id);
            done.add(h.id);
            kind = 'household created';
          } else if (roll < 0.4) {
            const h = await live('household', households);
            if (!h || !(h.data.consent as { given: boolean }).given) continue;
            const p = createPersonRecord(h.id, {
              birthYear: r.int(1925, year - 1),
              flags: { disability: r.chance(0.1), livesAlone: false },
              platforms: randomPlatforms(r),
            });
            if (r.chance(0.15)) delete p.birthYear;
            mutations.push(sbox.create('person', p));
            people.push(p.id);
            done.add(p.id);
            kind = 'person created';
          } else if (roll < 0.52) {
            const p = await live('person', people);
            if (!p) continue;
            const next = { ...p.data, platforms: randomPlatforms(r), birthYear: r.int(1925, year - 1), flags: { disability: r.chance(0.2), livesAlone: false } };
            mutations.push(sbox.update('person', p.data as { id: string }, next));
            done.add(p.id);
            kind = 'person edited';
          } else if (roll < 0.68) {
            const h = await live('household', households);
            const walkIn = r.chance(0.15);
            if (!h && !walkIn) continue;
            const at = new Date(Date.now() - r.int(0, 30) * 86_400_000 + r.int(-3, 3) * 3_600_000).toISOString();
            const v = createVisitRecord(h?.id ?? 'x', {
              at,
              outcome: r.pick(['helped', 'not_home', 'declined', 'revisit'] as const),
              ...(r.chance(0.25) ? { escalate: { reason: 'technical' as const, detail: 'Không nhận được OTP' } } : {}),
              ...(walkIn ? { channel: 'literacy_point' as const, literacyPointId: 'Nhà văn hoá TDP 3' } : {}),
            });
            if (walkIn) delete v.householdId;
            // Door visits of TDP 1 and 2 sometimes come from the volunteer.
            const byVolunteer = !walkIn && (h!.group === 'TDP 1' || h!.group === 'TDP 2') && r.chance(0.5);
            if (byVolunteer) {
              await push(volCookie, vbox, [vbox.create('visit', v)]);
              applied++;
            } else mutations.push(sbox.create('visit', v));
            kind = walkIn ? 'walk-in' : 'visit';
          } else if (roll < 0.76) {
            const h = await live('household', households);
            if (!h) continue;
            const groups = GROUPS.filter((g) => g !== h.data.group);
            mutations.push(sbox.update('household', h.data as { id: string }, { ...h.data, group: r.pick(groups) }));
            done.add(h.id);
            kind = 'household moved';
          } else if (roll < 0.82) {
            const h = await live('household', households);
            if (!h) continue;
            const povertyStatus = r.pick(['none', 'near_poor', 'poor'].filter((x) => x !== h.data.povertyStatus));
            mutations.push(sbox.update('household', h.data as { id: string }, { ...h.data, povertyStatus }));
            done.add(h.id);
            kind = 'poverty changed';
          } else if (roll < 0.87) {
            const h = await live('household', households);
            if (!h || !(h.data.consent as { given: boolean }).given) continue;
            const next = { ...h.data, consent: { given: false, at: new Date().toISOString(), by: 'x' } } as Rec;
            delete next.headName;
            delete next.phone;
            delete next.notes;
            mutations.push(sbox.update('household', h.data as { id: string }, next));
            done.add(h.id);
            kind = 'consent withdrawn';
          } else if (roll < 0.93) {
            const p = await live('person', people);
            if (!p) continue;
            mutations.push(sbox.remove('person', p.id));
            done.add(p.id);
            kind = 'person deleted';
          } else if (roll < 0.97) {
            const h = await live('household', households);
            if (!h) continue;
            mutations.push(sbox.remove('household', h.id));
            done.add(h.id);
            kind = 'household deleted';
          } else if (HAS_CASES) {
            const rows = await s.db.kysely.selectFrom('records').select(['id', 'data']).where('entity', '=', 'case').where('ward_code', '=', WARD).where('deleted', '=', 0).execute();
            if (rows.length === 0) continue;
            const c = JSON.parse(r.pick(rows).data) as Rec;
            const status = r.pick(['open', 'in_progress', 'resolved'].filter((x) => x !== c.status));
            const next = status === 'resolved' ? { ...c, status, resolution: 'Đã hỗ trợ', resolvedAt: new Date().toISOString() } : { ...c, status };
            mutations.push(sbox.update('case' as Entity, c as { id: string }, next));
            kind = 'case status';
          }
          if (kind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        }
        if (mutations.length > 0) {
          const res = await push(supCookie, sbox, mutations);
          applied += res.results.filter((x) => x.status === 'applied').length;
        }
        // Another ward, same group names, meanwhile.
        if (round % 5 === 0) {
          const h = createHouseholdRecord({ wardCode: OTHER, group: r.pick(GROUPS), povertyStatus: 'poor' });
          const p = createPersonRecord(h.id, { wardCode: OTHER, platforms: randomPlatforms(r) });
          await push(otherCookie, obox, [obox.create('household', h), obox.create('person', p), obox.create('visit', createVisitRecord(h.id, { wardCode: OTHER }))]);
        }
        if (round % 9 === 8) {
          await expectAggregatesMatchRecount(s.db, WARD);
          await expectAggregatesMatchRecount(s.db, OTHER);
        }
      }
      const recount = await expectAggregatesMatchRecount(s.db, WARD);
      await expectAggregatesMatchRecount(s.db, OTHER);
      await expectSummaryMatchesFullScan(s.db, WARD);
      await expectSummaryMatchesFullScan(s.db, OTHER);

      // The run was not degenerate: every kind of change happened, and every kind of figure is there.
      for (const kind of ['household created', 'person created', 'person edited', 'visit', 'walk-in', 'household moved', 'poverty changed', 'consent withdrawn', 'person deleted', 'household deleted']) {
        expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
      }
      expect(applied).toBeGreaterThan(150);
      const totals = sumGroups(recount);
      for (const metric of ['households', 'households.visited', 'households.not_home', 'households.declined', 'people', 'people.priority', 'reached.priority', 'people.independent', 'visits.escalated', 'visits.literacy_point', 'blocked.vneid.nfc_unreadable']) {
        expect(totals[metric] ?? 0, metric).toBeGreaterThan(0);
      }
      expect(Object.keys(totals).some((k) => k.startsWith('people.born.'))).toBe(true);
      expect(recount.get('')?.get('visits') ?? 0, 'walk-ins have no group').toBeGreaterThan(0);
      if (HAS_CASES) expect(totals['cases.open'] ?? 0).toBeGreaterThan(0);
    }, 120_000);

    it('notices a counter that is off by one, and rebuildAggregates puts it right', async () => {
      const row = await s.db.kysely.selectFrom('ward_group_stats').selectAll().where('ward_code', '=', WARD).where('metric', '=', 'households').executeTakeFirstOrThrow();
      await s.db.kysely.updateTable('ward_group_stats').set({ value: Number(row.value) + 1 }).where('ward_code', '=', WARD).where('group_code', '=', row.group_code).where('metric', '=', 'households').execute();
      await expect(expectAggregatesMatchRecount(s.db, WARD)).rejects.toThrow(/per group/);
      await s.db.writeTx((trx) => rebuildAggregates(trx, s.db.dialect, [WARD]));
      await expectAggregatesMatchRecount(s.db, WARD);
      await expectSummaryMatchesFullScan(s.db, WARD);
    });

    it('counts cases by status, written outside push through keepingAggregates', async () => {
      const user = { id: 'resp-1', username: 'resp', displayName: 'Tổ phản ứng', role: 'responder' as const, wardCode: WARD, groups: [], disabled: false };
      const visitId = createVisitRecord(createHouseholdRecord().id).id;
      const at = new Date().toISOString();
      const record = { id: visitId, createdAt: at, updatedAt: at, deleted: false, wardCode: WARD, visitId, reason: 'technical', status: 'open' };
      const write = (next: Rec, existing?: RecordsTable) =>
        s.db.writeTx(async (trx) => {
          const start = await records.lockWardCounter(trx, s.db.dialect, WARD);
          let version = start;
          await keepingAggregates(trx, s.db.dialect, WARD, (aggregates) =>
            records.writeRecord({ trx, user, clientId: 'console', now: at, nextVersion: () => ++version, aggregates }, 'case' as Entity, next, 'TDP 2', existing),
          );
          await records.saveWardCounter(trx, WARD, version);
        });
      const count = async (status: string) => (await s.db.readTx((trx) => storedWard(trx, WARD))).ward.get(`cases.${status}`) ?? 0;
      const [open0, resolved0] = [await count('open'), await count('resolved')];
      await write(record);
      expect(await count('open')).toBe(open0 + 1);
      const row = await s.db.kysely.selectFrom('records').selectAll().where('entity', '=', 'case').where('id', '=', visitId).executeTakeFirstOrThrow();
      await write({ ...record, status: 'resolved', resolution: 'Đã cài lại VNeID', resolvedAt: at }, row);
      expect([await count('open'), await count('resolved')]).toEqual([open0, resolved0 + 1]);
      await expectAggregatesMatchRecount(s.db, WARD);
      const city = await cityReport(s.db, new Date());
      expect(city.wards.find((w) => w.code === WARD)).toMatchObject({ openCases: open0, inProgressCases: expect.any(Number) });
    });

    it('a rejected or replayed push changes no figure', async () => {
      const box = new Outbox();
      const h = createHouseholdRecord({ group: 'TDP 3' });
      const mutations = [box.create('household', h), box.create('person', createPersonRecord(h.id)), box.create('visit', createVisitRecord(h.id))];
      await push(supCookie, box, mutations);
      const before = await s.db.readTx((trx) => storedWard(trx, WARD));
      const replay = await push(supCookie, box, mutations);
      expect(replay.results.map((x) => x.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
      // Rejected: a volunteer outside their groups, and an unknown household.
      const vb = new Outbox();
      const refused = await push(volCookie, vb, [vb.create('household', createHouseholdRecord({ group: 'TDP 4' })), vb.create('visit', createVisitRecord(createHouseholdRecord().id))]);
      expect(refused.results.map((x) => x.status)).toEqual(['rejected', 'rejected']);
      expect(await s.db.readTx((trx) => storedWard(trx, WARD))).toEqual(before);
    });
  });

  describe.skipIf(skip)(`migration 9 on ${dialect}`, () => {
    it('backfills the aggregates of existing records, equal to the recount and the full-scan summary', async () => {
      let db: Db;
      let cleanup: () => Promise<void>;
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(path.join(tmpdir(), 'gocua-agg-'));
        db = openDb({ dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') });
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const created = await scratchPostgres(TEST_DATABASE_URL!);
        db = openDb({ dialect: 'postgres', url: created.url, poolSize: 2 });
        cleanup = created.drop;
      }
      try {
        await migrate(db, 8);
        let version = 0;
        for (const ward of [WARD, OTHER]) {
          const w = generateWard({ seed: ward.length, households: 120, wardCode: ward, groups: 5 });
          const groupOf = new Map(w.households.map((h) => [h.id, h.group]));
          const rows = [
            ...w.households.map((h: Household) => ['household', h, h.group] as const),
            ...w.people.map((p) => ['person', p, groupOf.get(p.householdId)!] as const),
            ...w.visits.map((v) => ['visit', v, groupOf.get(v.householdId!)!] as const),
          ].map(([entity, rec, group]) => ({
            entity, id: rec.id, ward_code: ward, group_code: group, created_by: 'u', data: JSON.stringify(rec), deleted: 0, version: ++version, server_updated_at: rec.createdAt,
          }));
          for (let i = 0; i < rows.length; i += 200) await db.kysely.insertInto('records').values(rows.slice(i, i + 200)).execute();
        }
        expect(await migrate(db)).toEqual([9]);
        for (const ward of [WARD, OTHER]) {
          const recount = await expectAggregatesMatchRecount(db, ward);
          expect(sumGroups(recount).households).toBe(120);
          await expectSummaryMatchesFullScan(db, ward);
        }
      } finally {
        await db.close();
        await cleanup();
      }
    });
  });
}

