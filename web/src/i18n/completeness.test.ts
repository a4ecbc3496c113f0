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
