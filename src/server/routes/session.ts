// POST/GET/DELETE /api/v1/session: sign in, who am I, sign out.
import type { FastifyInstance } from 'fastify';
import { loginRequestSchema } from '../../shared/protocol';
import type { ServerContext } from '../context';
import { ApiError, parseOr400 } from '../errors';
import { verifyPassword, dummyHash } from '../passwords';
import { authenticate, endSession, startSession } from '../sessions';
import { checkThrottle, clearFailures, recordFailure } from '../throttle';
import { findUserByUsername, profile, toUser } from '../users';

export function sessionRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post('/api/v1/session', async (request, reply) => {
    const { username, password } = parseOr400(loginRequestSchema, request.body);
    await checkThrottle(ctx, username, request.ip);
    const row = await findUserByUsername(ctx.db, username);
    // Same scrypt work whether or not the user exists.
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash(ctx.scryptLogN)));
    if (!row || !ok || row.disabled) {
      await recordFailure(ctx, username, request.ip);
      throw new ApiError(401, 'invalid_credentials', 'Wrong username or password');
    }
    await clearFailures(ctx, username);
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
}
