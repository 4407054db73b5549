// The app's words go through i18next: `t('queue.empty')`, `t('tree.count', { count })`.
// English and Simplified Chinese (en.ts, zh-CN.ts); lessons add their own texts as namespaces
// (lessons/registry.ts). The language comes from, in order: `?lang=` in the page's address
// (`npm run web -- --lang zh-CN`, `npm start -- --lang zh-CN`), the learner's last choice
// (kept in localStorage), the system's (navigator.languages: Electron passes the OS locale).
import i18next from 'i18next';
import { isLanguage, LANGUAGES, matchLanguage, type Language } from '../../server-core/i18n/languages';
import { en } from './en';
import { zhCN } from './zh-CN';

export { LANGUAGES, LANGUAGE_NAMES, type Language } from '../../server-core/i18n/languages';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

const STORAGE_KEY = 'forkscope.lang';
export const i18n = i18next.createInstance();

void i18n.init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: 'en',
  fallbackLng: false,
  supportedLngs: [...LANGUAGES],
  // React escapes what it renders; i18next must not do it a second time.
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

/** The typed translate function, for components and for plain functions alike. */
export const t = i18n.t.bind(i18n) as typeof i18n.t;

/** Options of a lookup whose key is made at run time: values to fill in, a namespace (a lesson's), a default. */
export type DynamicOptions = Record<string, unknown> & { ns?: string; defaultValue?: string; count?: number };

/** Translation with a key made at run time (a lesson's step id, an event's code): no type check on the key. */
export function tDynamic(key: string, options?: DynamicOptions): string {
  return (i18n.t as unknown as (k: string, o?: DynamicOptions) => string)(key, options);
}

export function language(): Language {
  const l = i18n.language;
  return isLanguage(l) ? l : 'en';
}

/** Switches at once (components re-render through useLanguage) and remembers the choice. */
export function setLanguage(lang: Language, remember = true): void {
  void i18n.changeLanguage(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // storage unavailable (private window): the choice lasts for this page only
    }
  }
}

/** Picks the language at start-up, from the address, the last choice, then the system. */
export function initialLanguage(params: URLSearchParams, stored: string | null, system: readonly string[]): Language {
  const forced = params.get('lang');
  if (forced && isLanguage(forced)) return forced;
  if (stored && isLanguage(stored)) return stored;
  return matchLanguage(system);
}

export function startLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  const lang = initialLanguage(new URLSearchParams(location.search), stored, navigator.languages ?? [navigator.language]);
  setLanguage(lang, false);
  return lang;
}
