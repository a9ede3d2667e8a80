// One set of migrations for SQLite and PostgreSQL, run at every start.
//
// Each migration runs once, in order, inside a write transaction, and is
// recorded in schema_migrations. On PostgreSQL an advisory lock makes app
// servers that start at the same moment (a city deployment behind a load
// balancer) take turns instead of racing to create the same tables.
// Migrations only ever get appended; never edit one that has shipped.
import { sql, type Kysely } from 'kysely';
import type { DB, Db, Dialect } from './db';
import { caseIdForVisit } from './cases';
import { rebuildAggregates } from './reports/aggregates';

/**
 * The schema this build of the server expects: the number of the last
 * migration below. A server refuses to start on a database with a higher
 * number, because an older server writing to a newer schema could silently
 * drop columns it does not know about. Bump it whenever a migration is added.
 */
// 2: indexes for the supervisor reports (summary and the streaming CSV export):
//    records_ward_entity, and records_visit_at, an expression index over each
//    visit's `at` normalised to UTC that the export pages through (keyset).
// 3: erasure. Tables scope_exits (records that left a group, so pull can tell
//    that group's devices to drop them) and erasures (the log of consent
//    withdrawals and household deletes); every existing tombstone is stripped
//    to its minimal form and given a new version, and its conflict and
//    rejected rows are deleted.
// 4: exports. Table export_audit (one row per export: who, what, why, how
//    many rows, whether it finished) and the indexes the people and
//    households datasets page through: records_household_group (households by
//    group), records_person_household and records_visit_household (a
//    record's householdId, so a page's people and visits are fetched in bulk).
// 5: PostgreSQL only: gocua_visit_at_us (migration 2) is PARALLEL UNSAFE.
//    It catches exceptions, which opens a subtransaction, and nothing may do
//    that while a query runs in parallel mode (the leader included): on a large
//    ward the planner chose a parallel plan and the export failed ("cannot
//    start subtransactions during a parallel operation"). Unsafe keeps such
//    queries serial; the function stays IMMUTABLE, so its index still serves.
// 6: wards and groups are data. Tables wards, ward_groups (a ward's
//    residential groups: the codes records carry in `group`) and setup_tokens
//    (first-run links, hashed). Wards and groups are created from the codes
//    already in use: users' ward_code and groups, records' ward_code and
//    group_code (name = code; the city's '*' is not a ward).
// 7: enrolment by QR and devices. Table enrolments (one per QR code: the
//    token's SHA-256 only, its role, groups and name, 24 h expiry, used or
//    cancelled; user_id for a re-enrolment that resets an account's password)
//    and table devices (one per clientId: what the device last reported on a
//    push or pull, and whether a supervisor revoked it). Devices are their own
//    table rather than columns of `clients`: a clients row exists only after a
//    first push and is the exactly-once core of push.ts; a device that only
//    pulls (a supervisor's phone) is still a device.
// 8: escalation cases (server/cases.ts). No new table: a case is a `records`
//    row of entity 'case'. Every escalated visit stored before cases existed
//    gets its case (status open), with a version from its ward's counter so
//    devices pull it.
// 9: incremental aggregates (reports/aggregates.ts): ward_group_stats and
//    ward_stats, key/value counters per ward and group that the push keeps
//    up to date, backfilled here by counting every ward's records.
const SCHEMA_VERSION = 9;

