// Every word of the app exists in both languages: a key (or a {{placeholder}}) in one catalog
// and not the other fails here. Plural keys follow i18next: English has `_one` and `_other`,
// Chinese only `_other`; a key with a plural suffix must have its `_other` form in both.
import { describe, expect, it } from 'vitest';
import { en } from '../../src-renderer/i18n/en';
import { zhCN } from '../../src-renderer/i18n/zh-CN';
import { i18n, t } from '../../src-renderer/i18n';
import { catalogProblems } from '../helpers/catalogs';
import { cliEn } from '../../server-core/i18n/cli-en';
import { cliZhCN } from '../../server-core/i18n/cli-zh-CN';

describe('the app catalogs', () => {
  it('English and Chinese have the same keys and placeholders', () => {
    expect(catalogProblems(en, zhCN)).toEqual([]);
    expect(catalogProblems(cliEn, cliZhCN)).toEqual([]);
  });

  it('the check itself catches a missing key, a missing plural and a wrong placeholder', () => {
    const a = { x: { y: 'Y', n_one: '{{count}} thing', n_other: '{{count}} things', p: 'at {{time}}' } };
    expect(catalogProblems(a, { x: { n_other: '{{count}} 个', p: '于 {{when}}' } })).toEqual([
      'x.y: missing in the translation',
      'x.p: placeholders {{time}} vs {{when}}',
    ]);
    expect(catalogProblems(a, { x: { y: 'Y', p: '于 {{time}}', extra: 'E' } })).toEqual([
      'x.n: plural missing in the translation',
      'x.extra: only in the translation',
    ]);
  });

  it('switches at once and plurals come from the library', () => {
    i18n.changeLanguage('en');
    expect(t('tree.count', { count: 1 })).toBe('1 process');
    expect(t('tree.count', { count: 3 })).toBe('3 processes');
    i18n.changeLanguage('zh-CN');
    expect(t('tree.count', { count: 3 })).toBe('3 个进程');
    expect(t('states.zombie.explain')).toContain('僵尸进程');
    i18n.changeLanguage('en');
  });
});
