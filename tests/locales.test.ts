// Every namespace exists in both languages with exactly the same keys, and
// every validation message the shared schema can produce has a translation.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const LANGS = ['vi', 'en'] as const;

/** [key path, leaf value] pairs. Keys may themselves contain dots ("platforms.vneid"). */
function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, value]];
}

const read = (lang: string, ns: string): unknown =>
  JSON.parse(readFileSync(join(root, 'locales', lang, `${ns}.json`), 'utf8'));

function namespaces(lang: string): string[] {
  return readdirSync(join(root, 'locales', lang))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

function keys(lang: string, ns: string): string[] {
  return leaves(read(lang, ns))
    .map(([k]) => k)
    .sort();
}

describe('locales', () => {
  it('have the same namespace files in every language', () => {
    expect(namespaces('en')).toEqual(namespaces('vi'));
    expect(namespaces('vi')).toContain('common');
  });

  const all = [...new Set(LANGS.flatMap((l) => namespaces(l)))];
  it.each(all)('namespace "%s" has the same keys in Vietnamese and English', (ns) => {
    const [vi, en] = LANGS.map((l) => (namespaces(l).includes(ns) ? keys(l, ns) : []));
    const missingInEn = vi!.filter((k) => !en!.includes(k));
    const missingInVi = en!.filter((k) => !vi!.includes(k));
    expect({ missingInEn, missingInVi }).toEqual({ missingInEn: [], missingInVi: [] });
  });

  it.each(all)('namespace "%s" has no empty strings', (ns) => {
    for (const lang of LANGS) {
      if (!namespaces(lang).includes(ns)) continue;
      const empty = leaves(read(lang, ns))
        .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
        .map(([k]) => k);
      expect(empty, `${lang}/${ns}.json`).toEqual([]);
    }
  });

  it('translate every validation message the shared schemas use', () => {
    const source = readFileSync(join(root, 'src/shared/schemas.ts'), 'utf8');
    const used = [...new Set([...source.matchAll(/['"](validation\.[A-Za-z0-9_]+)['"]/g)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThan(5);
    for (const lang of LANGS) {
      const common = keys(lang, 'common');
      expect(used.filter((k) => !common.includes(k)), `${lang}/common.json`).toEqual([]);
    }
  });

  it('use the official names of the four platforms in Vietnamese', () => {
    const vi = read('vi', 'common') as { platforms: unknown };
    expect(vi.platforms).toEqual({
      vneid: 'VNeID',
      ihanoi: 'iHanoi',
      nationalPortal: 'Cổng Dịch vụ công quốc gia',
      mpsPortal: 'Cổng dịch vụ công Bộ Công an',
    });
  });
});
