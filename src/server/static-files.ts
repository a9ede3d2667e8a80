// Serving the built PWA from dist/ with the cache rules the service worker needs:
//   - /assets/* are content-hashed: cache for a year, immutable.
//   - everything else (index.html, sw.js, manifest, registerSW.js, icons):
//     no-cache, i.e. revalidate every time, so an update is never stuck behind
//     an old sw.js or index.html.
//   - SPA fallback: a GET for a non-/api path that is not a file gets index.html.
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { notFound } from './errors';

export async function serveStatic(app: FastifyInstance, distDir: string | undefined) {
  const root = distDir ? path.resolve(distDir) : undefined;
  const enabled = root !== undefined && existsSync(path.join(root, 'index.html'));
  if (enabled) {
    await app.register(fastifyStatic, {
      root,
      cacheControl: false,
      wildcard: true,
      index: 'index.html',
      setHeaders(reply, filePath) {
        const rel = path.relative(root, filePath).split(path.sep).join('/');
        reply.header(
          'cache-control',
          rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (enabled && (request.method === 'GET' || request.method === 'HEAD') && !pathname.startsWith('/api/')) {
      // A hashed asset that no longer exists must 404, not get index.html as JavaScript.
      if (!pathname.startsWith('/assets/')) {
        reply.header('cache-control', 'no-cache');
        return reply.type('text/html; charset=utf-8').sendFile('index.html');
      }
    }
    const error = notFound(`No route ${request.method} ${pathname}`);
    return reply.status(error.status).send(error.body());
  });
}
