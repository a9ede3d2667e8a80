// Sync protocol 1: the wire contract between the device and the server.
// docs/API.md describes it for people; these schemas enforce it for code.
//
// PROTOCOL_VERSION is sent with every push. Changing the meaning of any field
// below (or the field-key format in fields.ts) without bumping it means old
// devices in the field silently corrupt data. Bump it, and teach the server to
// answer the old version until every device has updated.
import { z } from 'zod';
import { ENTITIES, userProfileSchema } from './schemas';

export const PROTOCOL_VERSION = 1;
export const MAX_MUTATIONS_PER_PUSH = 500;
export const MAX_BODY_BYTES = 1024 * 1024;
export const PULL_DEFAULT_LIMIT = 500;
export const PULL_MAX_LIMIT = 1000;

export const ERROR_CODES = [
  'invalid_json',
  'invalid_request',
  'unsupported_protocol',
  'unauthenticated',
  'invalid_credentials',
  'forbidden',
  'not_found',
  'payload_too_large',
  'too_many_attempts',
  'busy', // 503: no password-hashing worker came free in time; Retry-After
  'weak_password', // 400: a new password is too short or common; `reason`
  'wrong_password', // 403: PUT /session/password with a wrong current password
  'seq_gap',
  'wrong_user',
  'conflict',
  'reason_required', // 400: an export with detail=full and no reason of at least 10 characters
  'too_many_rows', // 400: an XLSX export with more rows than one sheet holds (1,048,575 data rows)
  'unknown_group', // 400: POST/PATCH /users names a group its ward does not have
  'group_in_use', // 409: PUT /wards/:code/groups would remove a group that still has records or users
  'setup_done', // 410: POST /setup once any user exists
  'enrolment_used', // 410: the enrolment token was already redeemed
  'enrolment_expired', // 410: the enrolment token is older than 24 h
  'enrolment_cancelled', // 410: a supervisor cancelled the enrolment (or issued a newer one for that account)
  'device_revoked', // 403: a push or pull from a device a supervisor revoked
  'invalid_encoding', // 400: a Content-Encoding: gzip body that is not valid gzip (corrupt, truncated)
  'unsupported_encoding', // 415: a body in a Content-Encoding other than gzip or identity
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Why one mutation in a push was rejected. The device shows these in "needs attention". */
export const REJECT_CODES = [
  'invalid_record', // fails the shared schema
  'wrong_ward', // record belongs to another ward
  'forbidden', // outside the user's scope, or a write the role never makes (cases.ts)
  'unknown_household', // references a household the server does not have
  'unknown_person',
  'immutable', // visits are append-only; a case's server-owned fields, or deleting a case
  'not_found', // delete or partial update of a record the server never had
  'consent_required', // a person, or a visit naming a person, under a household without consent
  'deleted', // the record was deleted or erased on the server; it cannot be changed again
  'unknown_group', // the record's group is not a group of its ward (GET /api/v1/wards/:code lists them)
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }).passthrough(),
});

/**
 * What a device reports about itself on each push (body `device`) and pull
 * (query `client`, `appVersion`, `pending`, `persisted`). Optional in
 * protocol 1: devices from before this change send nothing and still sync.
 */
export const deviceReportSchema = z
  .object({
    appVersion: z.string().trim().min(1).max(40),
    /** Records waiting in the device's outbox. */
    pending: z.number().int().min(0).max(1_000_000_000),
    /** navigator.storage.persisted(): the browser promised not to evict the data. */
    storagePersisted: z.boolean(),
  })
  .strict();
export type DeviceReport = z.infer<typeof deviceReportSchema>;

const mutationSchema = z
  .object({
    seq: z.number().int().positive(),
    entity: z.enum(ENTITIES),
    id: z.uuid(),
    op: z.enum(['upsert', 'delete']),
    fields: z.record(z.string(), z.unknown()),
    base: z.record(z.string(), z.unknown()).optional(),
    at: z.iso.datetime({ offset: true }),
  })
  .strict();
export type Mutation = z.infer<typeof mutationSchema>;

export const pushRequestSchema = z
  .object({
    protocol: z.number().int(),
    clientId: z.string().min(8).max(100),
    /**
     * The user whose device database this queue belongs to. The session cookie
     * is shared by every tab of the site, so a tab still holding volunteer A's
     * queue may send it while B is signed in; the server answers 403
     * wrong_user instead of filing A's records under B. Optional for older clients.
     */
    userId: z.string().min(1).max(100).optional(),
    /** The device's app version, outbox size and storage persistence (deviceReportSchema). Optional for older clients. */
    device: deviceReportSchema.optional(),
    mutations: z.array(mutationSchema),
  })
  .strict();
export type PushRequest = z.infer<typeof pushRequestSchema>;

const mutationResultSchema = z.object({
  seq: z.number().int(),
  status: z.enum(['applied', 'duplicate', 'rejected']),
  conflicts: z.array(z.string()).optional(),
  error: z
    .object({ code: z.string(), message: z.string(), path: z.string().optional() })
    .optional(),
});
export type MutationResult = z.infer<typeof mutationResultSchema>;

export const pushResponseSchema = z.object({
  lastAppliedSeq: z.number().int(),
  results: z.array(mutationResultSchema),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/**
 * A deleted (or erased) record as the server keeps and sends it: identity, the
 * ward, times, and only the reference that scoping needs (a household's group,
 * a person's or visit's household). Nothing personal survives a delete.
 */
export const tombstoneSchema = z
  .object({
    id: z.string(),
    wardCode: z.string(),
    deleted: z.literal(true),
    createdAt: z.string(),
    updatedAt: z.string(),
    group: z.string().optional(),
    householdId: z.string().optional(),
  })
  .strict();
export type Tombstone = z.infer<typeof tombstoneSchema>;

/** Why a pulled change carries no record: it left this user's scope; the device drops its copy. */
export const REMOVAL_REASONS = ['out_of_scope'] as const;

const recordChangeSchema = z.object({
  entity: z.enum(ENTITIES),
  id: z.string(),
  record: z.record(z.string(), z.unknown()),
  version: z.number().int(),
});
const removedChangeSchema = z.object({
  entity: z.enum(ENTITIES),
  id: z.string(),
  record: z.null(),
  removed: z.enum(REMOVAL_REASONS),
  version: z.number().int(),
});
/** A record (whole, or a tombstone when record.deleted is true), or a removal. */
const pullChangeSchema = z.union([recordChangeSchema, removedChangeSchema]);
export type PullChange = z.infer<typeof pullChangeSchema>;
export const pullResponseSchema = z.object({
  changes: z.array(pullChangeSchema),
  cursor: z.number().int(),
  hasMore: z.boolean(),
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

export const loginRequestSchema = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) })
  .strict();
export const sessionResponseSchema = z.object({ user: userProfileSchema });
