// Supervisor reports: GET /api/v1/reports/summary and GET /api/v1/exports/visits.csv.
// Supervisor only (a volunteer gets 403), always the supervisor's own ward.
// The contract is src/shared/reports.ts; docs/API.md, "Reports", explains it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context';
import { forbidden } from '../errors';
import { reportSummary } from '../reports/summary';
import { authenticate } from '../sessions';
import type { AuthUser } from '../users';

export async function requireSupervisor(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<AuthUser> {
  const user = await authenticate(ctx, request, reply);
  if (user.role !== 'supervisor') throw forbidden('Reports are for supervisors');
  return user;
}

export function reportRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.get('/api/v1/reports/summary', async (request, reply) => {
    const user = await requireSupervisor(ctx, request, reply);
    return reportSummary(ctx.db, user.wardCode, ctx.now());
  });
}
