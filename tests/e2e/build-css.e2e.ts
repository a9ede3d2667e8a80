// The build's stylesheets: the first screen's CSS (the one index.html links)
// carries no supervisor dashboard rules; the dashboard's come in a stylesheet
// of the supervisor chunk, which the service worker does not precache, so a
// volunteer's phone never downloads them. No browser needed: it reads build A.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, inject, it } from 'vitest';
import { ROOT } from './support/build';
import { cssFiles, cssRules } from '../support/css';

const classesOf = (css: string, file: string) =>
  new Set(cssRules(css, file).flatMap((r) => [...r.selector.matchAll(/\.([\w-]+)/g)].map((m) => m[1]!)));
const mentions = (css: string, cls: string) => new RegExp(`\\.${cls}(?![\\w-])`).test(css);

it('the first screen’s stylesheet has no dashboard rules; the supervisor chunk brings its own, not precached', () => {
  const dist = inject('distA');
  const read = (f: string) => readFileSync(path.join(dist, f), 'utf8');

  // The classes only the dashboard's sheets style (Dashboard.css, Exports.css) (.stats, shared with Home, is in base.css).
  const isSupervisor = (f: string) => f.startsWith(path.join(ROOT, 'src/app/screens/supervisor') + path.sep);
  const sources = cssFiles(path.join(ROOT, 'src')).filter(isSupervisor);
  const others = cssFiles(path.join(ROOT, 'src')).filter((f) => !isSupervisor(f));
  const shared = new Set(others.flatMap((f) => [...classesOf(readFileSync(f, 'utf8'), f)]));
  const dashboardOnly = sources.flatMap((f) => [...classesOf(readFileSync(f, 'utf8'), f)]).filter((c) => !shared.has(c));
  expect(dashboardOnly).toEqual(expect.arrayContaining(['coverage-table', 'data-table', 'funnel-table', 'report-stats', 'export-choices', 'audit-table']));

  const linked = [...read('index.html').matchAll(/<link[^>]*rel="stylesheet"[^>]*href="\/([^"]+)"/g)].map((m) => m[1]!);
  expect(linked).toHaveLength(1);
  const first = read(linked[0]!);
  expect(dashboardOnly.filter((c) => mentions(first, c))).toEqual([]);

  const supervisorCss = readdirSync(path.join(dist, 'assets')).filter((f) => /^supervisor-.*\.css$/.test(f));
  expect(supervisorCss).toHaveLength(1);
  const dashboard = read(`assets/${supervisorCss[0]}`);
  expect(dashboardOnly.filter((c) => !mentions(dashboard, c))).toEqual([]);
  expect(read('sw.js')).not.toContain(supervisorCss[0]);
});
