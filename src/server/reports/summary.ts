// GET /api/v1/reports/summary: the supervisor's ward in numbers, computed by
// SQL aggregates (GROUP BY in the database) on SQLite and PostgreSQL alike.
// Node only reshapes the few dozen aggregate rows into reportSummarySchema.
//
// Definitions (docs/API.md, "Reports"):
//   - A household counts when it is not deleted; its group is its current group.
//   - Its coverage bucket is the outcome of its LATEST non-deleted visit (by
//     `at` in UTC, then id): helped|revisit = visited, not_home, declined; no
//     visit = unknocked.
//   - People are the non-deleted people of counted households (a person whose
//     household was deleted is not counted anywhere). Priority: birthYear <=
//     year - 60, disability, or a near_poor/poor household (shared/priority.ts).
//   - Funnel and blockers read each person's CURRENT checklist (person.platforms),
//     not visit history. A blocker counts people with at least one step of that
//     platform blocked for that reason.
//   - Visit totals count every non-deleted visit of the ward, walk-ins included.
import { sql, type Kysely } from 'kysely';
import { BLOCKERS, PLATFORMS, PLATFORM_STEPS, type Blocker, type Platform } from '../../shared/platforms';
import { ELDERLY_AGE } from '../../shared/priority';
import type { ReportSummary } from '../../shared/reports';
import type { DB, Db } from '../db';
import { readSnapshot, reportSql, type ReportSql } from './sql';

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

const STEP_ROWS = PLATFORMS.flatMap((p) => PLATFORM_STEPS[p].map((s) => [p, s] as const));
// VALUES lists the queries cross with: one row per platform step / platform.
const stepValues = sql.join(STEP_ROWS.map(([p, s]) => sql`(${sql.lit(p)}, ${sql.lit(s)})`));
const platformValues = sql.join(PLATFORMS.map((p) => sql`(${sql.lit(p)})`));

/**
 * Households, people and visits of one ward as CTEs (tombstones excluded):
 * hh(id, grp, pov), pj(id, j) and vj(id, j, k). Queries join pj to hh on the
 * person's householdId (see peopleOfLiveHouseholds), so a person is counted in
 * their household's CURRENT group and not at all when the household is deleted.
 */
function baseCtes(R: ReportSql, ward: string) {
  const live = (entity: string) => sql`r.ward_code = ${ward} and r.entity = ${sql.lit(entity)} and r.deleted = 0`;
  return {
    households: sql`hh as ${R.materialized} (
      select r.id, r.group_code as grp, ${R.text(R.doc('r.data'), ['povertyStatus'])} as pov
      from records r where ${live('household')}
    )`,
    people: sql`pj as ${R.materialized} (
      select r.id, ${R.doc('r.data')} as j from records r where ${live('person')}
    )`,
    visits: sql`vj as ${R.materialized} (
      select r.id, ${R.doc('r.data')} as j, ${R.visitAt('r.data')} as k
      from records r where ${live('visit')}
    )`,
  };
}

const peopleOfLiveHouseholds = (R: ReportSql) => sql`pj join hh on hh.id = ${R.text('pj.j', ['householdId'])}`;

type Row = Record<string, unknown>;

async function coverage(trx: Kysely<DB>, R: ReportSql, ward: string, year: number) {
  const c = baseCtes(R, ward);
  const { rows } = await sql<Row>`
    with ${c.households}, ${c.people}, ${c.visits},
    latest as (
      select x.hid, x.outcome from (
        select ${R.text('vj.j', ['householdId'])} as hid, ${R.text('vj.j', ['outcome'])} as outcome,
               row_number() over (partition by ${R.text('vj.j', ['householdId'])} order by vj.k desc, vj.id desc) as rn
        from vj
      ) x
      where x.rn = 1 and x.hid is not null
    ),
    per_household as (
      select hh.id as hid, count(*) as people,
             sum(case when ${R.int('pj.j', ['birthYear'])} <= ${year - ELDERLY_AGE}
                        or ${R.isTrue('pj.j', ['flags', 'disability'])} then 1 else 0 end) as own_priority
      from ${peopleOfLiveHouseholds(R)} group by hh.id
    )
    select hh.grp as grp,
           count(*) as households,
           sum(case when latest.outcome in ('helped', 'revisit') then 1 else 0 end) as visited,
           sum(case when latest.outcome = 'not_home' then 1 else 0 end) as not_home,
           sum(case when latest.outcome = 'declined' then 1 else 0 end) as declined,
           sum(case when latest.outcome is null then 1 else 0 end) as unknocked,
           sum(coalesce(ph.people, 0)) as people,
           sum(case when hh.pov in ('near_poor', 'poor') then coalesce(ph.people, 0)
                    else coalesce(ph.own_priority, 0) end) as priority_people
    from hh
    left join latest on latest.hid = hh.id
    left join per_household ph on ph.hid = hh.id
    group by hh.grp
  `.execute(trx);
  const collator = new Intl.Collator('vi', { numeric: true });
  return rows
    .map((r) => ({
      group: String(r.grp ?? ''),
      households: n(r.households),
      visited: n(r.visited),
      notHome: n(r.not_home),
      declined: n(r.declined),
      unknocked: n(r.unknocked),
      people: n(r.people),
      priorityPeople: n(r.priority_people),
    }))
    .sort((a, b) => collator.compare(a.group, b.group));
}

