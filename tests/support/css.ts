// The style rules of our stylesheets, for checks that keep CSS from colliding
// (tests/css.test.ts) and for the build-output check of the e2e suite.
//
// A small reader, not a full CSS parser: it knows comments, at-rule blocks
// (@media, @supports…, whose rules it reads with that context), opaque blocks
// (@font-face, @keyframes, @page) and statements (@import). Anything else it
// does not understand, such as a rule nested inside a rule, is an error, so a
// check built on it can never pass by skipping what it could not read.
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface CssRule {
  /** One selector of the rule's list, whitespace collapsed: `.a, .b { }` gives two. */
  selector: string;
  /** The enclosing at-rule preludes, outermost first ('' at top level). */
  context: string;
  line: number;
}

const OPAQUE = /^@(font-face|keyframes|-webkit-keyframes|page|counter-style|property)\b/;

/** Splits a selector list on its top-level commas (not those inside :is(), :not()…). */
function splitSelectors(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(start, i));
      start = i + 1;
    }
  }
  out.push(list.slice(start));
  return out.map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

export function cssRules(css: string, file = 'stylesheet'): CssRule[] {
  // Comments become spaces (newlines kept), so line numbers still point at the source.
  const text = css.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const rules: CssRule[] = [];
  const contexts: string[] = [];
  let prelude = '';
  let preludeLine = 1;
  let line = 1;
  const fail = (why: string): never => {
    throw new Error(`${file}:${line}: ${why}`);
  };
  /** From just after an opening brace, the index of its closing brace; nested braces only if `allowNested`. */
  const skipBlock = (from: number, allowNested: boolean): number => {
    let depth = 1;
    for (let j = from; j < text.length; j++) {
      const c = text[j];
      if (c === '\n') line++;
      else if (c === '{') {
        if (!allowNested) fail('a rule inside a rule (CSS nesting) is not supported by this check');
        depth++;
      } else if (c === '}' && --depth === 0) return j;
    }
    return fail('unclosed block');
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (c === '{') {
      const head = prelude.replace(/\s+/g, ' ').trim();
      prelude = '';
      if (!head) fail('a block with no selector');
      if (OPAQUE.test(head)) i = skipBlock(i + 1, true);
      else if (head.startsWith('@')) contexts.push(head);
      else {
        for (const selector of splitSelectors(head)) rules.push({ selector, context: contexts.join(' '), line: preludeLine });
        i = skipBlock(i + 1, false);
      }
    } else if (c === '}') {
      if (contexts.length === 0) fail('a closing brace with no block open');
      contexts.pop();
      prelude = '';
    } else if (c === ';') {
      prelude = ''; // @import, @charset…
    } else {
      if (!prelude.trim() && c.trim()) preludeLine = line;
      prelude += c;
    }
  }
  if (contexts.length) fail(`unclosed ${contexts.at(-1)}`);
  return rules;
}

/** Every .css file under `dir`, recursively, sorted. */
export function cssFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.css'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Selectors stated more than once in the same context, across all the given sheets: `selector` → where. */
export function duplicateSelectors(sheets: ReadonlyArray<{ file: string; css: string }>): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  for (const { file, css } of sheets) {
    for (const r of cssRules(css, file)) {
      const key = r.context ? `${r.context} { ${r.selector} }` : r.selector;
      seen.set(key, [...(seen.get(key) ?? []), `${file}:${r.line}`]);
    }
  }
  return new Map([...seen].filter(([, where]) => where.length > 1));
}
