// A fast seeder for the export benchmark: households, people and visits written
// straight into `records`, as push would store them (the record's JSON as
// JSON.stringify writes it, group_code from the household, one ward version
// per row, the ward's counter at the last one), but in bulk:
//   - SQLite: one prepared multi-row INSERT, 10,000-row transactions, on a
//     connection of its own with synchronous=OFF (a benchmark database that a
//     crash would lose is simply seeded again);
//   - PostgreSQL: INSERT … SELECT FROM unnest($1::text[], …), 5,000 rows a
//     statement, synchronous_commit off.
// Households and people come from the seeded generator (tests/factories/
// generate.ts, its Vietnamese names, streets and checklists), 1,000 households
// at a time so memory stays flat. Visits are written here, VISITS_PER_HOUSEHOLD
// apiece: generateWard gives 0–2, a ward with a million needs more. One record
// in SAMPLE_EVERY is parsed with the shared zod schema, so the shapes cannot
// drift from what the server accepts.
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { DbConfig } from '../../src/server/db';
import { uuidv7 } from '../../src/shared/ids';
import { BLOCKERS, ESCALATION_REASONS, PLATFORM_STEPS, PLATFORMS } from '../../src/shared/platforms';
import { entitySchemas, type Entity, type Household, type Person, type Visit } from '../../src/shared/schemas';
import { generateWard, rng, type Rng } from '../../tests/factories/generate';

const CHUNK_HOUSEHOLDS = 1_000;
const SAMPLE_EVERY = 5_000;
const SERVICES = ['Đăng ký thường trú', 'Cấp đổi căn cước', 'Cấp phiếu lý lịch tư pháp', 'Đăng ký khai sinh'];
const NOTES = ['Bà cụ nghe kém, cần nói to và chậm.', 'Con trai đi làm xa, hẹn lại cuối tuần.', 'Điện thoại cũ không đọc được chip căn cước.'];

export interface WardPlan {
  ward: string;
  households: number;
  visits: number;
  seed: number;
  /** The user id that visits name and records are created by. */
  volunteerId: string;
}

export interface SeedCounts {
  households: number;
  people: number;
  visits: number;
}

interface Row {
  entity: Entity;
  id: string;
  group: string | null;
  data: string;
}

/** A visit of `h` at `atMs`, shaped as the field app records them. */
function visitOf(r: Rng, h: Household, people: Person[], atMs: number, volunteerId: string): Visit {
  const at = new Date(atMs).toISOString();
  const outcome = r.pick(['helped', 'helped', 'helped', 'not_home', 'declined', 'revisit'] as const);
  const helped = outcome === 'helped' && people.length > 0 ? people.slice(0, r.int(1, Math.min(2, people.length))) : [];
  const escalate = outcome === 'helped' && r.chance(0.02);
  return {
    id: uuidv7(atMs),
    createdAt: at,
    updatedAt: at,
    deleted: false,
    wardCode: h.wardCode,
    householdId: h.id,
    channel: 'door',
    at,
    volunteerId,
    outcome,
    people: helped.map((p) => {
      const platform = r.pick(PLATFORMS);
      const step = r.pick(PLATFORM_STEPS[platform]);
      const blocked = r.chance(0.15);
      return {
        personId: p.id,
        steps: [blocked ? { platform, step, status: 'blocked' as const, blocker: r.pick(BLOCKERS.filter((b) => b !== 'other')) } : { platform, step, status: 'done' as const }],
        independent: !blocked && r.chance(0.2) ? [platform] : [],
      };
    }),
    services: outcome === 'helped' && r.chance(0.4) ? [r.pick(SERVICES)] : [],
    ...(outcome === 'revisit' ? { followUpOn: at.slice(0, 10) } : {}),
    ...(escalate ? { escalate: { reason: r.pick(ESCALATION_REASONS), detail: 'Không nhận được mã OTP, cần công an phường hỗ trợ' } } : {}),
    ...(r.chance(0.05) ? { notes: r.pick(NOTES) } : {}),
  };
}

