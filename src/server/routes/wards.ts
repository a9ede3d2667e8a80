// /api/v1/wards: wards and their residential groups (wards.ts), and
// /api/v1/setup: the first run in the browser (setup.ts).
//
//   POST /api/v1/wards                 city: a new ward (409 conflict on a taken code)
//   GET  /api/v1/wards                 city: every ward with its groups
//   GET  /api/v1/wards/:code           anyone of that ward, or the city
//   PUT  /api/v1/wards/:code/groups    that ward's supervisor, or the city: replaces the list
//   GET  /api/v1/setup                 no session: { needed } (is there no user yet?)
//   POST /api/v1/setup                 no session, the setup token: the first city user and ward
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createWardSchema, setupRequestSchema, wardCodeSchema, wardGroupListSchema } from '../../shared/wards';
import type { ServerContext } from '../context';
import { ApiError, forbidden, notFound, parseOr400 } from '../errors';
import { knowsWard, managesWard } from '../scope';
import { authenticate, requireRole, startSession } from '../sessions';
import { runSetup } from '../setup';
import { DuplicateUsernameError, countUsers, profile, usernameSchema } from '../users';
import { DuplicateWardError, createWard, listWards, lockWardGroups, readWard, replaceWardGroups, wardExists } from '../wards';

const codeParams = z.object({ code: wardCodeSchema }).strict();
const noQuery = z.object({}).strict();
const serverSetupSchema = setupRequestSchema.extend({ username: usernameSchema }).strict();

export function wardRoutes(app: FastifyInstance, ctx: ServerContext) {
  const city = requireRole(ctx, ['city'], 'Only the city manages wards');

  app.post('/api/v1/wards', async (request, reply) => {
    await city(request, reply);
    const body = parseOr400(createWardSchema, request.body);
    try {
      await createWard(ctx.db, body, ctx.now());
    } catch (error) {
      if (error instanceof DuplicateWardError) throw new ApiError(409, 'conflict', 'A ward with that code exists');
      throw error;
    }
    return reply.status(201).send({ ward: await readWard(ctx.db, body.code) });
  });

  app.get('/api/v1/wards', async (request, reply) => {
    await city(request, reply);
    parseOr400(noQuery, request.query);
    return { wards: await listWards(ctx.db) };
  });

  app.get('/api/v1/wards/:code', async (request, reply) => {
    const me = await authenticate(ctx, request, reply);
    const { code } = parseOr400(codeParams, request.params);
    if (!knowsWard(me, code)) throw forbidden('You may read only your own ward');
    const ward = await readWard(ctx.db, code);
    if (!ward) throw notFound('No such ward');
    return { ward };
  });

  app.put('/api/v1/wards/:code/groups', async (request, reply) => {
    const me = await authenticate(ctx, request, reply);
    const { code } = parseOr400(codeParams, request.params);
    if (!managesWard(me, code)) throw forbidden("Only the ward's supervisor or the city changes its groups");
    const groups = parseOr400(wardGroupListSchema, request.body);
    if (!(await wardExists(ctx.db, code))) throw notFound('No such ward');
    await ctx.db.writeTx(async (trx) => {
      // The ward's groups' row locks: no push can write into a group while it is removed.
      await lockWardGroups(trx, ctx.db.dialect, code);
      await replaceWardGroups(trx, code, groups);
    });
    return { ward: await readWard(ctx.db, code) };
  });

  app.get('/api/v1/setup', async (request) => {
    parseOr400(noQuery, request.query);
    return { needed: (await countUsers(ctx.db)) === 0 };
  });

  app.post('/api/v1/setup', async (request, reply) => {
    const body = parseOr400(serverSetupSchema, request.body);
    let user;
    try {
      user = await runSetup(ctx, body);
    } catch (error) {
      // Only possible if an account appeared between the checks and the insert.
      if (error instanceof DuplicateUsernameError) throw new ApiError(410, 'setup_done', 'This server is set up already; sign in instead');
      throw error;
    }
    await startSession(ctx, request, reply, user.id);
    return reply.status(201).send({ user: profile(user) });
  });
}
