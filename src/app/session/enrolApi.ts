// The redeem page's two calls: what a link is for (peek) and redeeming it.
// Failures are values with the server's codes, which the page words.
import { enrolmentPreviewSchema, redeemResponseSchema, type EnrolmentPreview } from '../../shared/enrolment';
import type { UserProfile } from '../../shared/schemas';
import { requestJson, type HttpOptions } from '../sync/http';

export type EnrolFailure =
  | 'not_found'
  | 'enrolment_used'
  | 'enrolment_expired'
  | 'enrolment_cancelled'
  | 'weak_password'
  | 'username_taken'
  | 'invalid_username'
  | 'too_many_attempts'
  | 'offline'
  | 'failed';

function failureOf(res: { kind: string; status?: number; code?: string; body?: Record<string, unknown> }): EnrolFailure {
  if (res.kind === 'offline' || res.kind === 'timeout') return 'offline';
  if (res.kind !== 'api') return 'failed';
  switch (res.code) {
    case 'not_found':
    case 'enrolment_used':
    case 'enrolment_expired':
    case 'enrolment_cancelled':
    case 'weak_password':
    case 'too_many_attempts':
      return res.code;
    case 'conflict':
      return 'username_taken';
    case 'invalid_request':
      return 'invalid_username';
    default:
      return 'failed';
  }
}

export async function peekEnrolment(token: string, http: HttpOptions = {}): Promise<{ ok: true; preview: EnrolmentPreview } | { ok: false; error: EnrolFailure }> {
  const res = await requestJson(enrolmentPreviewSchema, '/api/v1/enrolments/peek', { method: 'POST', body: { token } }, http);
  if (res.ok) return { ok: true, preview: res.data };
  return { ok: false, error: failureOf(res) };
}

export async function redeemEnrolment(
  body: { token: string; username?: string | undefined; password: string },
  http: HttpOptions = {},
): Promise<{ ok: true; user: UserProfile } | { ok: false; error: EnrolFailure; reason?: string | undefined }> {
  const res = await requestJson(redeemResponseSchema, '/api/v1/enrolments/redeem', { method: 'POST', body }, http);
  if (res.ok) return { ok: true, user: res.data.user };
  const reason = res.kind === 'api' ? (res.body.error as { reason?: unknown } | undefined)?.reason : undefined;
  return { ok: false, error: failureOf(res), reason: typeof reason === 'string' ? reason : undefined };
}
