// How long "needs attention" rows are kept. Conflict and rejected-mutation
// rows hold copies of personal data (a losing note, a rejected phone number),
// kept only so a person can act on them; after the retention period (90 days
// by default, GOCUA_ATTENTION_RETENTION_DAYS) they are deleted: when the
// server starts, and then every few hours while it runs. Each app server does
// it; the deletes are idempotent, so several at once are harmless.
// The log says how many rows went, never which.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context';

export const DEFAULT_ATTENTION_RETENTION_DAYS = 90;
const DEFAULT_EVERY_MS = 6 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface AttentionRetention {
  /** Rows whose server time `at` is older than this many days are deleted. */
  days: number;
  /** How often to prune while running (ms); default 6 hours. */
  everyMs?: number;
}

/** Deletes conflict and rejected rows stored more than `days` days before `now`. */
export async function pruneAttention(ctx: ServerContext, days: number): Promise<{ conflicts: number; rejected: number }> {
  // `at` is always toISOString() (UTC, fixed width), so text order is time order.
  const cutoff = new Date(ctx.now().getTime() - days * DAY_MS).toISOString();
  return ctx.db.writeTx(async (trx) => {
    const conflicts = await trx.deleteFrom('conflicts').where('at', '<', cutoff).executeTakeFirst();
    const rejected = await trx.deleteFrom('rejected_mutations').where('at', '<', cutoff).executeTakeFirst();
    return { conflicts: Number(conflicts.numDeletedRows), rejected: Number(rejected.numDeletedRows) };
  });
}

/** Prunes once when the app is ready (before it listens), then every `everyMs`; the timer never keeps the process alive. */
export function scheduleAttentionPruning(app: FastifyInstance, ctx: ServerContext, retention: AttentionRetention) {
  const run = async () => {
    try {
      const pruned = await pruneAttention(ctx, retention.days);
      if (pruned.conflicts + pruned.rejected > 0) app.log.info({ pruned }, 'pruned old attention rows');
    } catch (error) {
      // Only what identifies the failure; the next run tries again.
      app.log.error({ err: { type: (error as Error).name, code: (error as { code?: string }).code } }, 'pruning attention rows failed');
    }
  };
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await run();
    timer = setInterval(() => void run(), retention.everyMs ?? DEFAULT_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
