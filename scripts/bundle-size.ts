// Prints the gzip size of the JavaScript the first screen loads: the entry
// script in dist/index.html plus every chunk it imports statically (what the
// browser must fetch before the first screen can render). Lazy chunks
// (dynamic import) are listed separately, and so is CSS: the stylesheet
// index.html links (the first screen's) apart from the ones lazy chunks bring
// (a screen's own styles, the dashboard's). Run after `npm run build`:
//   npx tsx scripts/bundle-size.ts [--budget 170]
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

const css = readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.css')).map((f) => `assets/${f}`);
const firstCss = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="\/([^"]+\.css)"/g)].map((m) => m[1]!);
const lazyCss = css.filter((f) => !firstCss.includes(f));
const all = readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
const kb = (n: number) => (n / 1024).toFixed(1);
let total = 0;
console.info('First screen JS (gzip -9):');
for (const f of [...first].sort((a, b) => gz(b) - gz(a))) {
  total += gz(f);
  console.info(`  ${kb(gz(f)).padStart(6)} KB  ${f}`);
}
console.info(`  ${kb(total).padStart(6)} KB  total JS`);
console.info(`  ${kb(firstCss.reduce((s, f) => s + gz(f), 0)).padStart(6)} KB  CSS (${firstCss.join(', ')})`);
const lazy = all.filter((f) => !first.has(f));
console.info(`Lazy chunks: ${lazy.length}, ${kb(lazy.reduce((s, f) => s + gz(f), 0))} KB gzip in all`);
console.info(`Lazy CSS: ${lazyCss.length}, ${kb(lazyCss.reduce((s, f) => s + gz(f), 0))} KB gzip in all`);
const budgetArg = process.argv.indexOf('--budget');
if (budgetArg > 0) {
  const budget = Number(process.argv[budgetArg + 1]) * 1024;
  if (total > budget) {
    console.error(`over budget: ${kb(total)} KB > ${kb(budget)} KB`);
    process.exit(1);
  }
}