async function funnel(trx: Kysely<DB>, R: ReportSql, ward: string) {
  const c = baseCtes(R, ward);
  const step = (field: string) => R.text('pj.j', ['platforms', { ref: 'k.platform' }, 'steps', { ref: 'k.step' }, field]);
  const [steps, platforms, blockers] = [
    await sql<Row>`
      with ${c.households}, ${c.people}, k(platform, step) as (values ${stepValues})
      select k.platform as platform, k.step as step,
             sum(case when ${step('status')} = 'done' then 1 else 0 end) as done,
             sum(case when ${step('status')} = 'blocked' then 1 else 0 end) as blocked
      from ${peopleOfLiveHouseholds(R)} cross join k
      group by k.platform, k.step
    `.execute(trx),
    await sql<Row>`
      with ${c.households}, ${c.people}, k(platform) as (values ${platformValues})
      select k.platform as platform, count(*) as people,
             sum(case when ${R.isTrue('pj.j', ['platforms', { ref: 'k.platform' }, 'independent'])} then 1 else 0 end) as independent
      from ${peopleOfLiveHouseholds(R)} cross join k
      group by k.platform
    `.execute(trx),
    await sql<Row>`
      with ${c.households}, ${c.people}, k(platform, step) as (values ${stepValues})
      select k.platform as platform, ${step('blocker')} as blocker, count(distinct pj.id) as people
      from ${peopleOfLiveHouseholds(R)} cross join k
      where ${step('status')} = 'blocked'
      group by 1, 2
    `.execute(trx),
  ];
  const stepCount = new Map(steps.rows.map((r) => [`${r.platform}.${r.step}`, r]));
  const platformCount = new Map(platforms.rows.map((r) => [String(r.platform), r]));
  const funnelOut = PLATFORMS.map((platform) => ({
    platform,
    people: n(platformCount.get(platform)?.people),
    steps: PLATFORM_STEPS[platform].map((s) => {
      const r = stepCount.get(`${platform}.${s}`);
      return { step: s, done: n(r?.done), blocked: n(r?.blocked) };
    }),
    independent: n(platformCount.get(platform)?.independent),
  }));
  // Stable order (platform, then blocker as listed in platforms.ts); codes the
  // schema does not know cannot be stored, but are dropped rather than break the contract.
  const blockersOut = blockers.rows
    .filter((r) => (PLATFORMS as readonly string[]).includes(String(r.platform)) && (BLOCKERS as readonly string[]).includes(String(r.blocker)))
    .map((r) => ({ platform: r.platform as Platform, blocker: r.blocker as Blocker, count: n(r.people) }))
    .sort((a, b) => PLATFORMS.indexOf(a.platform) - PLATFORMS.indexOf(b.platform) || BLOCKERS.indexOf(a.blocker) - BLOCKERS.indexOf(b.blocker));
  return { funnel: funnelOut, blockers: blockersOut };
}

async function visitTotals(trx: Kysely<DB>, R: ReportSql, ward: string) {
  const c = baseCtes(R, ward);
  const { rows } = await sql<Row>`
    with ${c.visits}
    select count(*) as total,
           sum(case when ${R.text('vj.j', ['channel'])} = 'door' then 1 else 0 end) as door,
           sum(case when ${R.text('vj.j', ['channel'])} = 'literacy_point' then 1 else 0 end) as literacy_point,
           sum(case when ${R.text('vj.j', ['outcome'])} = 'helped' then 1 else 0 end) as helped,
           sum(case when ${R.text('vj.j', ['escalate'])} is not null then 1 else 0 end) as escalations
    from vj
  `.execute(trx);
  const r = rows[0] ?? {};
  return { total: n(r.total), door: n(r.door), literacyPoint: n(r.literacy_point), helped: n(r.helped), escalations: n(r.escalations) };
}

export async function reportSummary(db: Db, wardCode: string, now: Date): Promise<ReportSummary> {
  const R = reportSql(db.dialect);
  const year = now.getFullYear(); // as shared/priority.ts's isElderly
  return readSnapshot(db, async (trx) => {
    const cov = await coverage(trx, R, wardCode, year);
    const { funnel: f, blockers } = await funnel(trx, R, wardCode);
    const visits = await visitTotals(trx, R, wardCode);
    return { wardCode, generatedAt: now.toISOString(), coverage: cov, funnel: f, blockers, visits };
  });
}
