// A production build of the app into outDir, exactly as `npm run build` makes
// it, except for one marker: <meta name="gocua-build" content="<buildId>"> in
// index.html. Two builds with different ids differ in index.html, so its
// precache revision and therefore sw.js differ: a real "new version" for the
// service worker, with no change to the app's sources.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export async function buildApp(outDir: string, buildId: string): Promise<void> {
  const marker: Plugin = {
    name: 'gocua-e2e-build-id',
    transformIndexHtml: (html) => html.replace('</head>', `  <meta name="gocua-build" content="${buildId}" />\n  </head>`),
  };
  // Vitest sets NODE_ENV=test, which would give a development build of React
  // and import.meta.env.PROD === false (no service worker). Build as npm does.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: ROOT,
      configFile: path.join(ROOT, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      plugins: [marker],
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
