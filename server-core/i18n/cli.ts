// The command line's words in the user's language: LC_ALL, then LC_MESSAGES, then LANG, as
// gettext decides (zh_CN.UTF-8 → Chinese; C, POSIX or unset → English). Only what a person reads
// goes through here — the human log; `--json` output is the same in every language.
import i18next from 'i18next';
import { cliEn } from './cli-en';
import { cliZhCN } from './cli-zh-CN';
import { matchLanguage, type Language } from './languages';

/** Every key of a catalog, plural forms named once (`fdsReleased`, not `fdsReleased_one`). */
type Keys<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K extends `${infer B}_${'one' | 'other'}` ? B : K}` : Keys<T[K], `${P}${K}.`>;
}[keyof T & string];

export type CliKey = Keys<typeof cliEn>;

/** The language the environment asks for; the first of LC_ALL, LC_MESSAGES, LANG that is set wins. */
export function cliLanguage(env: NodeJS.ProcessEnv = process.env): Language {
  const first = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v != null && v !== '');
  return matchLanguage([first]);
}

export type CliT = (key: CliKey, vars?: Record<string, string | number>) => string;

const translators = new Map<Language, CliT>();

/** A translate function for the CLI's catalogs in `lang` (made once per language). */
export function cliT(lang: Language = cliLanguage()): CliT {
  let t = translators.get(lang);
  if (!t) {
    const instance = i18next.createInstance();
    void instance.init({
      resources: { en: { translation: cliEn }, 'zh-CN': { translation: cliZhCN } },
      lng: lang,
      fallbackLng: false,
      interpolation: { escapeValue: false },
      initAsync: false,
    });
    // The catalogs' own key type (CliKey) stands in for the app's, which i18next is typed with.
    const fixed = instance.getFixedT(lang) as unknown as (key: string, vars?: Record<string, string | number>) => string;
    t = (key, vars) => fixed(key, vars);
    translators.set(lang, t);
  }
  return t;
}
