// i18next set-up. Vietnamese is the default and is bundled (and so precached);
// English is loaded on demand as its own chunk. Each file in locales/<lang>/ is
// a namespace named after the file; "common" is the default namespace.
// The chosen language is remembered on the device.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { runWhenIdle } from './idle';

export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'vi';
const STORAGE_KEY = 'gocua.lang';

type Bundle = Record<string, unknown>;
// Namespaces only some users need (supervisor.json; enrol.json, the page an
// enrolment QR code opens) stay out of the first bundle; their screens load
// them (see loadLazyNamespaces).
const vi = import.meta.glob<Bundle>(['../../locales/vi/*.json', '!../../locales/vi/supervisor.json', '!../../locales/vi/enrol.json'], {
  eager: true,
  import: 'default',
});
const viLazy = import.meta.glob<Bundle>(['../../locales/vi/supervisor.json', '../../locales/vi/enrol.json'], { import: 'default' });
const en = import.meta.glob<Bundle>('../../locales/en/*.json', { import: 'default' });

const nsOf = (path: string) => path.replace(/^.*\/([^/]+)\.json$/, '$1');

function storedLanguage(): Language {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === 'en' || v === 'vi' ? v : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

async function loadEnglish(): Promise<void> {
  if (i18n.hasResourceBundle('en', 'common')) return;
  await Promise.all(
    Object.entries(en).map(async ([path, load]) => {
      i18n.addResourceBundle('en', nsOf(path), await load(), true, true);
    }),
  );
}

export async function initI18n(lang: Language = storedLanguage()): Promise<typeof i18n> {
  const resources: Record<string, Record<string, Bundle>> = { vi: {} };
  for (const [path, bundle] of Object.entries(vi)) resources.vi![nsOf(path)] = bundle;
  if (!i18n.isInitialized) {
    await i18n.use(initReactI18next).init({
      resources,
      lng: DEFAULT_LANGUAGE,
      fallbackLng: DEFAULT_LANGUAGE,
      ns: Object.keys(resources.vi!),
      defaultNS: 'common',
      interpolation: { escapeValue: false }, // React escapes what it renders
      returnNull: false,
    });
  }
  await setLanguage(lang, false);
  return i18n;
}

/** Loads the Vietnamese bundles of the lazy namespaces, or of `only` (English is all lazy anyway). */
export async function loadLazyNamespaces(only?: readonly string[]): Promise<void> {
  await Promise.all(
    Object.entries(viLazy)
      .filter(([path]) => !only || only.includes(nsOf(path)))
      .map(async ([path, load]) => {
        if (!i18n.hasResourceBundle('vi', nsOf(path))) i18n.addResourceBundle('vi', nsOf(path), await load(), true, true);
      }),
  );
}

/**
 * Fetches the English chunks in the background while online, without switching,
 * so the service worker's runtime cache has them for a later switch offline.
 */
export function prefetchOtherLanguages(delayMs = 0): void {
  if (globalThis.navigator?.onLine === false) return;
  // One chunk per idle moment, not seven in one task (idle.ts).
  runWhenIdle(Object.values(en), delayMs);
}

/** Switches language; offline with English never fetched, it keeps the current one. */
export async function setLanguage(lang: Language, remember = true): Promise<void> {
  if (lang === 'en') {
    try {
      await loadEnglish();
    } catch {
      return;
    }
  }
  await i18n.changeLanguage(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (remember) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lang);
    } catch {
      /* private mode: the choice lasts for this session only */
    }
  }
}

/** Locale-aware formatting, so dates and numbers read naturally in each language. */
export function formatDate(iso: string, lang: string, opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }) {
  const d = iso.length === 10 ? new Date(`${iso}T00:00:00`) : new Date(iso);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', opts).format(d);
}

export function formatNumber(n: number, lang: string) {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'vi-VN').format(n);
}

export function formatRelative(iso: string, lang: string, now: number = Date.now()) {
  const rtf = new Intl.RelativeTimeFormat(lang === 'en' ? 'en' : 'vi', { numeric: 'auto' });
  const sec = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(sec);
  if (abs < 60) return rtf.format(sec, 'second');
  if (abs < 3600) return rtf.format(Math.round(sec / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(sec / 3600), 'hour');
  return rtf.format(Math.round(sec / 86400), 'day');
}

export default i18n;
