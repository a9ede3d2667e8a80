// /api/v1/enrolments: a supervisor enrols volunteers and responders of their
// ward by QR; whoever scans the code redeems it (no session needed). Also
// POST /api/v1/users/:id/enrolment: a new password for an account of the ward.
// The rules are enrolments.ts's.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createEnrolmentSchema, peekEnrolmentSchema, redeemEnrolmentSchema } from '../../shared/enrolment';
import { assertMayManage } from '../account-rules';
import type { ServerContext } from '../context';
import { forbidden, notFound, parseOr400 } from '../errors';
import {
  cancelEnrolment,
  createEnrolment,
  createReEnrolment,
  enrolmentUrl,
  listPending,
  peekEnrolment,
  redeemEnrolment,
  type EnrolmentOptions,
} from '../enrolments';
import { requireRole, startSession } from '../sessions';
import { findUserById, profile } from '../users';

const idParams = z.object({ id: z.string().min(1).max(64) }).strict();

export function enrolmentRoutes(app: FastifyInstance, ctx: ServerContext, options: EnrolmentOptions = {}) {
  const supervisor = requireRole(ctx, ['supervisor'], 'Only a supervisor of the ward enrols people');

  app.post('/api/v1/enrolments', async (request, reply) => {
    const me = await supervisor(request, reply);
    const body = parseOr400(createEnrolmentSchema, request.body);
    const created = await createEnrolment(ctx, me, body, (token) => enrolmentUrl(request, token, options.publicUrl));
    return reply.status(201).send(created);
  });

  app.get('/api/v1/enrolments', async (request, reply) => {
    const me = await supervisor(request, reply);
    return { enrolments: await listPending(ctx, me.wardCode) };
  });

  app.delete('/api/v1/enrolments/:id', async (request, reply) => {
    const me = await supervisor(request, reply);
    const { id } = parseOr400(idParams, request.params);
    await cancelEnrolment(ctx, me, id);
    return reply.status(204).send();
  });

  app.post('/api/v1/users/:id/enrolment', async (request, reply) => {
    const me = await supervisor(request, reply);
    const { id } = parseOr400(idParams, request.params);
    if (request.body !== undefined && request.body !== null) parseOr400(z.object({}).strict(), request.body);
    const target = await findUserById(ctx.db, id);
    if (!target || target.ward_code !== me.wardCode) throw notFound('No such user in your ward');
    if (target.id === me.id) throw forbidden('Change your own password with PUT /api/v1/session/password');
    assertMayManage(me, target);
    const created = await createReEnrolment(ctx, me, target, (token) => enrolmentUrl(request, token, options.publicUrl));
    return reply.status(201).send(created);
  });

  // No session: the token is the credential. Throttled like sign-in.
  app.post('/api/v1/enrolments/peek', async (request) => {
    const { token } = parseOr400(peekEnrolmentSchema, request.body);
    return peekEnrolment(ctx, token, request.ip);
  });

  app.post('/api/v1/enrolments/redeem', async (request, reply) => {
    const body = parseOr400(redeemEnrolmentSchema, request.body);
    const user = await redeemEnrolment(ctx, body, request.ip);
    await startSession(ctx, request, reply, user.id);
    return { user: profile(user) };
  });
}