interface Migration {
  version: number;
  name: string;
  up(db: Kysely<DB>, dialect: Dialect): Promise<void>;
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial',
    async up(db) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('groups', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_ward').on('users').columns(['ward_code']).execute();

      await db.schema
        .createTable('sessions')
        .addColumn('token_sha256', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text', (c) => c.notNull())
        .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute();

      await db.schema
        .createTable('clients')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('last_applied_seq', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_push_at', 'text')
        .execute();

      await db.schema
        .createTable('records')
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('group_code', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('server_updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('records_pk', ['entity', 'id'])
        .execute();
      // Pull reads "ward W, version > C, in version order": this index is that
      // scan. Unique because versions come from the ward's counter (push.ts).
      await db.schema.createIndex('records_ward_version').on('records').columns(['ward_code', 'version']).unique().execute();

      await db.schema
        .createTable('ward_counters')
        .addColumn('ward_code', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('conflicts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('server_value', 'text')
        .addColumn('client_value', 'text')
        .addColumn('base_value', 'text')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('mutation_at', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('conflicts_ward').on('conflicts').columns(['ward_code', 'id']).execute();
      await db.schema.createIndex('conflicts_user').on('conflicts').columns(['user_id', 'id']).execute();

      await db.schema
        .createTable('rejected_mutations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('base', 'text')
        .addColumn('mutation_at', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('path', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rejected_ward').on('rejected_mutations').columns(['ward_code', 'id']).execute();
      await db.schema.createIndex('rejected_user').on('rejected_mutations').columns(['user_id', 'id']).execute();

      await db.schema
        .createTable('login_failures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username_sha256', 'text', (c) => c.notNull())
        .addColumn('ip_sha256', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_failures_user').on('login_failures').columns(['username_sha256', 'at']).execute();
      await db.schema.createIndex('login_failures_ip').on('login_failures').columns(['ip_sha256', 'at']).execute();
    },
  },
  {
    version: 2,
    name: 'report indexes',
    // Written out literally, not imported from reports/sql.ts: a shipped
    // migration must never change. reports/sql.ts visitAtKey() has to match
    // these expressions exactly for the planner to use the index.
    async up(db, dialect) {
      // Every report query reads one entity of one ward, tombstones excluded.
      await db.schema.createIndex('records_ward_entity').on('records').columns(['ward_code', 'entity', 'deleted']).execute();
      if (dialect === 'postgres') {
        // text -> timestamptz is only STABLE in PostgreSQL (it may depend on the
        // TimeZone setting), so it cannot be indexed directly. `at` always
        // carries an explicit offset (the schema requires it), which makes the
        // result independent of that setting: declaring the wrapper IMMUTABLE is
        // honest. It never throws (an exception inside an index expression would
        // fail the whole push and block the device's outbox): a value PostgreSQL
        // cannot read (e.g. year 0000, which the schema allows) sorts first as 0.
        await sql`
          create function gocua_visit_at_us(data text) returns bigint
          language plpgsql immutable strict parallel safe as $$
          begin
            return coalesce((extract(epoch from ((data::jsonb ->> 'at')::timestamptz)) * 1000000)::bigint, 0);
          exception when others then
            return 0;
          end $$`.execute(db);
        await sql`create index records_visit_at on records (ward_code, gocua_visit_at_us(data), id) where entity = 'visit'`.execute(db);
      } else {
        await sql`create index records_visit_at on records (ward_code, coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(data, '$.at')), ''), id) where entity = 'visit'`.execute(db);
      }
    },
  },
  {
    version: 3,
    name: 'erasure and scope exits',
    async up(db, dialect) {
      await db.schema
        .createTable('scope_exits')
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('from_group', 'text')
        .addColumn('user_id', 'text')
        .execute();
      // Pull reads exits like records: "ward W, version > C, in version order".
      // Unique: each exit takes its own version from the ward's counter.
      await db.schema.createIndex('scope_exits_ward_version').on('scope_exits').columns(['ward_code', 'version']).unique().execute();

      await db.schema
        .createTable('erasures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('household_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('records', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('erasures_ward').on('erasures').columns(['ward_code', 'id']).execute();

      // Tombstones used to keep the whole record. Keep only what a tombstone is
      // (written out here, not imported: a shipped migration must never change),
      // with a new version so that devices pull the stripped form.
      const tombstones = await db
        .selectFrom('records')
        .select(['entity', 'id', 'ward_code', 'data'])
        .where('deleted', '=', 1)
        .orderBy('ward_code')
        .orderBy('version')
        .execute();
      const wards = [...new Set(tombstones.map((t) => t.ward_code))];
      for (const ward of wards) {
        await db.insertInto('ward_counters').values({ ward_code: ward, seq: 0 }).onConflict((oc) => oc.column('ward_code').doNothing()).execute();
        let counter = db.selectFrom('ward_counters').select('seq').where('ward_code', '=', ward);
        if (dialect === 'postgres') counter = counter.forUpdate();
        let version = Number((await counter.executeTakeFirstOrThrow()).seq);
        for (const t of tombstones.filter((x) => x.ward_code === ward)) {
          const r = JSON.parse(t.data) as Record<string, unknown>;
          const kept: Record<string, unknown> = { id: r.id, wardCode: r.wardCode, deleted: true, createdAt: r.createdAt, updatedAt: r.updatedAt };
          if (t.entity === 'household' && r.group !== undefined) kept.group = r.group;
          if (t.entity !== 'household' && r.householdId !== undefined) kept.householdId = r.householdId;
          await db
            .updateTable('records')
            .set({ data: JSON.stringify(kept), version: ++version })
            .where('entity', '=', t.entity)
            .where('id', '=', t.id)
            .execute();
        }
        await db.updateTable('ward_counters').set({ seq: version }).where('ward_code', '=', ward).execute();
      }
      const ids = tombstones.map((t) => t.id);
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await db.deleteFrom('conflicts').where('record_id', 'in', chunk).execute();
        await db.deleteFrom('rejected_mutations').where('record_id', 'in', chunk).execute();
      }
    },
  },
  {
    version: 4,
    name: 'exports',
    // Written out literally, like migration 2: reports/sql.ts householdRef()
    // has to match these expressions exactly for the planner to use them.
    async up(db, dialect) {
      await db.schema
        .createTable('export_audit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('from_day', 'text')
        .addColumn('to_day', 'text')
        .addColumn('group_code', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('rows', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('export_audit_ward').on('export_audit').columns(['ward_code', 'id']).execute();
      await sql`create index records_household_group on records (ward_code, group_code, id) where entity = 'household'`.execute(db);
      const ref = dialect === 'postgres' ? sql`(data::jsonb ->> 'householdId')` : sql`json_extract(data, '$.householdId')`;
      await sql`create index records_person_household on records (ward_code, ${ref}, id) where entity = 'person'`.execute(db);
      await sql`create index records_visit_household on records (ward_code, ${ref}) where entity = 'visit'`.execute(db);
    },
  },
  {
    version: 5,
    name: 'visit time function parallel unsafe',
    async up(db, dialect) {
      if (dialect === 'postgres') await sql`alter function gocua_visit_at_us(text) parallel unsafe`.execute(db);
    },
  },
  {
    version: 6,
    name: 'wards and groups',
    // Written out literally, not through wards.ts: a shipped migration must never change.
    async up(db) {
      await db.schema
        .createTable('wards')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('target_independent', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ward_groups')
        .addColumn('ward_code', 'text', (c) => c.notNull().references('wards.code'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('target_households', 'integer')
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('ward_groups_pk', ['ward_code', 'code'])
        .execute();
      await db.schema
        .createTable('setup_tokens')
        .addColumn('token_sha256', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      // The codes in use. Users' groups are a JSON array in a text column, read here in JS.
      const now = new Date().toISOString();
      const groupsOf = new Map<string, Set<string>>();
      const note = (ward: string, group: string | null) => {
        if (ward === '*' || ward === '') return;
        if (!groupsOf.has(ward)) groupsOf.set(ward, new Set());
        if (group !== null && group !== '') groupsOf.get(ward)!.add(group);
      };
      for (const u of await db.selectFrom('users').select(['ward_code', 'groups']).execute()) {
        note(u.ward_code, null);
        let groups: unknown;
        try {
          groups = JSON.parse(u.groups);
        } catch {
          groups = [];
        }
        if (Array.isArray(groups)) for (const g of groups) if (typeof g === 'string') note(u.ward_code, g);
      }
      const used = await db.selectFrom('records').select(['ward_code', 'group_code']).distinct().execute();
      for (const r of used) note(r.ward_code, r.group_code);
      for (const [ward, groups] of groupsOf) {
        await db.insertInto('wards').values({ code: ward, name: ward, target_independent: null, created_at: now }).execute();
        // Natural order (TDP 2 before TDP 10), as the reports list them.
        const sorted = [...groups].sort((a, b) => a.localeCompare(b, 'vi', { numeric: true }));
        for (const [i, code] of sorted.entries()) {
          await db.insertInto('ward_groups').values({ ward_code: ward, code, name: code, target_households: null, position: i }).execute();
        }
      }
    },
  },
  {
    version: 7,
    name: 'enrolments and devices',
    async up(db) {
      await db.schema
        .createTable('enrolments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('groups', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('used_by', 'text')
        .addColumn('cancelled_at', 'text')
        .execute();
      await db.schema.createIndex('enrolments_ward').on('enrolments').columns(['ward_code', 'expires_at']).execute();

      await db.schema
        .createTable('devices')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('app_version', 'text')
        .addColumn('last_push_at', 'text')
        .addColumn('last_pull_at', 'text')
        .addColumn('pending', 'bigint')
        .addColumn('storage_persisted', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .execute();
      await db.schema.createIndex('devices_user').on('devices').columns(['user_id']).execute();
    },
  },
  {
    version: 8,
    name: 'escalation cases for escalated visits',
    // The case written out literally, as cases.ts's caseForVisit() made it on
    // the day this shipped (a shipped migration must never change). The id
    // function is imported: it is frozen by its own contract (cases.ts).
    async up(db, dialect) {
      const visits = await db
        .selectFrom('records')
        .select(['id', 'ward_code', 'group_code', 'created_by', 'data'])
        .where('entity', '=', 'visit')
        .where('deleted', '=', 0)
        .where('data', 'like', '%"escalate":{%')
        .orderBy('ward_code')
        .orderBy('version')
        .execute();
      const wards = [...new Set(visits.map((v) => v.ward_code))];
      for (const ward of wards) {
        let counter = db.selectFrom('ward_counters').select('seq').where('ward_code', '=', ward);
        if (dialect === 'postgres') counter = counter.forUpdate();
        let version = Number((await counter.executeTakeFirstOrThrow()).seq);
        const start = version;
        for (const row of visits.filter((x) => x.ward_code === ward)) {
          const v = JSON.parse(row.data) as Record<string, unknown>;
          const escalate = v.escalate as { reason?: unknown; detail?: unknown } | undefined;
          if (!escalate || typeof escalate.reason !== 'string') continue;
          const id = caseIdForVisit(row.id);
          if (await db.selectFrom('records').select('id').where('entity', '=', 'case').where('id', '=', id).executeTakeFirst()) continue;
          const c: Record<string, unknown> = {
            id, createdAt: v.createdAt, updatedAt: v.createdAt, deleted: false, wardCode: v.wardCode, visitId: row.id,
            reason: escalate.reason, status: 'open',
          };
          if (typeof v.householdId === 'string') c.householdId = v.householdId;
          if (row.group_code !== null) c.group = row.group_code;
          if (typeof escalate.detail === 'string') c.detail = escalate.detail;
          await db
            .insertInto('records')
            .values({
              entity: 'case', id, ward_code: ward, group_code: row.group_code, created_by: row.created_by,
              data: JSON.stringify(c), deleted: 0, version: ++version, server_updated_at: new Date().toISOString(),
            })
            .execute();
        }
        if (version !== start) await db.updateTable('ward_counters').set({ seq: version }).where('ward_code', '=', ward).execute();
      }
    },
  },
  {
    version: 9,
    name: 'incremental aggregates',
    async up(db, dialect) {
      await db.schema
        .createTable('ward_group_stats')
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('group_code', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ward_group_stats_pk', ['ward_code', 'group_code', 'metric'])
        .execute();
      // The summary reads a few metrics of every group of one ward: by metric, not by group.
      await db.schema.createIndex('ward_group_stats_metric').on('ward_group_stats').columns(['ward_code', 'metric', 'group_code', 'value']).execute();
      await db.schema
        .createTable('ward_stats')
        .addColumn('ward_code', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ward_stats_pk', ['ward_code', 'metric'])
        .execute();
      // The backfill is the recount itself. The tables are key/value, so the
      // recount of a later build still fits them; a later change to what is
      // counted bumps AGGREGATES_VERSION and calls rebuildAggregates again in
      // its own migration.
      await rebuildAggregates(db, dialect);
    },
  },
];

// Arbitrary constant identifying "Gõ Cửa migrations" among advisory locks.
const PG_MIGRATION_LOCK = 4_711_003;

/**
 * Applies pending migrations. Returns the versions it applied (empty when up
 * to date). `upTo` is for tests that build a database at an older version.
 */
export async function migrate(db: Db, upTo = SCHEMA_VERSION): Promise<number[]> {
  return db.writeTx(async (trx) => {
    if (db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(trx);
    await trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const rows = await trx.selectFrom('schema_migrations').select('version').execute();
    const applied = new Set(rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION) {
      throw new Error(
        `The database schema is version ${newest}, newer than this server (${SCHEMA_VERSION}). Update the server.`,
      );
    }
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version) || m.version > upTo) continue;
      await m.up(trx, db.dialect);
      await trx
        .insertInto('schema_migrations')
        .values({ version: m.version, name: m.name, applied_at: new Date().toISOString() })
        .execute();
      done.push(m.version);
    }
    return done;
  });
}
