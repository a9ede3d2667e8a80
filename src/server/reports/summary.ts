// GET /api/v1/reports/summary: the supervisor's ward in numbers.
//
// reportSummary() reads the incremental aggregates (aggregates.ts: a few
// hundred counter rows of the ward, whatever its size). reportSummaryFullScan()
// computes the same answer from records by SQL aggregates (GROUP BY in the
// database) on SQLite and PostgreSQL alike: it is what the summary did before
// the aggregates, kept as the independent oracle of the tests and the
// benchmark's baseline. Both must give the same answer for the same records.
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
//   - Cases: those still waiting (open, in progress) per reason and their
//     median age in days (reports/cases.ts).
import { sql, type Kysely } from 'kysely';
import { BLOCKERS, PLATFORMS, PLATFORM_STEPS, type Blocker, type Platform } from '../../shared/platforms';
import { ELDERLY_AGE } from '../../shared/priority';
import type { ReportSummary } from '../../shared/reports';
import type { DB, Db } from '../db';
import { openCases } from './cases';
import { elderlyFolding, priorityOf } from './aggregates';
import { reportSql, type ReportSql } from './sql';

/** Groups and wards in Vietnamese order, numbers by value (TDP 2 before TDP 10). Made once: a collator is costly to build. */
const VI_ORDER = new Intl.Collator('vi', { numeric: true });

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * People and visits of one ward as CTEs (tombstones excluded):
 * pj(id, j, hid) and vj(id, j, k).
 */
function baseCtes(R: ReportSql, ward: string) {
  const live = (entity: string) => sql`r.ward_code = ${ward} and r.entity = ${sql.lit(entity)} and r.deleted = 0`;
  return {
    people: sql`pj as ${R.materialized} (
      select x.id, x.j, ${R.text('x.j', ['householdId'])} as hid
      from (select r.id, ${R.doc('r.data')} as j from records r where ${live('person')} ${R.noInline}) x
    )`,
    visits: sql`vj as ${R.materialized} (
      select r.id, ${R.doc('r.data')} as j, ${R.visitAt('r.data')} as k
      from records r where ${live('visit')}
    )`,
  };
}

/**
 * People whose household is live: a person is counted in their household's
 * CURRENT group, and not at all when the household is deleted. The household
 * is checked by a scalar subquery on its primary key (entity, id) only, so no
 * other index can be chosen, evaluated once per person in a MATERIALIZED CTE
 * (SQLite materializes a CTE it is told to, too). A join here, or the check
 * per checklist step, was planned by PostgreSQL before it had statistics as a
 * scan of the ward per row: 30 to 100 s for 10,000 households.
 */
const livePeopleCte = (ward: string) => sql`lp as ${sql.raw('materialized')} (
  select pj.id, pj.j from pj
  where (select case when h.ward_code = ${ward} and h.deleted = 0 then 1 else 0 end
         from records h where h.entity = 'household' and h.id = pj.hid) = 1
)`;

type Row = Record<string, unknown>;

