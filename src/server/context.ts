// What every route handler needs, passed explicitly instead of decorating Fastify.
import type { Db } from './db';

export interface TestHooks {
  /** Awaited inside a push transaction, after all writes, just before commit. Tests only. */
  beforePushCommit?: () => Promise<void>;
}

export interface ServerContext {
  db: Db;
  /** log2 of scrypt's N for new hashes and the dummy hash. 17 in production. */
  scryptLogN: number;
  /** The clock; injectable so tests can jump 30 days ahead. */
  now: () => Date;
  hooks: TestHooks;
  version: string;
}
