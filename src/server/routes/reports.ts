// Reports (exports: routes/exports.ts). The contract is src/shared/reports.ts;
// docs/API.md, "Reports", explains it.
//   GET /api/v1/reports/summary  a supervisor reads their own ward (naming it in
//     `ward` is allowed, another ward is 403); the city names any existing ward
//     in `ward` (required: the city's own ward code '*' is not a ward; unknown →
//     404). Volunteers and responders get 403.
//   GET /api/v1/reports/city     the city role only: one row per ward
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { wardCodeSchema } from '../../shared/wards';
import type { ServerContext } from '../context';
import { cityReportQuerySchema } from '../../shared/reports';
import { ApiError, forbidden, notFound, parseOr400 } from '../errors';
import { cityReport } from '../reports/city';
import { reportSummary } from '../reports/summary';
import { readsWard, seesAllWards } from '../scope';
import { requireRole } from '../sessions';
import type { AuthUser } from '../users';
import { wardExists } from '../wards';
import type { Db } from '../db';

const summaryQuery = z.object({ ward: wardCodeSchema.optional() }).strict();

/**
 * The ward a report or list is about: the supervisor's own, or the one the
 * city names. 400 when the city names none, 403 for another ward, 404 when
 * the city names a ward that does not exist.
 */
export async function reportWard(db: Db, me: AuthUser, requested: string | undefined): Promise<string> {
  if (seesAllWards(me)) {
    if (requested === undefined) throw new ApiError(400, 'invalid_request', 'Name the ward: ?ward=<code>', { issues: [{ path: 'ward', message: 'required for the city' }] });
    if (!(await wardExists(db, requested))) throw notFound('No such ward');
    return requested;
  }
  const ward = requested ?? me.wardCode;
  if (!readsWard(me, ward)) throw forbidden('You may read only your own ward');
  return ward;
}

export function reportRoutes(app: FastifyInstance, ctx: ServerContext) {
  const reader = requireRole(ctx, ['supervisor', 'city'], 'Reports are for supervisors and the city');

  app.get('/api/v1/reports/summary', async (request, reply) => {
    const user = await reader(request, reply);
    const { ward } = parseOr400(summaryQuery, request.query);
    return reportSummary(ctx.db, await reportWard(ctx.db, user, ward), ctx.now());
  });

  const city = requireRole(ctx, ['city'], 'The city report is for the city');
  app.get('/api/v1/reports/city', async (request, reply) => {
    await city(request, reply);
    parseOr400(cityReportQuerySchema, request.query);
    return cityReport(ctx.db, ctx.now());
  });
}
