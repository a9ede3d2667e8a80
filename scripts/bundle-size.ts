// Prints the gzip size of the JavaScript the first screen loads: the entry
// script in dist/index.html plus every chunk it imports statically (what the
// browser must fetch before the first screen can render). Lazy chunks
// (dynamic import) are listed separately, and so is CSS: the stylesheet
// index.html links (the first screen's) apart from the ones lazy chunks bring
// (a screen's own styles, the dashboard's). The budget is for JS + CSS
// together. It also prints what the signed-in app loads right after the first
// paint (SignedIn.tsx's chunk and its static imports: the data layer), which is
// not in the budget but is what Home needs before it shows its numbers.
// Run after `npm run build`:
//   npx tsx scripts/bundle-size.ts [--budget 120] [--json]
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const dist = path.resolve('dist');
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const entry = /<script type="module"[^>]*src="\/([^"]+)"/.exec(html)?.[1];
if (!entry) throw new Error('no entry script in dist/index.html');

const gz = (file: string) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const staticImports = (file: string) => {
  const code = readFileSync(path.join(dist, file), 'utf8');
  const out = new Set<string>();
  // import{a as b}from"./x.js"  |  import"./x.js"  (static only; import("./x.js") is lazy)
  for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${},*\s]+from\s*)?["'](\.\/[^"']+\.js)["']/g))
    out.add(path.join(path.dirname(file), m[1]!));
  return [...out];
};

const first = new Set<string>();
const queue = [entry];
while (queue.length) {
  const f = queue.pop()!;
  if (first.has(f)) continue;
  first.add(f);
  queue.push(...staticImports(f));
}

const closure = (roots: string[], exclude: Set<string> = new Set()) => {
  const seen = new Set<string>();
  const q = [...roots];
  while (q.length) {
    const f = q.pop()!;
    if (seen.has(f) || exclude.has(f)) continue;
    seen.add(f);
    q.push(...staticImports(f));
  }
  return seen;
};

const css = readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.css')).map((f) => `assets/${f}`);
const firstCss = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="\/([^"]+\.css)"/g)].map((m) => m[1]!);
const lazyCss = css.filter((f) => !firstCss.includes(f));
const all = readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
const kb = (n: number) => (n / 1024).toFixed(1);
const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) console.info(line);
};
let total = 0;
log('First screen JS (gzip -9):');
for (const f of [...first].sort((a, b) => gz(b) - gz(a))) {
  total += gz(f);
  log(`  ${kb(gz(f)).padStart(6)} KB  ${f}`);
}
const cssTotal = firstCss.reduce((s, f) => s + gz(f), 0);
log(`  ${kb(total).padStart(6)} KB  total JS`);
log(`  ${kb(cssTotal).padStart(6)} KB  CSS (${firstCss.join(', ')})`);
log(`  ${kb(total + cssTotal).padStart(6)} KB  first screen JS + CSS`);
// The signed-in app's chunk: imported dynamically by the entry, named after SignedIn.tsx.
const signedIn = all.filter((f) => /\/SignedIn-[\w-]+\.js$/.test(f));
const afterPaint = closure(signedIn, first);
const afterPaintSize = [...afterPaint].reduce((s, f) => s + gz(f), 0);
log(`Right after first paint (signed-in app, its data layer): ${kb(afterPaintSize)} KB in ${afterPaint.size} chunks`);
const lazy = all.filter((f) => !first.has(f));
const lazySize = lazy.reduce((s, f) => s + gz(f), 0);
log(`Lazy chunks: ${lazy.length}, ${kb(lazySize)} KB gzip in all`);
log(`Lazy CSS: ${lazyCss.length}, ${kb(lazyCss.reduce((s, f) => s + gz(f), 0))} KB gzip in all`);
if (json)
  console.info(
    JSON.stringify({ firstJs: total, firstCss: cssTotal, afterPaint: afterPaintSize, lazyJs: lazySize, lazyChunks: lazy.length }),
  );
// The first screen renders without zod and without the sync engine (loaded
// right after first paint): a marker string of each must not be in its JS.
const forbidden: Array<[string, string]> = [
  ['zod', 'ZodError'],
  ['the sync engine', 'sync.lastSyncAt'],
  ['Dexie', 'DexieError'],
];
for (const [what, marker] of forbidden) {
  const where = [...first].filter((f) => readFileSync(path.join(dist, f), 'utf8').includes(marker));
  if (where.length) {
    console.error(`${what} is in the first screen's JS (${where.join(', ')}): import it after first paint`);
    process.exit(1);
  }
}
const budgetArg = process.argv.indexOf('--budget');
if (budgetArg > 0) {
  const budget = Number(process.argv[budgetArg + 1]) * 1024;
  if (total + cssTotal > budget) {
    console.error(`over budget: ${kb(total + cssTotal)} KB > ${kb(budget)} KB`);
    process.exit(1);
  }
}
