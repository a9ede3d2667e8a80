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
//     (GroupCommitQueue below), committed in groups. better-sqlite3 is synchronous, so a push runs from
//     BEGIN to COMMIT without giving the event loop back; without the queue,
//     every push whose body had arrived ran back to back in one turn of the
//     loop, and a turn took seconds under load. Node accepts new connections
//     only between such turns, a few at a time, so a device whose connection
//     was still waiting to be accepted waited while devices already connected
//     pushed again and again (issue 11: p50 173 ms, max 36.6 s with 200
//     devices). Now each write transaction waits its turn in arrival order, in
//     groups that each start in their own turn of the loop (setImmediate),
//     after the loop has accepted connections and read the requests that
//     arrived meanwhile. The writers of a group run one after another, each in
//     a SAVEPOINT, and share one COMMIT (one fsync), answered only after it.
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
   * Runs fn in a write transaction (on SQLite: a savepoint of a BEGIN
   * IMMEDIATE shared with the writers queued beside it, in arrival order,
   * settled after COMMIT; see GroupCommitQueue). Rolls back if fn throws. fn
   * must await nothing but the database: on SQLite every other writer of this
   * process waits for it.
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

/** One write transaction waiting for its turn (GroupCommitQueue). */
interface Writer<C> {
  fn: (conn: C) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What GroupCommitQueue needs of the connection: the transaction statements. */
export interface GroupCommitConnection<C> {
  /** Holds the connection for fn (Kysely's single SQLite connection; its mutex). */
  withConnection(fn: (conn: C) => Promise<void>): Promise<void>;
  /** Runs one statement without parameters: begin immediate, savepoint, commit... */
  exec(conn: C, statement: string): Promise<void>;
  /** Whether a transaction is still open (SQLite ends it by itself on some errors). */
  inTransaction(): boolean;
}

/**
 * SQLite write transactions: one at a time, first come first served, and
 * committed in groups. Each group starts in a turn of the event loop of its
 * own (setImmediate, see the header), TURNS_BETWEEN_GROUPS turns after the last, takes the writers waiting at that moment
 * in arrival order, at most MAX_GROUP of them and until the group has run for
 * GROUP_BUDGET_MS, and runs each in a SAVEPOINT of one BEGIN IMMEDIATE ...
 * COMMIT. Why: with synchronous = FULL every COMMIT is an fsync of the WAL, 6-7
 * ms on this disk, paid with the event loop blocked (better-sqlite3 is
 * synchronous): one fsync per push was most of a small push's cost.
 *
 * Invariants:
 *   1. A writer's promise settles only once its fate is durable: resolved
 *      after the group's COMMIT, never before (a device deletes its outbox on
 *      the answer).
 *   2. A writer that throws is rolled back to its savepoint and rejected with
 *      its error; the others of the group are untouched and commit.
 *   3. If SQLite ends the whole transaction by itself (an I/O error, disk
 *      full) or COMMIT fails, every writer of the group that had succeeded is
 *      rejected with that error: nothing of theirs was stored, and their
 *      clients retry (pushes are exactly-once by seq). Writers not yet run
 *      stay queued for the next group.
 *   4. A writer sees the writes of the writers before it in its group, as it
 *      would if they had committed first; they commit together or not at all.
 */
export class GroupCommitQueue<C> {
  static readonly MAX_GROUP = 32;
  static readonly GROUP_BUDGET_MS = 10;
  /**
   * Turns of the event loop given back between two groups. libuv (since 1.45,
   * Node 20) accepts ONE new connection per listening socket per turn, so with
   * one group per turn, 200 devices connecting at once were accepted at one
   * per group: the last waited 200 groups, 3-6 s, before its first push was
   * even read (issue 11: first pushes p50 3.0 s, later ones 1.4 s). A turn
   * with nothing to do costs microseconds; one with I/O reads requests and
   * writes answers, work the server has to do anyway.
   */
  static readonly TURNS_BETWEEN_GROUPS = 16;
  #writers: Writer<C>[] = [];
  #draining = false;

  constructor(private readonly connection: GroupCommitConnection<C>) {}

  /** Writers queued or running right now. */
  get length(): number {
    return this.#writers.length;
  }

  run<T>(fn: (conn: C) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#writers.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#writers.length > 0) {
        for (let turn = 0; turn < GroupCommitQueue.TURNS_BETWEEN_GROUPS; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
        await this.connection.withConnection((conn) => this.#group(conn)).catch(() => undefined);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #group(conn: C): Promise<void> {
    const { exec, inTransaction } = this.connection;
    try {
      await exec(conn, 'begin immediate');
    } catch (error) {
      // Busy beyond busy_timeout (another process writes): as before groups,
      // one writer fails per attempt; the rest wait for the next group.
      this.#writers.shift()?.reject(error);
      return;
    }
    const started = performance.now();
    const done: { writer: Writer<C>; value: unknown }[] = [];
    const failAll = (error: unknown) => {
      for (const d of done) d.writer.reject(error);
      done.length = 0;
    };
    while (this.#writers.length > 0 && done.length < GroupCommitQueue.MAX_GROUP) {
      if (done.length > 0 && performance.now() - started >= GroupCommitQueue.GROUP_BUDGET_MS) break;
      const writer = this.#writers.shift()!;
      try {
        await exec(conn, 'savepoint writer');
        const value = await writer.fn(conn);
        await exec(conn, 'release writer');
        done.push({ writer, value });
      } catch (error) {
        writer.reject(error);
        if (!inTransaction()) return failAll(error); // 3: SQLite rolled everything back
        try {
          await exec(conn, 'rollback to writer');
          await exec(conn, 'release writer');
        } catch (undo) {
          await exec(conn, 'rollback').catch(() => undefined);
          return failAll(undo);
        }
      }
    }
    try {
      await exec(conn, 'commit');
    } catch (error) {
      await exec(conn, 'rollback').catch(() => undefined);
      return failAll(error);
    }
    for (const d of done) d.writer.resolve(d.value); // 1: after COMMIT
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
  const readTransaction = <T>(fn: (trx: Kysely<DB>) => Promise<T>) =>
    kysely.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw error;
      }
    });
  const writers = new GroupCommitQueue<Kysely<DB>>({
    withConnection: (fn) => kysely.connection().execute(fn),
    exec: async (conn, statement) => {
      await sql.raw(statement).execute(conn);
    },
    inTransaction: () => database.inTransaction,
  });
  return {
    kysely,
    dialect: 'sqlite',
    writeTx: (fn) => writers.run(fn),
    readTx: readTransaction,
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
