// The Team and Enrol pages' calls to the server. Like the dashboard's figures,
// these are ward data that live on the server, not on the device: every call
// needs the network, and a failure is a value the page shows, never an
// exception.
import { z } from 'zod';
import {
  createdEnrolmentSchema,
  devicesResponseSchema,
  pendingEnrolmentsResponseSchema,
  type CreateEnrolment,
  type CreatedEnrolment,
  type Device,
  type PendingEnrolment,
} from '../../../shared/enrolment';
import { userProfileSchema, type UserProfile } from '../../../shared/schemas';
import { requestJson, type HttpOptions } from '../../sync/http';

export type ConsoleFailure = 'offline' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'invalid' | 'failed';
export type ConsoleResult<T> = { ok: true; data: T } | { ok: false; reason: ConsoleFailure };

const teamMemberSchema = userProfileSchema.extend({ disabled: z.boolean(), createdAt: z.string() });
export type TeamMember = z.infer<typeof teamMemberSchema>;
const usersResponseSchema = z.object({ users: z.array(teamMemberSchema) });

async function call<S extends z.ZodType>(
  schema: S,
  path: string,
  init: { method?: string; body?: unknown },
  http: HttpOptions,
): Promise<ConsoleResult<z.infer<S>>> {
  if (globalThis.navigator?.onLine === false) return { ok: false, reason: 'offline' };
  const res = await requestJson(schema, path, init, http);
  if (res.ok) return { ok: true, data: res.data };
  // A 204 has no JSON body: requestJson calls it unexpected; for a DELETE it is the answer.
  if (res.kind === 'unexpected' && res.status === 204) return { ok: true, data: null as z.infer<S> };
  if (res.kind === 'offline' || res.kind === 'timeout') return { ok: false, reason: 'offline' };
  if (res.kind === 'api') {
    if (res.status === 401) return { ok: false, reason: 'unauthenticated' };
    if (res.status === 403) return { ok: false, reason: 'forbidden' };
    if (res.status === 404) return { ok: false, reason: 'not_found' };
    if (res.status === 409 || res.status === 410) return { ok: false, reason: 'conflict' };
    if (res.status === 400) return { ok: false, reason: 'invalid' };
  }
  return { ok: false, reason: 'failed' };
}

export const consoleApi = {
  team: (http: HttpOptions = {}) => call(usersResponseSchema, '/api/v1/users', {}, http),
  devices: (http: HttpOptions = {}) => call(devicesResponseSchema, '/api/v1/devices', {}, http),
  pending: (http: HttpOptions = {}): Promise<ConsoleResult<{ enrolments: PendingEnrolment[] }>> =>
    call(pendingEnrolmentsResponseSchema, '/api/v1/enrolments', {}, http),
  enrol: (body: CreateEnrolment, http: HttpOptions = {}): Promise<ConsoleResult<CreatedEnrolment>> =>
    call(createdEnrolmentSchema, '/api/v1/enrolments', { method: 'POST', body }, http),
  reEnrol: (userId: string, http: HttpOptions = {}): Promise<ConsoleResult<CreatedEnrolment>> =>
    call(createdEnrolmentSchema, `/api/v1/users/${encodeURIComponent(userId)}/enrolment`, { method: 'POST' }, http),
  cancel: (id: string, http: HttpOptions = {}) => call(z.null(), `/api/v1/enrolments/${encodeURIComponent(id)}`, { method: 'DELETE' }, http),
  updateUser: (id: string, changes: { groups?: string[]; disabled?: boolean }, http: HttpOptions = {}) =>
    call(z.object({ user: teamMemberSchema }), `/api/v1/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes }, http),
  revokeDevice: (clientId: string, http: HttpOptions = {}) =>
    call(z.object({ revokedAt: z.string() }), `/api/v1/devices/${encodeURIComponent(clientId)}/revoke`, { method: 'POST' }, http),
};

export type { Device, UserProfile };