async function coverage(trx: Kysely<DB>, R: ReportSql, ward: string, year: number) {
  const c = baseCtes(R, ward);
  // Join-free on purpose: one row of facts per household, person and visit,
  // keyed by household id (UNION ALL), aggregated per household, then per
  // group. Only scans and GROUP BYs, so the plan cannot go quadratic when the
  // planner misjudges sizes: joining CTEs did (SQLite scanned the latest
  // visits once per household; PostgreSQL without statistics chose nested
  // loops), taking seconds to minutes for 10,000 households. A household's
  // latest visit is max() of a key that sorts by (at in UTC, id) and ends in
  // the outcome ('_' in a LIKE pattern matches any character: harmless, the
  // outcomes are a closed set). Facts of a deleted household have no household row
  // (is_h = 0) and are dropped with it.
  const { rows } = await sql<Row>`
    with ${c.people}, ${c.visits},
    facts as (
      select r.id as hid, r.group_code as grp, ${R.text(R.doc('r.data'), ['povertyStatus'])} as pov,
             1 as is_h, 0 as person, 0 as own_priority, null as latest
      from records r where r.ward_code = ${ward} and r.entity = 'household' and r.deleted = 0
      union all
      select pj.hid, null, null, 0, 1,
             case when ${R.int('pj.j', ['birthYear'])} <= ${year - ELDERLY_AGE}
                    or ${R.isTrue('pj.j', ['flags', 'disability'])} then 1 else 0 end,
             null
      from pj
      union all
      select ${R.text('vj.j', ['householdId'])}, null, null, 0, 0, 0,
             ${R.latestOutcomeKey('vj.k', 'vj.id', R.text('vj.j', ['outcome']))}
      from vj
    ),
    per_household as (
      select max(grp) as grp, max(pov) as pov, max(is_h) as is_h, sum(person) as people,
             sum(own_priority) as own_priority, ${R.maxBytes('latest')} as latest
      from facts where hid is not null
      group by hid
    )
    select grp,
           count(*) as households,
           sum(people) as people,
           sum(case when pov in ('near_poor', 'poor') then people else own_priority end) as priority_people,
           sum(case when latest like '%|helped' or latest like '%|revisit' then 1 else 0 end) as visited,
           sum(case when latest like '%|not_home' then 1 else 0 end) as not_home,
           sum(case when latest like '%|declined' then 1 else 0 end) as declined,
           sum(case when latest is null then 1 else 0 end) as unknocked
    from per_household
    where is_h = 1
    group by grp
  `.execute(trx);
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
    .sort((a, b) => VI_ORDER.compare(a.group, b.group));
}

