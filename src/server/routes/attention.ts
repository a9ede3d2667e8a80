// GET /api/v1/attention (extension to the contract): what needs a
// human. Rejected mutations and field conflicts, newest first; a supervisor
// sees their whole ward, a volunteer or responder only their own. The city
// pushes nothing and gets 403.
//
// Paged: at most `limit` (≤ 200) of each list per answer. The two lists page
// independently by keyset on their row ids (time-ordered, records.ts rowId),
// and the cursor carries both positions: "<rejected>.<conflicts>", each the
// last id returned or "end" once that list is done. Following it returns every
// row that existed at the first page exactly once; rows stored meanwhile are
// newer than the first page and appear when the device starts again.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { parseOr400 } from '../errors';
import { seesWholeWard } from '../scope';
import { requireRole } from '../sessions';

export const ATTENTION_MAX_LIMIT = 200;
const END = 'end';
const position = String.raw`(?:end|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`;

const querySchema = z
  .object({
    limit: z
      .string()
      .regex(/^\d{1,4}$/)
      .transform(Number)
      .pipe(z.number().min(1).max(ATTENTION_MAX_LIMIT))
      .default(ATTENTION_MAX_LIMIT),
    cursor: z
      .string()
      .regex(new RegExp(`^${position}\\.${position}$`))
      .transform((c) => {
        const [rejected, conflicts] = c.split('.') as [string, string];
        return { rejected, conflicts };
      })
      .optional(),
  })
  .strict();

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/**
 * One page of a list, newest first, from `from` (the last id of the previous
 * page; undefined to start, END when done). Reads one row more than `limit`
 * to know whether another page follows.
 */
async function keysetPage<R extends { id: string }>(
  from: string | undefined,
  limit: number,
  read: (before: string | undefined, n: number) => Promise<R[]>,
): Promise<{ rows: R[]; next: string }> {
  if (from === END) return { rows: [], next: END };
  const rows = await read(from, limit + 1);
  if (rows.length <= limit) return { rows, next: END };
  rows.length = limit;
  return { rows, next: rows[limit - 1]!.id };
}

export function attentionRoutes(app: FastifyInstance, ctx: ServerContext) {
  const pusher = requireRole(ctx, ['volunteer', 'supervisor', 'responder'], 'The city pushes no records, so nothing of its needs attention');
  app.get('/api/v1/attention', async (request, reply) => {
    const user = await pusher(request, reply);
    const { limit, cursor } = parseOr400(querySchema, request.query);
    const whose = seesWholeWard(user) ? (['ward_code', user.wardCode] as const) : (['user_id', user.id] as const);
    const [rejectedPage, conflictsPage] = await Promise.all([
      keysetPage(cursor?.rejected, limit, (before, n) => {
        let q = ctx.db.kysely.selectFrom('rejected_mutations').selectAll().where(whose[0], '=', whose[1]);
        if (before !== undefined) q = q.where('id', '<', before);
        return q.orderBy('id', 'desc').limit(n).execute();
      }),
      keysetPage(cursor?.conflicts, limit, (before, n) => {
        let q = ctx.db.kysely.selectFrom('conflicts').selectAll().where(whose[0], '=', whose[1]);
        if (before !== undefined) q = q.where('id', '<', before);
        return q.orderBy('id', 'desc').limit(n).execute();
      }),
    ]);
    const rejected = rejectedPage.rows;
    const conflicts = conflictsPage.rows;
    // Who: the console's ward view names the volunteer, not only their id.
    const ids = [...new Set([...rejected, ...conflicts].map((r) => r.user_id))];
    const names = new Map(
      ids.length ? (await ctx.db.kysely.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids).execute()).map((u) => [u.id, u.display_name]) : [],
    );
    return {
      rejected: rejected.map((r) => ({
        id: r.id,
        userId: r.user_id,
        userName: names.get(r.user_id) ?? null,
        clientId: r.client_id,
        seq: Number(r.seq),
        entity: r.entity,
        recordId: r.record_id,
        op: r.op,
        fields: json(r.fields),
        base: json(r.base),
        mutationAt: r.mutation_at,
        error: { code: r.code, message: r.message, ...(r.path !== null ? { path: r.path } : {}) },
        at: r.at,
      })),
      conflicts: conflicts.map((c) => ({
        id: c.id,
        userId: c.user_id,
        userName: names.get(c.user_id) ?? null,
        clientId: c.client_id,
        seq: Number(c.seq),
        entity: c.entity,
        recordId: c.record_id,
        field: c.field,
        serverValue: json(c.server_value),
        clientValue: json(c.client_value),
        baseValue: json(c.base_value),
        mutationAt: c.mutation_at,
        at: c.at,
      })),
      cursor: `${rejectedPage.next}.${conflictsPage.next}`,
      hasMore: rejectedPage.next !== END || conflictsPage.next !== END,
    };
  });
}
