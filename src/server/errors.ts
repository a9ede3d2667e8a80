// The one error shape of the API: { error: { code, message, ...extra } }.
// Route code throws ApiError; app.ts's error handler turns it (and Fastify's own
// errors) into that shape. Nothing else ever reaches the client: no stack, no
// Fastify default message.
import type { z } from 'zod';
import type { ErrorCode } from '../shared/protocol';

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

/** Parses with a zod schema or throws invalid_request. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidRequest(r.error);
  return r.data;
}
