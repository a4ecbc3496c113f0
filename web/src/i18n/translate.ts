import { en, type MessageKey } from './en';
import { nb } from './nb';

export const LANGUAGES = ['en', 'nb'] as const;
export type Lang = (typeof LANGUAGES)[number];

export type Catalogue = Partial<Record<MessageKey, string>>;
export type Params = Record<string, string | number>;

const catalogues: Record<Lang, Catalogue> = { en, nb };

export const STORAGE_KEY = 'jointplan.lang';

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

function interpolate(message: string, params?: Params): string {
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match,
  );
}

/**
 * Looks a key up in the chosen language, then in English, then shows the key itself,
 * so a missing translation degrades to readable text rather than a blank.
 */
export function translate(
  lang: Lang,
  key: string,
  params?: Params,
  sources: Record<Lang, Catalogue> = catalogues,
): string {
  const k = key as MessageKey;
  const message = sources[lang]?.[k] ?? sources.en[k] ?? key;
  return interpolate(message, params);
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Picks the stored choice, else the first browser language we have (any Norwegian → nb), else English. */
export function detectLanguage(stored: string | null, browserLanguages: readonly string[]): Lang {
  if (isLang(stored)) return stored;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
    if (base === 'en') return 'en';
  }
  return 'en';
}
