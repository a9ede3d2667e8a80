// Database access for both back ends: SQLite (embedded default) and PostgreSQL.
//
// The rest of the server talks to `Db`: a Kysely instance, the dialect flag,
// `writeTx`, the only way to run a write transaction, and `readTx`, the only
// way to read several statements from one snapshot. writeTx exists because
// the two databases need different statements to serialise writers:
//   - SQLite: Kysely's own transaction() issues a plain BEGIN (deferred), which
//     takes the write lock only at the first write and can then fail with
//     SQLITE_BUSY half-way through a push if another process (a second app
//     server, the admin CLI) got the lock first. We issue BEGIN IMMEDIATE on one
//     connection instead, so the lock is taken up front and busy_timeout applies.
//   - PostgreSQL: an ordinary READ COMMITTED transaction; the push code takes
//     row locks (SELECT ... FOR UPDATE) itself, see push.ts and records.ts.
//   - SQLite, within this process: one writer queue in arrival order
//     (WriterQueue below). better-sqlite3 is synchronous, so a push runs from
//     BEGIN to COMMIT without giving the event loop back; without the queue,
//     every push whose body had arrived ran back to back in one turn of the
//     loop, and a turn took seconds under load. Node accepts new connections
//     only between such turns, a few at a time, so a device whose connection
//     was still waiting to be accepted waited while devices already connected
//     pushed again and again (issue 11: p50 173 ms, max 36.6 s with 200
//     devices). Now each write transaction waits its turn in arrival order and
//     starts in its own turn of the loop (setImmediate), after the loop has
//     accepted connections and read the requests that arrived meanwhile.
// readTx lets a report's numbers agree with each other even while pushes
// commit: REPEATABLE READ READ ONLY on PostgreSQL; a deferred BEGIN on SQLite
// (WAL gives the reader a snapshot at its first read; the single connection
// is held for the few statements of a report).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

// Booleans are stored as integers 0/1 and JSON as text on both databases, so
// one set of migrations and queries serves both.
export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  role: string;
  ward_code: string;
  groups: string; // JSON array of group codes
  password_hash: string;
  disabled: number;
  created_at: string;
}

export interface SessionsTable {
  token_sha256: string;
  user_id: string;
  created_at: string;
  last_used_at: string;
  revoked: number;
}

export interface ClientsTable {
  client_id: string;
  user_id: string;
  last_applied_seq: number;
  created_at: string;
  last_push_at: string | null;
}

export interface RecordsTable {
  entity: string;
  id: string;
  ward_code: string;
  group_code: string | null;
  created_by: string;
  data: string; // JSON of the record as parsed by the shared schema
  deleted: number;
  version: number;
  server_updated_at: string;
}

export interface WardCountersTable {
  ward_code: string;
  seq: number;
}

export interface ConflictsTable {
  id: string;
  ward_code: string;
  entity: string;
  record_id: string;
  field: string;
  server_value: string | null;
  client_value: string | null;
  base_value: string | null;
  user_id: string;
  client_id: string;
  seq: number;
  mutation_at: string;
  at: string;
}

export interface RejectedMutationsTable {
  id: string;
  ward_code: string;
  client_id: string;
  user_id: string;
  seq: number;
  entity: string;
  record_id: string;
  op: string;
  fields: string;
  base: string | null;
  mutation_at: string;
  code: string;
  message: string;
  path: string | null;
  at: string;
}

export interface LoginFailuresTable {
  id: string;
  username_sha256: string;
  ip_sha256: string;
  at: string;
}

/** A record that left a group: pull tells that group's devices to drop it (scope-exits.ts). */
export interface ScopeExitsTable {
  ward_code: string;
  version: number; // from the ward's counter, like records.version
  entity: string;
  id: string;
  from_group: string | null; // the group it left (a move), or null
  user_id: string | null; // the volunteer who lost the group, or null
}

/** One erasure of a household's personal data (erasure.ts). No personal data. */
export interface ErasuresTable {
  id: string;
  ward_code: string;
  household_id: string;
  user_id: string;
  reason: string; // 'consent_withdrawn' | 'household_deleted'
  records: number;
  at: string;
}

/** One export (exports/audit.ts): who downloaded what, why, and whether it finished. */
export interface ExportAuditTable {
  id: string;
  at: string;
  user_id: string; // 'cli' for npm run export
  role: string; // the user's role, or 'cli'
  ward_code: string;
  dataset: string;
  format: string;
  from_day: string | null;
  to_day: string | null;
  group_code: string | null;
  detail: string; // 'redacted' | 'full'
  reason: string | null;
  rows: number;
  status: string; // 'started' | 'complete' | 'incomplete'
}

/** A ward (migration 6, wards.ts). The city's users carry ward_code '*', which is never a ward. */
export interface WardsTable {
  code: string;
  name: string;
  /** The ward's target of people who use a platform alone ("did it alone"); null when not set. */
  target_independent: number | null;
  created_at: string;
}

/** A residential group of a ward: `code` is what records carry in `group`. */
export interface WardGroupsTable {
  ward_code: string;
  code: string;
  name: string;
  target_households: number | null;
  position: number;
}

/** First-run setup links (setup.ts): only the token's SHA-256 is kept. */
export interface SetupTokensTable {
  token_sha256: string;
  created_at: string;
}

