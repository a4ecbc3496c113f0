import { describe, expect, it } from 'vitest';
import { en } from './en';
import { nb } from './nb';
import { detectLanguage, isMessageKey, translate, type Catalogue, type Lang } from './translate';

describe('translate', () => {
  it('uses the chosen language', () => {
    expect(translate('en', 'auth.email')).toBe('Email');
    expect(translate('nb', 'auth.email')).toBe('E-post');
    expect(translate('nb', 'auth.password')).toBe('Passord');
  });

  it('falls back to English, then to the key itself', () => {
    const sources: Record<Lang, Catalogue> = { en: { 'auth.email': 'Email' }, nb: {} };
    expect(translate('nb', 'auth.email', undefined, sources)).toBe('Email');
    expect(translate('nb', 'auth.password', undefined, sources)).toBe('auth.password');
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
  });

  it('fills in parameters and leaves unknown placeholders visible', () => {
    expect(translate('en', 'people.expires', { date: '1 Jan' })).toBe('Expires 1 Jan');
    expect(translate('en', 'people.expires')).toBe('Expires {date}');
    expect(translate('en', 'error.too_many_attempts_wait', { seconds: 30 })).toContain('30 seconds');
  });

  it('has a Norwegian text for every English key, with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(nb[key], key).toBeTypeOf('string');
      expect(placeholders(nb[key]!), key).toEqual(placeholders(en[key]));
    }
  });

  it('knows which keys exist', () => {
    expect(isMessageKey('error.invalid_credentials')).toBe(true);
    expect(isMessageKey('error.something_new')).toBe(false);
    expect(isMessageKey('toString')).toBe(false);
  });
});

describe('detectLanguage', () => {
  it('prefers the stored choice', () => {
    expect(detectLanguage('nb', ['en-US'])).toBe('nb');
    expect(detectLanguage('en', ['nb-NO'])).toBe('en');
  });

  it('maps any Norwegian browser language to bokmål and defaults to English', () => {
    expect(detectLanguage(null, ['no'])).toBe('nb');
    expect(detectLanguage(null, ['nn-NO'])).toBe('nb');
    expect(detectLanguage('klingon', ['de-DE', 'nb-NO'])).toBe('nb');
    expect(detectLanguage(null, ['de-DE'])).toBe('en');
    expect(detectLanguage(null, [])).toBe('en');
  });
});