/** The rows of a ward in chunks of about CHUNK_HOUSEHOLDS households with their people and visits. */
function* wardRows(plan: WardPlan, counts: SeedCounts): Generator<Row[]> {
  const perHousehold = plan.visits / plan.households;
  // Visits spread evenly over a year from 1 Aug 2026, in household order.
  const start = Date.UTC(2026, 7, 1, 1);
  const step = (365 * 86_400_000) / plan.visits;
  const r = rng(plan.seed);
  let visitNo = 0;
  let sampled = 0;
  const row = (entity: Entity, record: { id: string; wardCode: string }, group: string | null): Row => {
    if (++sampled % SAMPLE_EVERY === 1) entitySchemas[entity].parse(record);
    return { entity, id: record.id, group, data: JSON.stringify(record) };
  };
  for (let done = 0; done < plan.households; done += CHUNK_HOUSEHOLDS) {
    const n = Math.min(CHUNK_HOUSEHOLDS, plan.households - done);
    const w = generateWard({ seed: plan.seed * 1_000_003 + done, households: n, wardCode: plan.ward, volunteerId: plan.volunteerId, baseTime: start - 200 * 86_400_000 });
    const out: Row[] = [];
    const byHousehold = new Map<string, Person[]>();
    for (const p of w.people) {
      const list = byHousehold.get(p.householdId) ?? [];
      list.push(p);
      byHousehold.set(p.householdId, list);
    }
    w.households.forEach((h, i) => {
      out.push(row('household', h, h.group));
      const people = byHousehold.get(h.id) ?? [];
      for (const p of people) out.push(row('person', p, h.group));
      // Exactly plan.visits in all, however it divides.
      const upTo = Math.round((done + i + 1) * perHousehold);
      for (; visitNo < upTo; visitNo++) out.push(row('visit', visitOf(r, h, people, start + visitNo * step, plan.volunteerId), h.group));
      counts.households++;
      counts.people += people.length;
    });
    counts.visits = visitNo;
    yield out;
  }
}

const COLUMNS = ['entity', 'id', 'ward_code', 'group_code', 'created_by', 'data', 'deleted', 'version', 'server_updated_at'] as const;

function seedSqlite(file: string, plans: WardPlan[]): Map<string, SeedCounts> {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const PER_STATEMENT = 200; // 9 × 200 parameters, well under SQLite's 32,766
  const values = `(${COLUMNS.map(() => '?').join(',')})`;
  const insertMany = db.prepare(`insert into records (${COLUMNS.join(',')}) values ${Array(PER_STATEMENT).fill(values).join(',')}`);
  const insertOne = db.prepare(`insert into records (${COLUMNS.join(',')}) values ${values}`);
  const now = new Date().toISOString();
  const out = new Map<string, SeedCounts>();
  try {
    for (const plan of plans) {
      const counts = { households: 0, people: 0, visits: 0 };
      let version = 0;
      const params = (row: Row) => [row.entity, row.id, plan.ward, row.group, plan.volunteerId, row.data, 0, ++version, now];
      const write = db.transaction((rows: Row[]) => {
        let i = 0;
        for (; i + PER_STATEMENT <= rows.length; i += PER_STATEMENT) insertMany.run(rows.slice(i, i + PER_STATEMENT).flatMap(params));
        for (; i < rows.length; i++) insertOne.run(params(rows[i]!));
      });
      let pending: Row[] = [];
      for (const rows of wardRows(plan, counts)) {
        pending = pending.concat(rows);
        if (pending.length >= 10_000) {
          write(pending);
          pending = [];
        }
      }
      write(pending);
      db.prepare('insert into ward_counters (ward_code, seq) values (?, ?) on conflict (ward_code) do update set seq = excluded.seq').run(plan.ward, version);
      out.set(plan.ward, counts);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('analyze');
  } finally {
    db.close();
  }
  return out;
}

async function seedPostgres(url: string, plans: WardPlan[]): Promise<Map<string, SeedCounts>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const now = new Date().toISOString();
  const out = new Map<string, SeedCounts>();
  try {
    await client.query('set synchronous_commit = off');
    const insert = `insert into records (${COLUMNS.join(',')})
      select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::text[])`;
    for (const plan of plans) {
      const counts = { households: 0, people: 0, visits: 0 };
      let version = 0;
      const flush = async (rows: Row[]) => {
        if (rows.length === 0) return;
        const first = version + 1;
        version += rows.length;
        await client.query(insert, [
          rows.map((r) => r.entity),
          rows.map((r) => r.id),
          rows.map(() => plan.ward),
          rows.map((r) => r.group),
          rows.map(() => plan.volunteerId),
          rows.map((r) => r.data),
          rows.map(() => 0),
          rows.map((_, i) => first + i),
          rows.map(() => now),
        ]);
      };
      let pending: Row[] = [];
      for (const rows of wardRows(plan, counts)) {
        pending = pending.concat(rows);
        if (pending.length >= 5_000) {
          await flush(pending);
          pending = [];
        }
      }
      await flush(pending);
      await client.query('insert into ward_counters (ward_code, seq) values ($1, $2) on conflict (ward_code) do update set seq = excluded.seq', [plan.ward, version]);
      out.set(plan.ward, counts);
    }
    await client.query('vacuum analyze records');
  } finally {
    await client.end();
  }
  return out;
}

/** Seeds every ward of `plans` into a migrated, empty database; returns what each got. */
export async function seedWards(config: DbConfig, plans: WardPlan[]): Promise<Map<string, SeedCounts>> {
  return config.dialect === 'sqlite' ? seedSqlite(config.file, plans) : seedPostgres(config.url, plans);
}
