// GET /api/v1/attention (extension to the contract): what needs a
// human. Rejected mutations and field conflicts, newest first; a supervisor
// sees their whole ward, a volunteer only their own.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { parseOr400 } from '../errors';
import { seesWholeWard } from '../scope';
import { authenticate } from '../sessions';

const querySchema = z
  .object({
    limit: z
      .string()
      .regex(/^\d{1,4}$/)
      .transform(Number)
      .pipe(z.number().min(1).max(1000))
      .default(200),
  })
  .strict();

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function attentionRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.get('/api/v1/attention', async (request, reply) => {
    const user = await authenticate(ctx, request, reply);
    const { limit } = parseOr400(querySchema, request.query);
    const whose = seesWholeWard(user) ? (['ward_code', user.wardCode] as const) : (['user_id', user.id] as const);
    const [rejected, conflicts] = await Promise.all([
      ctx.db.kysely
        .selectFrom('rejected_mutations')
        .selectAll()
        .where(whose[0], '=', whose[1])
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
      ctx.db.kysely
        .selectFrom('conflicts')
        .selectAll()
        .where(whose[0], '=', whose[1])
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    ]);
    return {
      rejected: rejected.map((r) => ({
        id: r.id,
        userId: r.user_id,
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
    };
  });
}
