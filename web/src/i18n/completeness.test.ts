import { describe, expect, it } from 'vitest';
import { en, type MessageKey } from './en';
import { nb } from './nb';

const keys = Object.keys(en) as MessageKey[];
const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the bokmål catalogue', () => {
  it('has every English key, with text', () => {
    const missing = keys.filter((k) => typeof nb[k] !== 'string' || nb[k]!.trim() === '');
    expect(missing).toEqual([]);
  });

  it('uses the same placeholders as English', () => {
    const differ = keys
      .filter((k) => typeof nb[k] === 'string')
      .filter((k) => placeholders(nb[k]!).join() !== placeholders(en[k]).join())
      .map((k) => `${k}: en {${placeholders(en[k]).join(',')}} nb {${placeholders(nb[k]!).join(',')}}`);
    expect(differ).toEqual([]);
  });

  it('has no keys English does not have', () => {
    expect(Object.keys(nb).filter((k) => !(k in en))).toEqual([]);
  });
});

// The server's sources, to find every error code it can answer with.
const serverSources = import.meta.glob('../../../server/**/*.py', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

function serverErrorCodes(): string[] {
  const patterns = [
    /\bcode\s*=\s*"([a-z_]+)"/g, // raise NotFound(..., code="plan_not_found") and class defaults
    /"error":\s*"([a-z_]+)"/g, // responses written by hand (middleware)
    /_body\(\s*"([a-z_]+)"/g, // the error handlers
    /\d{3}:\s*"([a-z_]+)"/g, // status → code tables in the handlers
    /codes\.get\([^,]+,\s*"([a-z_]+)"\)/g, // their fallback
  ];
  const codes = new Set<string>();
  for (const source of Object.values(serverSources)) {
    for (const pattern of patterns) for (const m of source.matchAll(pattern)) codes.add(m[1]!);
  }
  return [...codes].sort();
}

describe('server error codes', () => {
  it('are found in the server sources', () => {
    const codes = serverErrorCodes();
    expect(Object.keys(serverSources).length).toBeGreaterThan(20);
    expect(codes).toEqual(expect.arrayContaining(['plan_not_found', 'validation_error', 'origin_not_allowed', 'http_error', 'content_too_large']));
  });

  it('each have a message in both languages', () => {
    const missing = serverErrorCodes().filter((code) => !(`error.${code}` in en) || !nb[`error.${code}` as MessageKey]);
    expect(missing).toEqual([]);
  });
});
