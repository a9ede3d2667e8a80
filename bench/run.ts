// npm run bench -- <name> [args…]: runs bench/<name>.ts, whose main(args)
// prints its figures and writes its section of bench/RESULTS.md.
// Benchmarks are never part of `npm test` or CI: they take minutes and their
// figures depend on the machine.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIR = path.dirname(fileURLToPath(import.meta.url));
// Modules of the runner itself, not benchmarks.
const NOT_BENCHES = new Set(['run', 'lib', 'driver']);

function benches(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_BENCHES.has(n) && !n.includes('/'))
    .sort();
}

async function main() {
  const [name, ...args] = process.argv.slice(2);
  const file = name && /^[a-z][a-z0-9-]*$/.test(name) && !NOT_BENCHES.has(name) ? path.join(DIR, `${name}.ts`) : undefined;
  if (!file || !existsSync(file)) {
    console.error(`usage: npm run bench -- <name> [args…]\nbenchmarks: ${benches().join(', ')}`);
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(file).href)) as { main?: (args: string[]) => Promise<void> };
  if (typeof mod.main !== 'function') throw new Error(`bench/${name}.ts exports no main(args)`);
  await mod.main(args);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
