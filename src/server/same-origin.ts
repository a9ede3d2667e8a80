// Requests that change state must come from the app's own pages.
//
// The session cookie is SameSite=Strict and every body is JSON (a cross-site
// form cannot send one without a CORS preflight, which the server never
// answers): that already stops classic CSRF. This is the second wall, in case
// a browser bug, a lax proxy or a future text/plain route weakens the first.
// Browsers send `Origin` on every POST/PUT/PATCH/DELETE and `Sec-Fetch-Site`
// on every request (all current ones); neither can be set by a page's script.
//
// Refused (403 forbidden), before the body is read:
//   - Sec-Fetch-Site: cross-site;
//   - an Origin whose host[:port] is not the Host the request was sent to
//     (including "null", which sandboxed frames and cross-site redirects send).
// Allowed: GET, HEAD and OPTIONS (reads: another site cannot see the answer),
// and requests without either header (curl, the admin scripts, tests).
//
// Origin is compared with Host rather than with a configured URL, so it works
// on a LAN address, behind a proxy that passes Host (or X-Forwarded-Host with
// TRUST_PROXY), and under `npm run dev`, whose Vite proxy (vite.config.ts)
// forwards /api with changeOrigin: false: the Host it passes on is the page's,
// localhost:5173. (Vite's string shorthand would rewrite it to :8080.)
import type { FastifyRequest } from 'fastify';
import { forbidden, type ApiError } from './errors';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host[:port] of an Origin header, or undefined when it is "null" or not a URL. */
function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/** The refusal for a cross-site request that would change state, or undefined when it may go on. */
export function crossSiteRefusal(request: FastifyRequest): ApiError | undefined {
  if (READS.has(request.method)) return undefined;
  if (request.headers['sec-fetch-site'] === 'cross-site') return forbidden('Requests from another site are not accepted');
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  // URL lower-cases the host and drops a default port, as Host may not: compare both normalised.
  const own = originHost(`${request.protocol}://${request.host}`);
  if (own === undefined || originHost(origin) !== own) return forbidden('Requests from another site are not accepted');
  return undefined;
}
