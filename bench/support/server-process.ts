// The real server in a child process, so that its memory can be measured
// apart from the benchmark's own: `node --import tsx src/server/main.ts` (what
// `npm start` runs, minus tsx's wrapper process, so the pid we hold is the
// server's), API only (GOCUA_SKIP_BUILD=1), on 127.0.0.1 and a free port.
//
// Memory comes from /proc/<pid>/status (Linux): VmHWM is the process's peak
// resident set since it started, VmRSS the current one. A fresh process per
// measurement makes VmHWM the peak of that measurement alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbConfig } from '../../src/server/db';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  pid: number;
  base: string;
  /** Signs in over HTTP; returns the cookie header value. */
  login(username: string, password: string): Promise<string>;
  /** Peak and current resident set, in bytes. */
  memory(): { peak: number; current: number };
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

export async function startServer(config: DbConfig): Promise<ServerProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, GOCUA_SKIP_BUILD: '1', HOST: '127.0.0.1', PORT: String(port) };
  delete env.DATABASE_URL;
  if (config.dialect === 'postgres') env.DATABASE_URL = config.url;
  else env.GOCUA_DATA_DIR = path.dirname(config.file);
  if (config.dialect === 'sqlite' && path.basename(config.file) !== 'gocua.sqlite') throw new Error('the server opens <GOCUA_DATA_DIR>/gocua.sqlite');

  // GOCUA_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops
  // (--cpu-prof is not allowed in NODE_OPTIONS). Profiling slows it down; never for figures.
  const profile = process.env.GOCUA_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.GOCUA_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  // Drain the request log, or the server blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.on('data', (b: Buffer) => (errors = (errors + b.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${errors}`);
    try {
      const res = await fetch(`${base}/api/v1/session`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() - started > 60_000) throw new Error(`the server did not answer within 60 s: ${errors}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const pid = child.pid!;
  return {
    pid,
    base,
    async login(username, password) {
      const res = await fetch(`${base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      await res.arrayBuffer();
      const cookie = res.headers.get('set-cookie');
      if (res.status !== 200 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
      return cookie.split(';')[0]!;
    },
    memory: () => ({ peak: statusKb(pid, 'VmHWM'), current: statusKb(pid, 'VmRSS') }),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

export interface Download {
  ms: number;
  bytes: number;
  /** LF bytes seen: a CSV's records (header included); meaningless for XLSX. */
  lines: number;
  status: number;
  /** The first two bytes as latin1 ('PK' for a zip file, so an XLSX). */
  head: string;
}

/** GETs url to the end, uncompressed, counting bytes and line feeds. */
export async function download(url: string, cookie: string): Promise<Download> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie, 'accept-encoding': 'identity' } });
  let bytes = 0;
  let lines = 0;
  let head = '';
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (head.length < 2) head += Buffer.from(value.subarray(0, 2 - head.length)).toString('latin1');
    bytes += value.length;
    for (let i = value.indexOf(0x0a); i !== -1; i = value.indexOf(0x0a, i + 1)) lines++;
  }
  return { ms: performance.now() - t0, bytes, lines, status: res.status, head };
}