/** One enrolment QR code (enrolments.ts). The token itself is never stored, only its SHA-256. */
export interface EnrolmentsTable {
  id: string;
  ward_code: string;
  role: string; // 'volunteer' | 'responder'
  groups: string; // JSON array of group codes
  display_name: string;
  user_id: string | null; // a re-enrolment: the account whose password it resets
  token_sha256: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null; // the account created (or reset) by the redeem
  cancelled_at: string | null;
}

/** What a device (one clientId) last reported, and whether it was revoked (devices.ts). */
export interface DevicesTable {
  client_id: string;
  user_id: string;
  app_version: string | null;
  last_push_at: string | null;
  last_pull_at: string | null;
  pending: number | null;
  storage_persisted: number | null; // 0/1, null when never reported
  created_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** Aggregates per ward and group (reports/aggregates.ts); group_code '' = no group. */
export interface WardGroupStatsTable {
  ward_code: string;
  group_code: string;
  metric: string;
  value: number;
}

/** ward_group_stats summed over the ward's groups. */
export interface WardStatsTable {
  ward_code: string;
  metric: string;
  value: number;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  clients: ClientsTable;
  records: RecordsTable;
  ward_counters: WardCountersTable;
  conflicts: ConflictsTable;
  rejected_mutations: RejectedMutationsTable;
  login_failures: LoginFailuresTable;
  scope_exits: ScopeExitsTable;
  erasures: ErasuresTable;
  export_audit: ExportAuditTable;
  wards: WardsTable;
  ward_groups: WardGroupsTable;
  setup_tokens: SetupTokensTable;
  enrolments: EnrolmentsTable;
  devices: DevicesTable;
  ward_group_stats: WardGroupStatsTable;
  ward_stats: WardStatsTable;
  schema_migrations: SchemaMigrationsTable;
}

export interface Db {
  kysely: Kysely<DB>;
  dialect: Dialect;
  /**
   * Runs fn in a write transaction (BEGIN IMMEDIATE on SQLite, in the writer
   * queue's arrival order). Rolls back if fn throws. fn must await nothing but
   * the database: on SQLite every other writer of this process waits for it.
   */
  writeTx<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T>;
  /** Runs fn's reads on one snapshot (a read-only transaction). */
  readTx<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DbConfig = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string; poolSize?: number };

/** Reads GOCUA_DATA_DIR / DATABASE_URL, as main.ts and admin.ts both do. */
export function dbConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DbConfig {
  const url = env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  if (url) throw new Error('DATABASE_URL must start with postgres:// (unset it to use SQLite)');
  const dir = env.GOCUA_DATA_DIR || './data';
  return { dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') };
}

export function describeDb(config: DbConfig): string {
  if (config.dialect === 'sqlite') return `SQLite ${path.resolve(config.file)}`;
  const u = new URL(config.url);
  return `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`; // never the password
}

export function openDb(config: DbConfig): Db {
  if (config.dialect === 'sqlite') return openSqlite(config.file);
  return openPostgres(config.url, config.poolSize ?? 10);
}

/**
 * Write transactions one at a time, first come first served, each started in
 * a turn of the event loop of its own (see the header). run() never rejects
 * for another caller's failure: a failed transaction only fails its caller.
 */
export class WriterQueue {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  /** Writers queued or running right now. */
  get length(): number {
    return this.#waiting;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.#waiting++;
    const turn = this.#tail.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    const result = turn.then(fn).finally(() => this.#waiting--);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

// Kysely's SQLite driver prepares every statement it runs; a push runs the
// same few statements hundreds of times, and preparing was 7% of its CPU.
const STATEMENT_CACHE_SIZE = 200;

/** The database as Kysely sees it, with prepared statements reused by their SQL text. */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      const cached = statements.get(text);
      // A statement still iterating (a streamed read) cannot run twice at once.
      if (cached && !cached.busy) return cached;
      const statement = database.prepare(text);
      // Texts vary only with the length of `in (...)` lists; a full cache starts over.
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
      statements.set(text, statement);
      return statement;
    },
    close: () => database.close(),
  };
}

function openSqlite(file: string): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  // FULL, not NORMAL: after a commit the device deletes its outbox, so a commit
  // lost to a power cut would lose volunteers' work for good.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const kysely = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  // Kysely's SQLite driver has a single connection guarded by a mutex;
  // connection() holds it for the whole callback, so nothing else in this
  // process interleaves statements into our transaction.
  const transaction = <T>(begin: 'begin immediate' | 'begin', fn: (trx: Kysely<DB>) => Promise<T>) =>
    kysely.connection().execute(async (conn) => {
      await sql.raw(begin).execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw error;
      }
    });
  const writers = new WriterQueue();
  return {
    kysely,
    dialect: 'sqlite',
    writeTx: (fn) => writers.run(() => transaction('begin immediate', fn)),
    readTx: (fn) => transaction('begin', fn),
    close: () => kysely.destroy(),
  };
}

const INT8_OID = 20;

function openPostgres(url: string, max: number): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // bigint (versions, counts) as JS numbers: versions stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    writeTx: (fn) => kysely.transaction().execute(fn),
    readTx: (fn) => kysely.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn),
    close: () => kysely.destroy(),
  };
}
