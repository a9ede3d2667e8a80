// GET /api/v1/privacy/erasures: the log of erasures in the supervisor's ward
// (consent withdrawn, household deleted; see erasure.ts), newest first. The
// city reads any ward's log (`ward`, required, like reports). It
// says when, which household (by id), who and how many records, and nothing
// personal: the point of an erasure is that the data is gone.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { parseOr400 } from '../errors';
import { wardCodeSchema } from '../../shared/wards';
import { requireRole } from '../sessions';
import { countParam } from './query';
import { reportWard } from './reports';

const querySchema = z.object({ limit: countParam(1000, 200), ward: wardCodeSchema.optional() }).strict();

export function privacyRoutes(app: FastifyInstance, ctx: ServerContext) {
  const supervisor = requireRole(ctx, ['supervisor', 'city'], 'The erasure log is for supervisors and the city');

  app.get('/api/v1/privacy/erasures', async (request, reply) => {
    const user = await supervisor(request, reply);
    const { limit, ward: requested } = parseOr400(querySchema, request.query);
    const ward = await reportWard(ctx.db, user, requested);
    const rows = await ctx.db.kysely
      .selectFrom('erasures')
      .selectAll()
      .where('ward_code', '=', ward)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return {
      erasures: rows.map((r) => ({ id: r.id, at: r.at, householdId: r.household_id, userId: r.user_id, reason: r.reason, records: Number(r.records) })),
    };
  });
}
