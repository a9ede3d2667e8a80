// The one error shape of the API: { error: { code, message, ...extra } }.
// Route code throws ApiError; app.ts's error handler turns it (and Fastify's own
// errors) into that shape. Nothing else ever reaches the client: no stack, no
// Fastify default message.
import type { z } from 'zod';
import type { ErrorCode } from '../shared/protocol';
import { findHostileInput } from './input-guard';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body() {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

export function unauthenticated(message = 'Sign in first') {
  return new ApiError(401, 'unauthenticated', message);
}

export function forbidden(message = 'Your role or ward does not allow this') {
  return new ApiError(403, 'forbidden', message);
}

export function notFound(message = 'No such resource') {
  return new ApiError(404, 'not_found', message);
}

/** invalid_request with the zod issue paths, e.g. issues: [{ path: "mutations.3.seq", message }]. */
export function invalidRequest(error: z.ZodError, message = 'The request body is not valid') {
  const issues = error.issues.slice(0, 50).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  return new ApiError(400, 'invalid_request', message, { issues });
}

/**
 * Parses with a zod schema or throws invalid_request. First refuses what the
 * schemas cannot see but the database or a recursive walk would choke on
 * (NUL characters, absurd nesting; see input-guard.ts), so such input is a 400
 * on every route instead of a 500. `skipNul` exempts subtrees that the caller
 * checks itself (push: a mutation's fields and base are rejected per mutation).
 */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  value: unknown,
  skipNul?: (path: (string | number)[]) => boolean,
): z.output<S> {
  const hostile = findHostileInput(value, skipNul);
  if (hostile) {
    throw new ApiError(400, 'invalid_request', 'The request is not valid', {
      issues: [{ path: hostile.path.map(String).join('.'), message: hostile.message }],
    });
  }
  const r = schema.safeParse(value);
  if (!r.success) throw invalidRequest(r.error);
  return r.data;
}
