// /api/v1/devices: the team's devices as they last reported (devices.ts), and
// revoking one. A supervisor sees and revokes their ward's; the city reads any
// ward's (?ward=) or every ward's.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { forbidden, parseOr400 } from '../errors';
import { listDevices, revokeDevice } from '../devices';
import { requireRole } from '../sessions';

const listQuery = z.object({ ward: z.string().trim().min(1).max(40).optional() }).strict();
const clientParams = z.object({ clientId: z.string().min(8).max(100) }).strict();

export function deviceRoutes(app: FastifyInstance, ctx: ServerContext) {
  const reader = requireRole(ctx, ['supervisor', 'city'], 'The team’s devices are for supervisors and the city');
  const supervisor = requireRole(ctx, ['supervisor'], 'Only a supervisor of the ward revokes its devices');

  app.get('/api/v1/devices', async (request, reply) => {
    const me = await reader(request, reply);
    const { ward } = parseOr400(listQuery, request.query);
    if (me.role === 'city') return (await listDevices(ctx, ward)).map(({ wardCode: _w, ...d }) => d);
    if (ward !== undefined && ward !== me.wardCode) throw forbidden('A supervisor sees the devices of their own ward only');
    return (await listDevices(ctx, me.wardCode)).map(({ wardCode: _w, ...d }) => d);
  });

  app.post('/api/v1/devices/:clientId/revoke', async (request, reply) => {
    const me = await supervisor(request, reply);
    const { clientId } = parseOr400(clientParams, request.params);
    if (request.body !== undefined && request.body !== null) parseOr400(z.object({}).strict(), request.body);
    return revokeDevice(ctx, me, clientId);
  });
}
