// What every route handler needs, passed explicitly instead of decorating Fastify.
import type { Db } from './db';
import type { PasswordHasher } from './passwords';

export interface TestHooks {
  /**
   * Tests only: awaited inside a push transaction once its records are written
   * and their final versions taken (the ward counter held on PostgreSQL), not
   * yet committed, before the counter and client rows are updated. Lets a test hold a push open mid-transaction.
   */
  afterPushWrites?: () => Promise<void>;
  /**
   * Tests only: awaited inside a push transaction once its records are
   * written, BEFORE the ward counter is taken on PostgreSQL (push.ts, step 3;
   * on SQLite the counter was read first). Lets a test hold a push open while
   * its versions are still provisional.
   */
  beforeWardCounter?: () => Promise<void>;
  /**
   * Tests only: awaited while a password hash holds one of the hash pool's
   * workers (see hash-pool.ts). Lets a test keep the pool full.
   */
  whileHashing?: () => Promise<void>;
  /**
   * Tests only: awaited after each page of an export is written (exports/
   * stream.ts). Lets a test cut a download half-way.
   */
  afterExportPage?: () => Promise<void>;
  /**
   * Tests only: the data rows one XLSX sheet of an export holds, instead of
   * Excel's 1,048,575 (exports/stream.ts), so the limit is tested without a
   * million rows.
   */
  exportMaxSheetRows?: number;
}

export interface ServerContext {
  db: Db;
  /** log2 of scrypt's N for new hashes and the dummy hash. 17 in production. */
  scryptLogN: number;
  /** Hashes and checks passwords at scryptLogN in the app's hash pool (hash-pool.ts). */
  passwords: PasswordHasher;
  /** The clock; injectable so tests can jump 30 days ahead. */
  now: () => Date;
  hooks: TestHooks;
  version: string;
}
