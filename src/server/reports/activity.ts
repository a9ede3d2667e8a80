// GET /api/v1/reports/activity: the console dashboard's filtered figures for
// one ward: targets, activity per volunteer and per literacy point, the
// per-platform funnel of the visits (walk-ins included) and visits per day.
//
// The filters narrow the visits (filters.ts). The database does the filtering
// (ward, tombstones, the Hanoi date range on the visit-time key, group,
// volunteer, channel) and returns only the matching visits; Node folds them
// into the figures below in one pass. Live households and their groups come
// from one scan of the ward's household index (counts per group, and which
// visited households still exist). Definitions (docs/API.md, "Activity"):
//   - reached: live households of the group with at least one matching visit
//     whose outcome is helped or revisit (somebody opened and talked).
//   - did it alone: people of the matching visits who used a platform alone
//     (a visit person with a non-empty `independent`); a registered person
//     counts once however many visits say so, each walk-in person counts once
//     per visit (walk-ins have no identity to deduplicate on).
//   - peopleHelped: the visit people of the volunteer's matching visits whose
//     outcome is helped.
//   - funnel: per platform, the visit people with a step of that platform in
//     the matching visits: a step counts a person-visit once as done or blocked.
//   - lastSyncAt: the latest push of any of the user's devices (not filtered).
import { sql, type Kysely } from 'kysely';
import { MAX_RANGE_DAYS, type ActivityQuery, type ActivityReport } from '../../shared/console';
import { PLATFORMS, PLATFORM_STEPS, type Platform } from '../../shared/platforms';
import type { Visit } from '../../shared/schemas';
import type { DB, Db } from '../db';
import { hanoiDay } from '../exports/hanoi';
import { filteredVisits, type VisitFilters } from './filters';
import { reportSql } from './sql';
import { readWardTargets } from './targets';

const DAY_MS = 86_400_000;
const groupOrder = new Intl.Collator('vi', { numeric: true });

/** Every Hanoi day from..to inclusive (YYYY-MM-DD). */
function daysFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The ward's live households and their current group: one scan of the household index. */
async function liveHouseholds(trx: Kysely<DB>, ward: string): Promise<Map<string, string | null>> {
  const { rows } = await sql<{ id: string; group_code: string | null }>`
    select id, group_code from records where ward_code = ${ward} and entity = 'household' and deleted = 0
  `.execute(trx);
  return new Map(rows.map((r) => [r.id, r.group_code]));
}

async function wardUsers(trx: Kysely<DB>, ward: string) {
  const users = await trx.selectFrom('users').select(['id', 'display_name', 'role', 'groups', 'disabled']).where('ward_code', '=', ward).execute();
  const syncs = await trx
    .selectFrom('clients')
    .innerJoin('users', 'users.id', 'clients.user_id')
    .select(['clients.user_id as user_id', (eb) => eb.fn.max('clients.last_push_at').as('last')])
    .where('users.ward_code', '=', ward)
    .groupBy('clients.user_id')
    .execute();
  const lastSync = new Map(syncs.map((s) => [s.user_id, s.last === null || s.last === undefined ? null : String(s.last)]));
  return { users, lastSync };
}

