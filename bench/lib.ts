// What every benchmark shares: the machine line, repetitions with their
// median/min/max, a table printed to the console, and the benchmark's own
// section of bench/RESULTS.md.
//
// RESULTS.md holds one section per benchmark between marker comments
// (<!-- bench:NAME --> … <!-- /bench:NAME -->). writeSection() replaces only
// the named one, so benchmarks run on different days keep each other's figures.
// A figure is only meaningful next to a baseline measured in the same run on
// the same machine: every section says what its baseline is, and ratios are
// against that, never against numbers from another run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, median } from '../tests/support/scratch';

export { machineLine, median };

export const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');

export interface Stats {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function stats(xs: readonly number[]): Stats {
  if (xs.length === 0) throw new Error('stats of no runs');
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/**
 * Runs fn `warmup` times unmeasured, then `runs` times, and returns what each
 * measured run returned (fn measures itself: a duration, a rate, a size).
 */
export async function repeat<T>(runs: number, fn: (run: number) => Promise<T>, warmup = 0): Promise<T[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn(i));
  return out;
}

/** The load on the machine, for the record: figures from a busy shared machine are noisier. */
export function loadLine(): string {
  const [one, five] = os.loadavg();
  return `Load average ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min) on ${os.cpus().length} cores`;
}

/** A Markdown table (which also reads well in a terminal). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en'),
  ms: (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`,
  mb: (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`,
  ratio: (n: number) => `${n.toFixed(2)}×`,
  /** median (min–max) */
  spread: (s: Stats, f: (n: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`,
};

/** Replaces (or appends) the section of `name` in RESULTS.md; other sections are left as they are. */
export function writeSection(name: string, body: string, file = RESULTS_FILE) {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const header = '# Benchmark results\n\nWritten by `npm run bench -- <name>`: each benchmark replaces its own section. Never part of `npm test` or CI.\n';
  const old = existsSync(file) ? readFileSync(file, 'utf8') : header;
  const from = old.indexOf(start);
  const to = old.indexOf(end);
  const next = from >= 0 && to > from ? old.slice(0, from) + section + old.slice(to + end.length) : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
