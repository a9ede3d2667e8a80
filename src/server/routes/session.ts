// POST/GET/DELETE /api/v1/session: sign in, who am I, sign out.
// PUT /api/v1/session/password: change your own password.
import type { FastifyInstance } from 'fastify';
import { loginRequestSchema } from '../../shared/protocol';
import type { ServerContext } from '../context';
import { ApiError, parseOr400 } from '../errors';
import { authenticate, endSession, sessionIdOf, startSession } from '../sessions';
import { changeOwnPassword, checkPassword, passwordChangeSchema } from '../sign-in';
import { profile, toUser } from '../users';

export function sessionRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post('/api/v1/session', async (request, reply) => {
    const { username, password } = parseOr400(loginRequestSchema, request.body);
    const row = await checkPassword(ctx, username, password, request.ip);
    if (!row) throw new ApiError(401, 'invalid_credentials', 'Wrong username or password');
    await startSession(ctx, request, reply, row.id);
    return { user: profile(toUser(row)) };
  });

  app.get('/api/v1/session', async (request, reply) => {
    const user = await authenticate(ctx, request, reply);
    return { user: profile(user) };
  });

  app.delete('/api/v1/session', async (request, reply) => {
    await endSession(ctx, request, reply);
    return reply.status(204).send();
  });

  app.put('/api/v1/session/password', async (request, reply) => {
    const user = await authenticate(ctx, request, reply);
    const change = parseOr400(passwordChangeSchema, request.body);
    await changeOwnPassword(ctx, user, change, request.ip, sessionIdOf(request)!);
    return reply.status(204).send();
  });
}
