// `npm run demo`: the server with a realistic ward to look around in, on its
// own SQLite directory (./demo-data, or GOCUA_DEMO_DIR) so it never touches
// ./data. Seeds once (scripts/demo-seed.ts), then starts the server exactly as
// `npm start` does and prints the demo sign-ins. Delete ./demo-data to start over.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../src/server/db';
import { migrate } from '../src/server/migrations';
import { countUsers } from '../src/server/users';
import { DEMO_PASSWORD, DEMO_WARD, demoAccounts, seedDemo } from './demo-seed';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.resolve(ROOT, process.env.GOCUA_DEMO_DIR || 'demo-data');

async function main() {
  const db = openDb({ dialect: 'sqlite', file: path.join(DIR, 'gocua.sqlite') });
  await migrate(db);
  if ((await countUsers(db)) === 0) {
    console.info(`Seeding the demo ward ${DEMO_WARD.name} into ${DIR} (once; about a minute)…`);
    const t0 = Date.now();
    const s = await seedDemo(db);
    console.info(
      `  ${s.households} households, ${s.people} people, ${s.visits} visits (${s.escalations} escalated) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  await db.close();

  const port = process.env.PORT || '8080';
  console.info(`\nDemo sign-ins (password for all: ${DEMO_PASSWORD}):`);
  for (const a of demoAccounts()) {
    const what = a.role === 'volunteer' ? `volunteer, ${a.groups.join(', ')}` : a.role;
    console.info(`  ${a.username.padEnd(10)} ${what}`);
  }
  console.info(`Open http://localhost:${port}/ once the server below says it is running.\n`);

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server/main.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, GOCUA_DATA_DIR: DIR, DATABASE_URL: '', PORT: port },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
