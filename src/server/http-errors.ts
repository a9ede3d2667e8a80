// Turns every error into { error: { code, message } }. Bad input is always a
// 4xx with a stable code; anything unexpected is a 500 "internal" whose details
// go to the log (never the request body) and never to the client.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_BODY_BYTES } from '../shared/protocol';
import { ApiError } from './errors';

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

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const api = error instanceof ApiError ? error : fastifyErrorToApi(error);
  if (api) {
    if (api.status === 413 && error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // The rest of the oversized body is not read; do not reuse the socket.
      reply.header('connection', 'close');
    }
    return reply.status(api.status).headers(api.headers).send(api.body());
  }
  // Only what identifies the failure: no body, no query string, no user.
  request.log.error({ err: { type: error.name, message: error.message, code: error.code, stack: error.stack } }, 'unhandled error');
  return reply.status(500).send({ error: { code: 'internal', message: 'Something went wrong on the server' } });
}
