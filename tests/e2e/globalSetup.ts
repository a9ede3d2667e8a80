// Builds the app twice before any journey runs, into a temporary directory:
// version A (what every journey serves) and version B (A plus a changed
// index.html, the "deployment" of journey 4). Always a fresh build, so a stale
// dist/ can never make a journey pass or fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from './support/build';

declare module 'vitest' {
  export interface ProvidedContext {
    distA: string;
    distB: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gocua-e2e-build-'));
  const distA = path.join(dir, 'A');
  const distB = path.join(dir, 'B');
  const started = Date.now();
  await buildApp(distA, 'A');
  await buildApp(distB, 'B');
  console.info(`[e2e] built versions A and B in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('distA', distA);
  project.provide('distB', distB);
  return () => rmSync(dir, { recursive: true, force: true });
}
