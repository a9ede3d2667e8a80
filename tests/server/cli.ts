// Runs one of the server's command-line tools (src/server/<script>.ts) as a
// child process through tsx, on the SQLite database in `dataDir` (DATABASE_URL
// unset), with `stdin` as its standard input.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export function runCli(script: string, args: string[], opts: { dataDir: string; stdin?: string }): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GOCUA_DATA_DIR: opts.dataDir };
    delete env.DATABASE_URL;
    const child = spawn(TSX, [path.join(ROOT, 'src/server', script), ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(opts.stdin ?? '');
  });
}
