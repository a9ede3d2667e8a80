// /api/v1/users: account management (account-rules.ts says who manages whom).
//
//   - A supervisor creates volunteers and responders in their own ward. A user
//     id from another ward answers 404 not_found, exactly like an unknown id,
//     so a supervisor cannot even learn which ids exist elsewhere. Another
//     supervisor of the ward answers 403 forbidden.
//   - The city creates supervisors in any existing ward (`wardCode`), and
//     lists every ward's users (`?ward=` narrows the list).
// Groups must be groups of the user's ward (400 unknown_group): the ward's list
// is data (wards.ts), and PUT /api/v1/wards/:code/groups changes it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { wardCodeSchema } from '../../shared/wards';
import { assertMayManage, assertOwnChangesAllowed, seesAccount } from '../account-rules';
import type { ServerContext } from '../context';
import { ApiError, forbidden, notFound, parseOr400 } from '../errors';
import { seesAllWards } from '../scope';
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
import { unknownGroups, wardExists } from '../wards';
import type { UsersTable } from '../db';

const newAccount = {
  username: usernameSchema,
  password: passwordSchema,
  displayName: z.string().trim().min(1).max(100),
  groups: groupsSchema,
};
/** A supervisor's new account: in their own ward, so no wardCode. */
const supervisorCreates = z.object({ ...newAccount, role: z.enum(['volunteer', 'responder']) }).strict();
/** The city's new account: a supervisor of a named, existing ward. */
const cityCreates = z.object({ ...newAccount, role: z.literal('supervisor'), wardCode: wardCodeSchema, groups: groupsSchema.default([]) }).strict();

const patchSchema = z
  .object({
    groups: groupsSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
    displayName: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

const listQuery = z.object({ ward: wardCodeSchema.optional() }).strict();
const idParams = z.object({ id: z.string().min(1).max(64) });

function listed(row: UsersTable) {
  const user = toUser(row);
  return { ...profile(user), disabled: user.disabled, createdAt: row.created_at };
}

export function userRoutes(app: FastifyInstance, ctx: ServerContext) {
  const manager = requireRole(ctx, ['supervisor', 'city'], 'Only a supervisor or the city can manage accounts');

  async function target(me: AuthUser, params: unknown): Promise<UsersTable> {
    const { id } = parseOr400(idParams, params);
    const row = await findUserById(ctx.db, id);
    if (!row || !seesAccount(me, row)) throw notFound('No such user in your ward');
    assertMayManage(me, row);
    return row;
  }

  /** 400 unknown_group unless every group is one of the ward's. */
  async function checkGroups(wardCode: string, groups: readonly string[] | undefined) {
    if (!groups) return;
    const unknown = await unknownGroups(ctx.db, wardCode, groups.map((g) => g.trim()));
    if (unknown.length > 0) {
      throw new ApiError(400, 'unknown_group', `Not residential groups of ward ${wardCode}: ${unknown.join(', ')}`, { groups: unknown });
    }
  }

  app.post('/api/v1/users', async (request, reply) => {
    const me = await manager(request, reply);
    const body = seesAllWards(me) ? parseOr400(cityCreates, request.body) : { ...parseOr400(supervisorCreates, request.body), wardCode: me.wardCode };
    if (seesAllWards(me) && !(await wardExists(ctx.db, body.wardCode))) throw notFound('No such ward; create it first (POST /api/v1/wards)');
    await checkGroups(body.wardCode, body.groups);
    try {
      const user = await createUser(ctx.db, body, ctx.passwords);
      return reply.status(201).send({ user: { ...profile(user), disabled: false } });
    } catch (error) {
      if (error instanceof DuplicateUsernameError) throw new ApiError(409, 'conflict', 'That username is taken');
      throw error;
    }
  });

  app.get('/api/v1/users', async (request, reply) => {
    const me = await manager(request, reply);
    const { ward } = parseOr400(listQuery, request.query);
    if (!seesAllWards(me) && ward !== undefined && ward !== me.wardCode) throw forbidden('You may list only your own ward');
    return { users: (await listUsers(ctx.db, seesAllWards(me) ? ward : me.wardCode)).map(listed) };
  });

  app.patch('/api/v1/users/:id', async (request, reply) => {
    const me = await manager(request, reply);
    const row = await target(me, request.params);
    const changes = parseOr400(patchSchema, request.body);
    assertOwnChangesAllowed(me, row, changes);
    if (row.role === 'city' && changes.groups !== undefined && changes.groups.length > 0) throw forbidden('A city user has no groups');
    if (row.role !== 'city') await checkGroups(row.ward_code, changes.groups);
    await updateUser(ctx.db, row.id, changes, ctx.passwords);
    return { user: listed((await findUserById(ctx.db, row.id))!) };
  });

  app.post('/api/v1/users/:id/revoke', async (request, reply) => {
    const me = await manager(request, reply);
    const row = await target(me, request.params);
    return { revoked: await revokeSessions(ctx.db, row.id) };
  });
}
