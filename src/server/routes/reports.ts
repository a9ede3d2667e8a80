// Supervisor reports: GET /api/v1/reports/summary (exports: routes/exports.ts).
// Supervisor only (a volunteer gets 403), always the supervisor's own ward.
// The contract is src/shared/reports.ts; docs/API.md, "Reports", explains it.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { reportSummary } from '../reports/summary';
import { requireRole } from '../sessions';

export function reportRoutes(app: FastifyInstance, ctx: ServerContext) {
  const supervisor = requireRole(ctx, ['supervisor'], 'Reports are for supervisors');

  app.get('/api/v1/reports/summary', async (request, reply) => {
    const user = await supervisor(request, reply);
    return reportSummary(ctx.db, user.wardCode, ctx.now());
  });
}
