// /api/v1/users: a supervisor manages the volunteer accounts of their own ward.
// A user id from another ward answers 404 not_found, exactly like an unknown id,
// so a supervisor cannot even learn which ids exist elsewhere. Another
// supervisor of the ward answers 403 forbidden (account-rules.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MANAGED_ROLES, assertMayManage, assertOwnChangesAllowed } from '../account-rules';
import type { ServerContext } from '../context';
import { ApiError, notFound, parseOr400 } from '../errors';
import { requireRole } from '../sessions';
import {
  DuplicateUsernameError,
  createUser,
  findUserById,
  groupsSchema,
  listUsers,
  passwordSchema,
  profile,
  revokeSessions,
  toUser,
  updateUser,
  usernameSchema,
  type AuthUser,
} from '../users';
import type { UsersTable } from '../db';

const createSchema = z
  .object({
    username: usernameSchema,
    password: passwordSchema,
    displayName: z.string().trim().min(1).max(100),
    role: z.enum(MANAGED_ROLES),
    groups: groupsSchema,
  })
  .strict();

const patchSchema = z
  .object({
    groups: groupsSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
    displayName: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

const idParams = z.object({ id: z.string().min(1).max(64) });

function listed(row: UsersTable) {
  const user = toUser(row);
  return { ...profile(user), disabled: user.disabled, createdAt: row.created_at };
}

export function userRoutes(app: FastifyInstance, ctx: ServerContext) {
  const supervisor = requireRole(ctx, ['supervisor'], 'Only a supervisor can manage accounts');

  async function target(me: AuthUser, params: unknown): Promise<UsersTable> {
    const { id } = parseOr400(idParams, params);
    const row = await findUserById(ctx.db, id);
    if (!row || row.ward_code !== me.wardCode) throw notFound('No such user in your ward');
    assertMayManage(me, row);
    return row;
  }

  app.post('/api/v1/users', async (request, reply) => {
    const me = await supervisor(request, reply);
    const body = parseOr400(createSchema, request.body);
    try {
      const user = await createUser(ctx.db, { ...body, wardCode: me.wardCode }, ctx.passwords);
      return reply.status(201).send({ user: { ...profile(user), disabled: false } });
    } catch (error) {
      if (error instanceof DuplicateUsernameError) throw new ApiError(409, 'conflict', 'That username is taken');
      throw error;
    }
  });

  app.get('/api/v1/users', async (request, reply) => {
    const me = await supervisor(request, reply);
    return { users: (await listUsers(ctx.db, me.wardCode)).map(listed) };
  });

  app.patch('/api/v1/users/:id', async (request, reply) => {
    const me = await supervisor(request, reply);
    const row = await target(me, request.params);
    const changes = parseOr400(patchSchema, request.body);
    assertOwnChangesAllowed(me, row, changes);
    await updateUser(ctx.db, row.id, changes, ctx.passwords);
    return { user: listed((await findUserById(ctx.db, row.id))!) };
  });

  app.post('/api/v1/users/:id/revoke', async (request, reply) => {
    const me = await supervisor(request, reply);
    const row = await target(me, request.params);
    return { revoked: await revokeSessions(ctx.db, row.id) };
  });
}
