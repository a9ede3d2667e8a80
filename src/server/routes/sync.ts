// POST /api/v1/sync/push and GET /api/v1/sync/pull.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  MAX_MUTATIONS_PER_PUSH,
  PROTOCOL_VERSION,
  PULL_DEFAULT_LIMIT,
  PULL_MAX_LIMIT,
  pushRequestSchema,
} from '../../shared/protocol';
import type { ServerContext } from '../context';
import { ApiError, forbidden, parseOr400 } from '../errors';
import { deviceReportSchema, type DeviceReport } from '../../shared/enrolment';
import { noteDevicePull } from '../devices';
import { pull } from '../pull';
import { push } from '../push';
import { seesAllWards } from '../scope';
import { authenticate } from '../sessions';

const pullQuerySchema = z
  .object({
    cursor: z
      .string()
      .regex(/^\d{1,15}$/, 'cursor: a non-negative integer')
      .transform(Number)
      .default(0),
    limit: z
      .string()
      .regex(/^\d{1,4}$/, `limit: an integer from 1 to ${PULL_MAX_LIMIT}`)
      .transform(Number)
      .pipe(z.number().min(1).max(PULL_MAX_LIMIT))
      .default(PULL_DEFAULT_LIMIT),
    /** The user whose device database the pulled records go into (see pushRequestSchema.userId). */
    user: z.string().min(1).max(100).optional(),
    /** The device's clientId and report (shared/enrolment.ts deviceReportSchema), sent on a pull's first page. */
    client: z.string().min(8).max(100).optional(),
    appVersion: z.string().optional(),
    pending: z.string().regex(/^\d{1,10}$/, 'pending: a non-negative integer').transform(Number).optional(),
    persisted: z.enum(['0', '1']).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const parts = [q.appVersion, q.pending, q.persisted].filter((v) => v !== undefined).length;
    if (parts > 0 && (parts < 3 || q.client === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['client'], message: 'client, appVersion, pending and persisted go together' });
    }
  });

function reportOf(q: z.output<typeof pullQuerySchema>): DeviceReport | undefined {
  if (q.appVersion === undefined || q.pending === undefined || q.persisted === undefined) return undefined;
  return parseOr400(deviceReportSchema, { appVersion: q.appVersion, pending: q.pending, storagePersisted: q.persisted === '1' });
}

export function syncRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post('/api/v1/sync/push', async (request, reply) => {
    const user = await authenticate(ctx, request, reply);
    // The city reads every ward and writes no records (scope.ts). A responder's
    // pushes are answered per mutation (push.ts: forbidden for records it may not write).
    if (seesAllWards(user)) throw forbidden('The city does not push records');
    const body = request.body;
    // Cheap checks first, in the order the contract documents them.
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      const { protocol, mutations } = body as { protocol?: unknown; mutations?: unknown };
      if (protocol !== undefined && protocol !== PROTOCOL_VERSION) {
        throw new ApiError(400, 'unsupported_protocol', `This server speaks protocol ${PROTOCOL_VERSION}`, {
          supported: [PROTOCOL_VERSION],
        });
      }
      if (Array.isArray(mutations) && mutations.length > MAX_MUTATIONS_PER_PUSH) {
        throw new ApiError(413, 'payload_too_large', `At most ${MAX_MUTATIONS_PER_PUSH} mutations per push`, {
          maxMutations: MAX_MUTATIONS_PER_PUSH,
        });
      }
    }
    // NUL inside a mutation's fields or base is user data: push rejects that
    // one mutation (invalid_record) rather than refusing the whole push, which
    // would leave the device's outbox stuck behind it for ever.
    const parsed = parseOr400(pushRequestSchema, body, (p) => p.length === 3 && p[0] === 'mutations' && (p[2] === 'fields' || p[2] === 'base'));
    return push(ctx, user, parsed);
  });

  app.get('/api/v1/sync/pull', async (request, reply) => {
    const user = await authenticate(ctx, request, reply);
    const query = parseOr400(pullQuerySchema, request.query);
    const { cursor, limit, user: expected } = query;
    const report = reportOf(query);
    if (expected !== undefined && expected !== user.id) {
      throw new ApiError(403, 'wrong_user', 'These records would go to another user; sign in as that user');
    }
    if (query.client !== undefined) await noteDevicePull(ctx, query.client, user, report);
    return pull(ctx.db, user, cursor, limit);
  });
}
