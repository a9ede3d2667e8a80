// Is dist/ missing or older than the sources it is built from?
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const BUILD_INPUTS = ['src/app', 'src/shared', 'locales', 'public', 'index.html', 'vite.config.ts'];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Why dist/ needs a build, or null when it is up to date. */
export function staleReason(root: string, distDir: string): string | null {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return 'dist/ is missing';
  const built = statSync(index).mtimeMs;
  for (const input of BUILD_INPUTS) {
    if (newestMtime(path.join(root, input)) > built) return `${input} changed since the last build`;
  }
  return null;
}
