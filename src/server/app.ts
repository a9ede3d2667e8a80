// The Fastify app factory. main.ts gives it the real database and dist/;
// tests give it a temporary database and no dist/.
import { readFileSync } from 'node:fs';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { MAX_BODY_BYTES } from '../shared/protocol';
import type { ServerContext, TestHooks } from './context';
import type { Db } from './db';
import { ApiError, errorHandler, frameworkErrors, sendError } from './errors';
import { createHashPool, type HashingOptions } from './hash-pool';
import { DEFAULT_SCRYPT_LOG_N, passwordHasher } from './passwords';
import { DEFAULT_ATTENTION_RETENTION_DAYS, scheduleAttentionPruning, type AttentionRetention } from './retention';
import { attentionRoutes } from './routes/attention';
import { deviceRoutes } from './routes/devices';
import { enrolmentRoutes } from './routes/enrolments';
import { exportRoutes } from './routes/exports';
import { privacyRoutes } from './routes/privacy';
import { reportRoutes } from './routes/reports';
import { consoleReportRoutes } from './routes/console-reports';
import { sessionRoutes } from './routes/session';
import { syncRoutes } from './routes/sync';
import { userRoutes } from './routes/users';
import { wardRoutes } from './routes/wards';
import { requestDecoding } from './request-encoding';
import { crossSiteRefusal } from './same-origin';
import { serveStatic } from './static-files';
import type { TrustProxy } from './trust-proxy';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface BuildAppOptions {
  db: Db;
  /** Built PWA to serve; static serving is off when absent or missing index.html. */
  distDir?: string;
  /** true: log requests without personal data (method, path, status, time). Default false. */
  logger?: boolean;
  /** Where log lines go when logger is true (default stdout). Tests capture them. */
  logStream?: { write(line: string): void };
  /** Honour X-Forwarded-* (TRUST_PROXY, parsed by trust-proxy.ts): true, addresses, or a trust function (hop count). */
  trustProxy?: TrustProxy | string;
  https?: { cert: string | Buffer; key: string | Buffer };
  /**
   * log2 of scrypt's N for hashes created by this app. ONLY for tests, which
   * lower it for speed; production always uses the default, 17.
   */
  scryptLogN?: number;
  /** Password hashing limits (hash-pool.ts); tests shorten the wait. */
  hashing?: HashingOptions;
  /** Clock override for tests (e.g. session expiry). */
  now?: () => Date;
  /** How long conflict and rejected rows are kept (default 90 days), and how often pruning runs. */
  attentionRetention?: AttentionRetention;
  hooks?: TestHooks;
  /**
   * PUBLIC_URL: the origin enrolment links (QR codes) point at, e.g.
   * https://gocua.example.vn. Without it, the request's own origin.
   */
  publicUrl?: string;
}

const PACKAGE_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

// Log lines carry method, path (no query string: it may hold a cursor, never a
// name, but we keep the rule simple), status and response time. No bodies, no
// headers, no IP addresses, no usernames.
const loggerOptions = {
  level: 'info',
  serializers: {
    req: (req: { method?: string; url?: string }) => ({ method: req.method, url: (req.url ?? '').split('?')[0] }),
    res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
  },
};

// The camera stays allowed for the app itself: enrolment scans a QR code.
export const PERMISSIONS_POLICY = 'camera=(self), geolocation=(), microphone=()';

function securityHeaders(request: FastifyRequest, reply: FastifyReply) {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('permissions-policy', PERMISSIONS_POLICY);
  // Only over HTTPS (direct TLS, or X-Forwarded-Proto from a trusted proxy):
  // a browser ignores HSTS received over plain HTTP, and a LAN laptop serving
  // http://192.168.x.x must not pin a name it does not have a certificate for.
  if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
  // API answers are personal data: never stored by a browser or proxy cache.
  if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const fastifyOptions: FastifyServerOptions & { https?: BuildAppOptions['https'] } = {
    logger: options.logger ? { ...loggerOptions, ...(options.logStream ? { stream: options.logStream } : {}) } : false,
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: options.trustProxy ?? false,
    // Fastify's default JSON parser (secure-json-parse) rejects __proto__ and
    // constructor.prototype keys; errors.ts maps that to invalid_json.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    forceCloseConnections: 'idle',
    frameworkErrors: (error, request, reply) => {
      securityHeaders(request, reply);
      frameworkErrors(error, request, reply);
    },
  };
  if (options.https) fastifyOptions.https = options.https;
  const app = Fastify(fastifyOptions) as unknown as FastifyInstance;

  const hooks = options.hooks ?? {};
  const hashPool = createHashPool(options.hashing, hooks);
  app.addHook('onClose', () => hashPool.close());
  const scryptLogN = options.scryptLogN ?? DEFAULT_SCRYPT_LOG_N;
  const ctx: ServerContext = {
    db: options.db,
    scryptLogN,
    passwords: passwordHasher(scryptLogN, hashPool.scrypt),
    now: options.now ?? (() => new Date()),
    hooks,
    version: PACKAGE_VERSION,
  };

  app.setErrorHandler(errorHandler);
  // Every body is JSON. Without this, text/plain bodies would reach handlers as strings.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    securityHeaders(request, reply);
    const refusal = crossSiteRefusal(request);
    if (refusal) throw refusal; // before the body is read: nothing is parsed or changed
  });

  await app.register(fastifyCookie);
  // Responses: gzip/br/deflate as the client accepts, from 1 KB up (a push
  // answer of 500 results, a pulled page). Request bodies: gzip only, inflated
  // by request-encoding.ts under the same body limit (the plugin's own
  // decompression would accept four codings and answer its own error shapes).
  await app.register(fastifyCompress, { threshold: 1024, globalDecompression: false });
  app.addHook('preParsing', requestDecoding(MAX_BODY_BYTES));

  app.get('/api/v1/health', async (_request, reply) => {
    try {
      await ctx.db.kysely.selectFrom('schema_migrations').select('version').limit(1).execute();
    } catch {
      return sendError(reply, new ApiError(503, 'internal', 'The database is not reachable'));
    }
    return { status: 'ok', db: ctx.db.dialect, version: ctx.version };
  });
  scheduleAttentionPruning(app, ctx, options.attentionRetention ?? { days: DEFAULT_ATTENTION_RETENTION_DAYS });
  sessionRoutes(app, ctx);
  syncRoutes(app, ctx);
  userRoutes(app, ctx);
  attentionRoutes(app, ctx);
  reportRoutes(app, ctx);
  consoleReportRoutes(app, ctx);
  exportRoutes(app, ctx);
  privacyRoutes(app, ctx);
  wardRoutes(app, ctx);
  enrolmentRoutes(app, ctx, { publicUrl: options.publicUrl });
  deviceRoutes(app, ctx);
  await serveStatic(app, options.distDir);
  return app;
}
