// Every failure the API reports, and the one place that writes it.
//
//   - ApiError: the whole request fails. Its shape on the wire is always
//     { error: { code, message, ...extra } }. Route code throws it;
//     errorHandler turns it (and Fastify's own errors) into that shape. Bad
//     input is always a 4xx with a stable code; anything unexpected is a 500
//     "internal" whose details go to the log (never the request body) and never
//     to the client: no stack, no Fastify default message.
//   - Rejection: one mutation of a push fails (a RejectCode); the push goes on.
//     push.ts stores it in rejected_mutations and answers it in that
//     mutation's result, so one bad record never blocks a device's outbox.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { MAX_BODY_BYTES, type ErrorCode, type RejectCode } from '../shared/protocol';
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

function internal() {
  return new ApiError(500, 'internal', 'Something went wrong on the server');
}

/** invalid_request with the zod issue paths, e.g. issues: [{ path: "mutations.3.seq", message }]. */
function invalidRequest(error: z.ZodError, message = 'The request body is not valid') {
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

/** NUL cannot be stored in PostgreSQL text; huge keys must not be stored twice over. */
const storable = (text: string, max: number) => {
  const clean = text.replaceAll('\u0000', '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
};

export class Rejection {
  readonly message: string;
  readonly path?: string;
  // message and path are stored in rejected_mutations and may quote a key the
  // client sent (an unknown field name), so they are made storable here.
  constructor(
    readonly code: RejectCode,
    message: string,
    path?: string,
  ) {
    this.message = storable(message, 300);
    if (path !== undefined) this.path = storable(path, 200);
  }
}

/** Sends an ApiError as the reply: its status, headers and { error } body. */
export function sendError(reply: FastifyReply, error: ApiError) {
  return reply.status(error.status).headers(error.headers).send(error.body());
}

function fastifyErrorToApi(error: FastifyError): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_json', 'The body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(400, 'invalid_json', 'Send the body as JSON with Content-Type: application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes`, {
        maxBytes: MAX_BODY_BYTES,
      });
  }
  const status = error.statusCode;
  if (status === 413) return new ApiError(413, 'payload_too_large', 'The body is too large');
  if (status !== undefined && status >= 400 && status < 500) {
    return new ApiError(400, 'invalid_request', 'The request is not valid');
  }
  return undefined;
}

/** Fastify's error handler: every error a route or hook throws ends here. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const api = error instanceof ApiError ? error : fastifyErrorToApi(error);
  if (api) {
    if (api.status === 413 && error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // The rest of the oversized body is not read; do not reuse the socket.
      reply.header('connection', 'close');
    }
    return sendError(reply, api);
  }
  // Only what identifies the failure: no body, no query string, no user.
  request.log.error({ err: { type: error.name, message: error.message, code: error.code, stack: error.stack } }, 'unhandled error');
  return sendError(reply, internal());
}

/**
 * Errors Fastify raises before routing (so before hooks and setErrorHandler):
 * a path with broken percent-encoding (FST_ERR_BAD_URL, e.g. /api/v1/users/%zz)
 * or a path parameter over maxParamLength (FST_ERR_MAX_PARAM_LENGTH, 414).
 * Without this they answered Fastify's own body ({ error: "Bad Request",
 * code: "FST_ERR_BAD_URL", message: "'<path>' is not …" }), echoing the path
 * and breaking the { error: { code, message } } contract. app.ts adds the
 * security headers first, since the onRequest hook never ran.
 */
export function frameworkErrors(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) {
  const api =
    error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new ApiError(400, 'invalid_request', 'The URL is not valid')
      : internal();
  // This path bypasses Fastify's own "request completed" line; log the status
  // the same way (the serializer keeps it to the status code).
  reply.raw.once('finish', () => request.log.info({ res: reply.raw }, 'request completed'));
  return sendError(reply, api);
}
