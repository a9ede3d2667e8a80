// Reports (exports: routes/exports.ts). The contract is src/shared/reports.ts;
// docs/API.md, "Reports", explains it.
//   GET /api/v1/reports/summary  supervisors only, always their own ward
//   GET /api/v1/reports/city     the city role only: one row per ward
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { cityReportQuerySchema } from '../../shared/reports';
import { parseOr400 } from '../errors';
import { cityReport } from '../reports/city';
import { reportSummary } from '../reports/summary';
import { requireRole } from '../sessions';

export function reportRoutes(app: FastifyInstance, ctx: ServerContext) {
  const supervisor = requireRole(ctx, ['supervisor'], 'Reports are for supervisors');

  app.get('/api/v1/reports/summary', async (request, reply) => {
    const user = await supervisor(request, reply);
    return reportSummary(ctx.db, user.wardCode, ctx.now());
  });

  const city = requireRole(ctx, ['city'], 'The city report is for the city');
  app.get('/api/v1/reports/city', async (request, reply) => {
    await city(request, reply);
    parseOr400(cityReportQuerySchema, request.query);
    return cityReport(ctx.db, ctx.now());
  });
}