export async function reportActivity(db: Db, ward: string, q: ActivityQuery, now: Date): Promise<ActivityReport> {
  const R = reportSql(db.dialect);
  const f: VisitFilters = { group: q.group, from: q.from, to: q.to, volunteer: q.volunteer, channel: q.channel };
  return db.readTx(async (trx) => {
    const rows = await filteredVisits(trx, R, ward, f);
    const visits = rows.map((r) => ({ group: r.group_code, v: JSON.parse(r.data) as Visit }));
    const targets = await readWardTargets(trx, ward);
    const live = await liveHouseholds(trx, ward);
    const perGroup = new Map<string, number>();
    for (const g of live.values()) if (g !== null && (q.group === undefined || g === q.group)) perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
    const { users, lastSync } = await wardUsers(trx, ward);

    const reachedByGroup = new Map<string, Set<string>>();
    const independentPeople = new Set<string>();
    let independentWalkIns = 0;
    const vol = new Map<string, { visits: number; households: Set<string>; peopleHelped: number }>();
    const points = new Map<string, { walkIns: number; people: number; services: number; independent: number }>();
    const funnel = new Map<Platform, { people: number; done: Map<string, number>; blocked: Map<string, number>; independent: number }>(
      PLATFORMS.map((p) => [p, { people: 0, done: new Map(), blocked: new Map(), independent: 0 }]),
    );
    const perDay = new Map<string, { door: number; literacyPoint: number }>();
    const households = new Set<string>();
    let people = 0;
    let door = 0;

    for (const { group, v } of visits) {
      const hid = v.householdId && live.has(v.householdId) ? v.householdId : undefined;
      if (hid) households.add(hid);
      people += v.people.length;
      if (v.channel === 'door') door += 1;
      if (hid && group !== null && (v.outcome === 'helped' || v.outcome === 'revisit')) {
        const set = reachedByGroup.get(group) ?? new Set<string>();
        set.add(hid);
        reachedByGroup.set(group, set);
      }
      const a = vol.get(v.volunteerId) ?? { visits: 0, households: new Set<string>(), peopleHelped: 0 };
      a.visits += 1;
      if (hid) a.households.add(hid);
      if (v.outcome === 'helped') a.peopleHelped += v.people.length;
      vol.set(v.volunteerId, a);

      const alone = v.people.filter((p) => (p.independent?.length ?? 0) > 0);
      for (const p of alone) {
        if (p.personId) independentPeople.add(p.personId);
        else independentWalkIns += 1;
      }
      if (v.channel === 'literacy_point') {
        const key = v.literacyPointId ?? '';
        const lp = points.get(key) ?? { walkIns: 0, people: 0, services: 0, independent: 0 };
        lp.walkIns += 1;
        lp.people += v.people.length;
        lp.services += v.services.length;
        lp.independent += alone.length;
        points.set(key, lp);
      }
      for (const p of v.people) {
        for (const platform of PLATFORMS) {
          const steps = p.steps.filter((s) => s.platform === platform);
          const aloneHere = p.independent?.includes(platform) ?? false;
          if (steps.length === 0 && !aloneHere) continue;
          const fp = funnel.get(platform)!;
          fp.people += 1;
          if (aloneHere) fp.independent += 1;
          // A step listed twice for one person in one visit counts once, by its last status.
          const last = new Map(steps.map((s) => [s.step, s.status]));
          for (const [step, status] of last) {
            if (status === 'done') fp.done.set(step, (fp.done.get(step) ?? 0) + 1);
            if (status === 'blocked') fp.blocked.set(step, (fp.blocked.get(step) ?? 0) + 1);
          }
        }
      }
      const day = hanoiDay(Date.parse(v.at));
      const d = perDay.get(day) ?? { door: 0, literacyPoint: 0 };
      if (v.channel === 'door') d.door += 1;
      else d.literacyPoint += 1;
      perDay.set(day, d);
    }

    const groupCodes = new Set<string>([...perGroup.keys()]);
    for (const code of targets.groups.keys()) if (q.group === undefined || code === q.group) groupCodes.add(code);
    const groups = [...groupCodes]
      .map((code) => {
        const t = targets.groups.get(code);
        return { code, position: t?.position ?? null, row: { group: code, name: t?.name ?? null, households: perGroup.get(code) ?? 0, reached: reachedByGroup.get(code)?.size ?? 0, targetHouseholds: t?.targetHouseholds ?? null } };
      })
      .sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity) || groupOrder.compare(a.code, b.code))
      .map((g) => g.row);

    // Volunteers: the ward's volunteers (of the filtered group, or the one
    // filtered), and anyone else with a matching visit.
    const userById = new Map(users.map((u) => [u.id, u]));
    const listed = new Set(vol.keys());
    for (const u of users) {
      if (u.role !== 'volunteer' || u.disabled) continue;
      if (q.volunteer !== undefined && u.id !== q.volunteer) continue;
      if (q.group !== undefined && !(JSON.parse(u.groups) as string[]).includes(q.group)) continue;
      listed.add(u.id);
    }
    const volunteers = [...listed]
      .map((id) => {
        const a = vol.get(id);
        return {
          userId: id,
          displayName: userById.get(id)?.display_name ?? null,
          visits: a?.visits ?? 0,
          households: a?.households.size ?? 0,
          peopleHelped: a?.peopleHelped ?? 0,
          lastSyncAt: lastSync.get(id) ?? null,
        };
      })
      .sort((a, b) => groupOrder.compare(a.displayName ?? a.userId, b.displayName ?? b.userId) || (a.userId < b.userId ? -1 : 1));

    const literacyPoints = [...points]
      .map(([literacyPoint, x]) => ({ literacyPoint, ...x }))
      .sort((a, b) => groupOrder.compare(a.literacyPoint, b.literacyPoint));

    const days = [...perDay.keys()].sort();
    const first = q.from ?? days[0];
    const lastDay = q.to ?? days[days.length - 1];
    // Zeros fill the gaps, within a range the query allows (MAX_RANGE_DAYS); an
    // unfiltered ward whose visits span longer lists only its days with visits.
    const span = first && lastDay ? daysFrom(first, lastDay) : [];
    const visitsPerDay = (span.length <= MAX_RANGE_DAYS ? span : days).map((day) => ({ day, ...(perDay.get(day) ?? { door: 0, literacyPoint: 0 }) }));

    return {
      wardCode: ward,
      generatedAt: now.toISOString(),
      filters: { group: q.group ?? null, from: q.from ?? null, to: q.to ?? null, volunteer: q.volunteer ?? null, channel: q.channel ?? null },
      totals: { visits: visits.length, door, literacyPoint: visits.length - door, households: households.size, people },
      targets: { groups, independent: { people: independentPeople.size + independentWalkIns, target: targets.targetIndependent } },
      volunteers,
      literacyPoints,
      funnel: PLATFORMS.map((platform) => {
        const fp = funnel.get(platform)!;
        return {
          platform,
          people: fp.people,
          steps: PLATFORM_STEPS[platform].map((step) => ({ step, done: fp.done.get(step) ?? 0, blocked: fp.blocked.get(step) ?? 0 })),
          independent: fp.independent,
        };
      }),
      visitsPerDay,
    };
  });
}
