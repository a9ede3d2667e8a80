// The console's ward reports: GET /api/v1/reports/activity (the dashboard's
// filtered figures) and GET /api/v1/reports/doors (the printable door list).
// A supervisor reads their own ward; the city any ward it names (?ward=).
// Volunteers and responders get 403. Contracts: src/shared/console.ts;
// docs/API.md, "Reports".
import type { FastifyInstance } from 'fastify';
import { activityQuerySchema, doorsQuerySchema } from '../../shared/console';
import type { ServerContext } from '../context';
import { parseOr400 } from '../errors';
import { reportActivity } from '../reports/activity';
import { doorList } from '../reports/doors';
import { WARD_REPORT_ROLES, reportWard } from '../reports/filters';
import { requireRole } from '../sessions';

export function consoleReportRoutes(app: FastifyInstance, ctx: ServerContext) {
  const reader = requireRole(ctx, WARD_REPORT_ROLES, 'Ward reports are for supervisors and the city');

  app.get('/api/v1/reports/activity', async (request, reply) => {
    const user = await reader(request, reply);
    const q = parseOr400(activityQuerySchema, request.query);
    return reportActivity(ctx.db, reportWard(user, q.ward), q, ctx.now());
  });

  app.get('/api/v1/reports/doors', async (request, reply) => {
    const user = await reader(request, reply);
    const q = parseOr400(doorsQuerySchema, request.query);
    return doorList(ctx.db, reportWard(user, q.ward), q.group, q.lane, ctx.now());
  });
}
