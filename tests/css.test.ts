// Stylesheets that cannot collide: every selector is defined once across all of
// src/**/*.css. Two sheets stating the same selector means the one that loads
// last silently wins, and a screen gets another screen's layout. A selector may
// be restated inside a different @media only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cssFiles, cssRules, duplicateSelectors } from './support/css';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the app stylesheets', () => {
  const sheets = cssFiles(path.join(ROOT, 'src')).map((f) => ({ file: path.relative(ROOT, f), css: readFileSync(f, 'utf8') }));

  it('are found', () => {
    expect(sheets.map((s) => s.file)).toContain(path.join('src', 'app', 'base.css'));
  });

  it('define no selector twice, within one sheet or across sheets', () => {
    expect(Object.fromEntries(duplicateSelectors(sheets))).toEqual({});
  });
});

describe('the duplicate-selector check', () => {
  const sheet = (css: string, file = 'a.css') => ({ file, css });

  it.each([
    ['a selector restated in the same sheet', [sheet('.a { color: red; }\n.a { margin: 0; }')], ['.a']],
    ['a selector restated in another sheet', [sheet('.a { color: red; }'), sheet('.a { margin: 0; }', 'b.css')], ['.a']],
    ['a selector inside a list and again on its own', [sheet('.a, .b { color: red; }\n.b { margin: 0; }')], ['.b']],
    ['the same spelling with other whitespace', [sheet('.a  >\n .b { color: red; }\n.a > .b { margin: 0; }')], ['.a > .b']],
    ['a selector restated inside the same @media', [sheet('@media (min-width: 1px) { .a { x: 1; } }\n@media (min-width: 1px) { .a { x: 2; } }')], ['@media (min-width: 1px) { .a }']],
  ])('finds %s', (_name, sheets, expected) => {
    expect([...duplicateSelectors(sheets).keys()]).toEqual(expected);
  });

  it.each([
    ['a selector restated inside a different @media', [sheet('.a { x: 1; }\n@media (min-width: 1px) { .a { x: 2; } }')]],
    ['commas inside :is() and attribute values', [sheet(":is(.a, .b) { x: 1; }\n.a { x: 2; }\n[data-x='1,2'] { x: 3; }")]],
    ['selectors in comments', [sheet('/* .a { } */\n.a { x: 1; }')]],
    ['keyframe steps', [sheet('@keyframes k { from { x: 1; } to { x: 2; } }\n@keyframes j { from { x: 1; } }')]],
  ])('ignores %s', (_name, sheets) => {
    expect(duplicateSelectors(sheets).size).toBe(0);
  });

  it('points at the line of each definition', () => {
    expect(duplicateSelectors([sheet('.a { x: 1; }\n\n/* again */\n.a {\n  x: 2;\n}')]).get('.a')).toEqual(['a.css:1', 'a.css:4']);
  });

  it('refuses CSS nesting rather than skip the nested rules', () => {
    expect(() => cssRules('.a { color: red; .b { color: blue; } }', 'n.css')).toThrow(/n\.css:1: a rule inside a rule/);
  });
});
