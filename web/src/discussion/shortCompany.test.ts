import { describe, expect, it } from 'vitest';
import { shortCompany } from './ItemTools';

describe('shortCompany', () => {
  it('drops the legal form, so a vote count shows the name people say', () => {
    expect(shortCompany('Fjordpack AS')).toBe('Fjordpack');
    expect(shortCompany('Nordlys Foods ASA')).toBe('Nordlys Foods');
    expect(shortCompany('Acme Ltd.')).toBe('Acme');
    expect(shortCompany('Müller GmbH')).toBe('Müller');
  });

  it('keeps a name that is only a legal form or has none', () => {
    expect(shortCompany('ASA')).toBe('ASA');
    expect(shortCompany('Ascend Logistics')).toBe('Ascend Logistics');
    expect(shortCompany('')).toBe('');
  });
});
