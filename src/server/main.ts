// `npm start`: build the PWA if needed, migrate, serve app + API, print the URL.
//
// Environment:
//   HOST, PORT               listen address (default 0.0.0.0:8080, reachable by phones on the LAN)
//   GOCUA_DATA_DIR           SQLite directory (default ./data)
//   DATABASE_URL             postgres://… to use PostgreSQL instead of SQLite
//   TLS_CERT_FILE, TLS_KEY_FILE  serve HTTPS directly (PEM files)
//   TRUST_PROXY              honour X-Forwarded-* from 1 (a hop count) or these proxy addresses (see trust-proxy.ts)
//   GOCUA_SKIP_BUILD=1       never run the build (a deployment that ships dist/)
//   GOCUA_ATTENTION_RETENTION_DAYS  days conflict and rejected rows are kept (default 90)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from './app';
import { staleReason } from './build-check';
import { dbConfigFromEnv, describeDb, openDb } from './db';
import { migrate } from './migrations';
import { parseTrustProxy } from './trust-proxy';
import { DEFAULT_ATTENTION_RETENTION_DAYS } from './retention';
import { issueSetupToken } from './setup';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(ROOT, 'dist');

function retentionDays(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_ATTENTION_RETENTION_DAYS;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1) throw new Error('GOCUA_ATTENTION_RETENTION_DAYS must be a whole number of days, at least 1');
  return Number(value);
}

function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

function buildIfStale() {
  if (process.env.GOCUA_SKIP_BUILD === '1') return;
  const reason = staleReason(ROOT, DIST);
  if (!reason) return;
  console.info(`Building the app (${reason})…`);
  const r = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error('The app build failed; fix the error above (or set GOCUA_SKIP_BUILD=1 to serve the API only).');
    process.exit(1);
  }
}

async function main() {
  buildIfStale();
  const config = dbConfigFromEnv();
  const db = openDb(config);
  const applied = await migrate(db);
  console.info(`Database: ${describeDb(config)}${applied.length ? ` (applied migrations ${applied.join(', ')})` : ''}`);

  const certFile = process.env.TLS_CERT_FILE;
  const keyFile = process.env.TLS_KEY_FILE;
  if (Boolean(certFile) !== Boolean(keyFile)) throw new Error('Set both TLS_CERT_FILE and TLS_KEY_FILE, or neither');
  const https = certFile && keyFile ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : undefined;
  const { value: trustProxy, warning } = parseTrustProxy(process.env.TRUST_PROXY);
  if (warning) console.warn(`Warning: ${warning}`);
  const attentionRetention = { days: retentionDays(process.env.GOCUA_ATTENTION_RETENTION_DAYS) };
  const publicUrl = process.env.PUBLIC_URL;
  // Enrolment QR codes point here: a typo would print codes no phone can open.
  if (publicUrl && !/^https?:\/\/[^/?#\s]+\/?$/.test(publicUrl)) {
    throw new Error('PUBLIC_URL must be an origin such as https://gocua.example.vn (scheme, host and optional port, no path)');
  }

  const app = await buildApp({
    db,
    distDir: DIST,
    logger: true,
    attentionRetention,
    ...(publicUrl ? { publicUrl } : {}),
    ...(https ? { https } : {}),
    ...(trustProxy !== undefined ? { trustProxy } : {}),
  });
  const host = process.env.HOST || '0.0.0.0';
  const port = Number(process.env.PORT || 8080);
  await app.listen({ host, port });

  const scheme = https ? 'https' : 'http';
  const hosts = host === '0.0.0.0' || host === '::' ? ['localhost', ...lanAddresses()] : [host];
  console.info(`\nGõ Cửa is running:`);
  for (const h of hosts) console.info(`  ${scheme}://${h}:${port}/`);
  if (!https) {
    console.info('  (Phones need HTTPS for offline use; set TLS_CERT_FILE and TLS_KEY_FILE, or run behind an HTTPS proxy with TRUST_PROXY.)');
  }
  // First run: a one-time link to the setup page (setup.ts). The token is a
  // secret that creates the first account: printed here, never logged.
  const setupToken = await issueSetupToken(db);
  if (setupToken !== undefined) {
    console.info('\nThere are no accounts yet. Open this one-time link to set up the city account and the first ward:');
    console.info(`  ${scheme}://localhost:${port}/#/setup/${setupToken}`);
    console.info('  (valid until setup is done; or use the admin CLI: npm run admin -- add-user --username admin --role city)\n');
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) process.exit(1); // second signal: do not wait
    closing = true;
    console.info(`${signal}: closing…`);
    try {
      await app.close();
      await db.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
