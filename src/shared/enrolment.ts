// Enrolment by QR and the team's devices: the wire shapes, shared by the
// console, the redeem page and the server (docs/API.md "Enrolment" and
// "Devices" describe them for people).
//
// An enrolment token is 32 random bytes in base64url (43 characters). The
// server keeps only its SHA-256; the token itself exists in the 201 answer,
// the QR code and the link, nowhere else.
import { z } from 'zod';
import { userProfileSchema } from './schemas';

/** A token is single use and lives this long after it is created. */
export const ENROLMENT_TTL_MS = 24 * 60 * 60 * 1000;
/** The roles a supervisor enrols; supervisors and the city are created by the city (or the admin CLI). */
export const ENROLLABLE_ROLES = ['volunteer', 'responder'] as const;
export type EnrollableRole = (typeof ENROLLABLE_ROLES)[number];

export const enrolmentTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'token: 43 characters of base64url');
export const enrolmentGroupsSchema = z.array(z.string().trim().min(1).max(40)).max(100);

export const createEnrolmentSchema = z
  .object({
    role: z.enum(ENROLLABLE_ROLES),
    groups: enrolmentGroupsSchema,
    displayName: z.string().trim().min(1).max(100),
  })
  .strict();
export type CreateEnrolment = z.infer<typeof createEnrolmentSchema>;

export const createdEnrolmentSchema = z.object({
  id: z.string(),
  token: z.string(),
  url: z.string(),
  expiresAt: z.string(),
});
export type CreatedEnrolment = z.infer<typeof createdEnrolmentSchema>;

/** A pending enrolment as GET /api/v1/enrolments lists it (never the token). */
export const pendingEnrolmentSchema = z.object({
  id: z.string(),
  role: z.enum(ENROLLABLE_ROLES),
  groups: z.array(z.string()),
  displayName: z.string(),
  /** Set for a re-enrolment: the account whose password the token resets. */
  userId: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type PendingEnrolment = z.infer<typeof pendingEnrolmentSchema>;
export const pendingEnrolmentsResponseSchema = z.object({ enrolments: z.array(pendingEnrolmentSchema) });

export const peekEnrolmentSchema = z.object({ token: enrolmentTokenSchema }).strict();
/** What the redeem page shows before the volunteer types: new account, or a new password for `username`. */
export const enrolmentPreviewSchema = z.object({
  kind: z.enum(['new', 'reset']),
  role: z.enum(ENROLLABLE_ROLES),
  displayName: z.string(),
  username: z.string().optional(),
  expiresAt: z.string(),
});
export type EnrolmentPreview = z.infer<typeof enrolmentPreviewSchema>;

/**
 * Redeeming: a new account needs `username`; a re-enrolment keeps its
 * username, so `username` is left out (or is the account's own).
 * Passwords are judged by the server (400 weak_password).
 */
export const redeemEnrolmentSchema = z
  .object({
    token: enrolmentTokenSchema,
    username: z.string().min(1).max(64).optional(),
    password: z.string().min(1).max(200),
  })
  .strict();
export type RedeemEnrolment = z.infer<typeof redeemEnrolmentSchema>;
export const redeemResponseSchema = z.object({ user: userProfileSchema });

// ---------------------------------------------------------------- devices

// deviceReportSchema (what a device reports on each push and pull) is part of
// the sync protocol: protocol.ts.
export { deviceReportSchema, type DeviceReport } from './protocol';

export const deviceSchema = z.object({
  clientId: z.string(),
  userId: z.string(),
  displayName: z.string(),
  appVersion: z.string().nullable(),
  lastPushAt: z.string().nullable(),
  lastPullAt: z.string().nullable(),
  pending: z.number().nullable(),
  storagePersisted: z.boolean().nullable(),
  revokedAt: z.string().nullable(),
});
export type Device = z.infer<typeof deviceSchema>;
export const devicesResponseSchema = z.array(deviceSchema);