async function funnel(trx: Kysely<DB>, R: ReportSql, ward: string) {
  const c = baseCtes(R, ward);
  // person -> platforms -> steps, laterally: (platform, step, step document) rows.
  const checklistSteps = sql`lp
    cross join ${R.entries('lp.j', ['platforms'])} p
    cross join ${R.entries('p.value', ['steps'])} s`;
  const [steps, platforms, blockers] = [
    await sql<Row>`
      with ${c.people}, ${livePeopleCte(ward)}
      select p.key as platform, s.key as step,
             sum(case when ${R.text('s.value', ['status'])} = 'done' then 1 else 0 end) as done,
             sum(case when ${R.text('s.value', ['status'])} = 'blocked' then 1 else 0 end) as blocked
      from ${checklistSteps}
      group by p.key, s.key
    `.execute(trx),
    await sql<Row>`
      with ${c.people}, ${livePeopleCte(ward)}
      select p.key as platform, count(*) as people,
             sum(case when ${R.isTrue('p.value', ['independent'])} then 1 else 0 end) as independent
      from lp cross join ${R.entries('lp.j', ['platforms'])} p
      group by p.key
    `.execute(trx),
    await sql<Row>`
      with ${c.people}, ${livePeopleCte(ward)}
      select p.key as platform, ${R.text('s.value', ['blocker'])} as blocker, count(distinct lp.id) as people
      from ${checklistSteps}
      where ${R.text('s.value', ['status'])} = 'blocked'
      group by 1, 2
    `.execute(trx),
  ];
  const stepCount = new Map(steps.rows.map((r) => [`${r.platform}.${r.step}`, r]));
  const platformCount = new Map(platforms.rows.map((r) => [String(r.platform), r]));
  // Every person has all four checklists (the schema requires them), so each
  // platform's people equals the number of people.
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

/** The summary computed from records by scanning the ward (the oracle; the benchmark's baseline). */
export async function reportSummaryFullScan(db: Db, wardCode: string, now: Date): Promise<ReportSummary> {
  const R = reportSql(db.dialect);
  const year = now.getFullYear(); // as shared/priority.ts's isElderly
  return db.readTx(async (trx) => {
    const cov = await coverage(trx, R, wardCode, year);
    const { funnel: f, blockers } = await funnel(trx, R, wardCode);
    const visits = await visitTotals(trx, R, wardCode);
    const cases = await openCases(trx, R, wardCode, now);
    return { wardCode, generatedAt: now.toISOString(), coverage: cov, funnel: f, blockers, visits, cases };
  });
}

/** The aggregates' metrics as reportSummarySchema's funnel, blockers and visit totals. */
export function funnelOf(m: ReadonlyMap<string, number>): ReportSummary['funnel'] {
  return PLATFORMS.map((platform) => ({
    platform,
    people: m.get(`funnel.${platform}.people`) ?? 0,
    steps: PLATFORM_STEPS[platform].map((step) => ({
      step,
      done: m.get(`funnel.${platform}.${step}.done`) ?? 0,
      blocked: m.get(`funnel.${platform}.${step}.blocked`) ?? 0,
    })),
    independent: m.get(`funnel.${platform}.independent`) ?? 0,
  }));
}

const COVERAGE_METRICS = ['households', 'households.visited', 'households.not_home', 'households.declined', 'people', 'people.priority'];

/** The summary from the incremental aggregates (aggregates.ts): the same answer as reportSummaryFullScan. */
export async function reportSummary(db: Db, wardCode: string, now: Date): Promise<ReportSummary> {
  const year = now.getFullYear(); // as shared/priority.ts's isElderly
  const fold = elderlyFolding(year);
  // Waiting cases are read from their records (a few per hundred visits, by
  // the records_ward_entity index): their median age is not a sum to keep.
  const R = reportSql(db.dialect);
  const [groupRows, wardRows, cases] = await db.readTx(async (trx) => [
    (
      await sql<{ group_code: string; metric: string; value: number | string }>`
        select group_code, ${fold.metric} as metric, sum(value) as value
          from ward_group_stats
         where ward_code = ${wardCode}
           and (metric in (${sql.join(COVERAGE_METRICS)})
                -- birth years are four digits (1900 to this year), so text order is year order:
                -- the elderly years are one range of ward_group_stats_metric
                or metric between 'people.born.' and ${`people.born.${year - ELDERLY_AGE}`})
           and ${fold.keep}
         group by 1, 2`.execute(trx)
    ).rows,
    await trx.selectFrom('ward_stats').select(['metric', 'value']).where('ward_code', '=', wardCode).where('metric', 'not like', '%.born.%').execute(),
    await openCases(trx, R, wardCode, now),
  ] as const);
  const groups = new Map<string, Map<string, number>>();
  for (const r of groupRows) {
    let g = groups.get(r.group_code);
    if (!g) groups.set(r.group_code, (g = new Map()));
    g.set(r.metric, Number(r.value));
  }
  const coverage = [...groups]
    .filter(([, m]) => (m.get('households') ?? 0) > 0)
    .map(([group, m]) => {
      const households = m.get('households') ?? 0;
      const visited = m.get('households.visited') ?? 0;
      const notHome = m.get('households.not_home') ?? 0;
      const declined = m.get('households.declined') ?? 0;
      return { group, households, visited, notHome, declined, unknocked: households - visited - notHome - declined, people: m.get('people') ?? 0, priorityPeople: priorityOf(m) };
    })
    .sort((a, b) => VI_ORDER.compare(a.group, b.group));
  const w = new Map(wardRows.map((r) => [r.metric, Number(r.value)]));
  const blockers: ReportSummary['blockers'] = [];
  for (const platform of PLATFORMS) {
    for (const blocker of BLOCKERS) {
      const count = w.get(`blocked.${platform}.${blocker}`) ?? 0;
      if (count > 0) blockers.push({ platform, blocker, count });
    }
  }
  return {
    wardCode,
    generatedAt: now.toISOString(),
    coverage,
    funnel: funnelOf(w),
    blockers,
    visits: {
      total: w.get('visits') ?? 0,
      door: w.get('visits.door') ?? 0,
      literacyPoint: w.get('visits.literacy_point') ?? 0,
      helped: w.get('visits.helped') ?? 0,
      escalations: w.get('visits.escalated') ?? 0,
    },
    cases,
  };
}
