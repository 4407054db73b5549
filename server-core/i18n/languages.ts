// The languages forkscope speaks, shared by the app, the browser bridge and the CLI. Technical
// tokens (SIGCHLD, EMFILE, waitpid) stay as they are in every language.

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language's name in its own words, for the switcher and for error messages. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', 'zh-CN': '简体中文' };

export function isLanguage(s: string): s is Language {
  return (LANGUAGES as readonly string[]).includes(s);
}

/**
 * The first supported language among `wanted` — BCP 47 tags (`zh-CN`, `zh-Hans-SG`, `en-GB`) or
 * POSIX locales (`zh_CN.UTF-8`, `C`): any Chinese becomes Simplified Chinese (the tutorial's
 * summary is in it), anything else English. Empty candidates are skipped.
 */
export function matchLanguage(wanted: readonly (string | undefined | null)[]): Language {
  for (const w of wanted) {
    if (!w) continue;
    const tag = w.split('.')[0].replace(/_/g, '-').toLowerCase();
    if (tag === '' || tag === 'c' || tag === 'posix') continue;
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    return 'en';
  }
  return 'en';
}

/** One line for a --lang value that is not a language we have. */
export function unknownLanguage(value: string): string {
  return `unknown language '${value}' for --lang — choose one of: ${LANGUAGES.map((l) => `${l} (${LANGUAGE_NAMES[l]})`).join(', ')}`;
}
