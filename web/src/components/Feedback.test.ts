import { describe, expect, it } from 'vitest';
import { parseApiError } from '../api/client';
import { translate, type Lang } from '../i18n/translate';
import type { TFunction } from '../i18n/I18nProvider';
import { fieldErrorOf } from './Feedback';

const tFor = (lang: Lang): TFunction => (key, params) => translate(lang, key, params);

// What the server answers for a malformed sign-up (server/errors.py), its English included.
const refused = parseApiError(422, {
  error: 'validation_error',
  detail: 'The request is malformed.',
  errors: [
    { loc: ['body', 'password'], msg: 'String should have at least 8 characters', type: 'string_too_short', ctx: { min_length: 8 } },
    { loc: ['body', 'name'], msg: 'String should have at most 200 characters', type: 'string_too_long', ctx: { max_length: 200 } },
    { loc: ['body', 'email'], msg: 'value is not a valid email address: An email address must have an @-sign.', type: 'value_error', ctx: { reason: 'An email address must have an @-sign.' } },
    { loc: ['body', 'title'], msg: 'Field required', type: 'missing', ctx: {} },
    { loc: ['body', 'role'], msg: "Input should be 'editor' or 'viewer'", type: 'literal_error', ctx: { expected: "'editor' or 'viewer'" } },
    { loc: ['body', 'odd'], msg: 'Something pydantic says in English', type: 'some_new_type', ctx: {} },
  ],
});

describe('field errors from the server', () => {
  it('read in bokmål, never in the validator’s English', () => {
    const t = tFor('nb');
    expect(fieldErrorOf(refused, 'password', t)).toBe('Bruk minst 8 tegn.');
    expect(fieldErrorOf(refused, 'name', t)).toBe('Bruk høyst 200 tegn.');
    expect(fieldErrorOf(refused, 'email', t)).toBe('Skriv inn en gyldig e-postadresse, for eksempel navn@eksempel.no.');
    expect(fieldErrorOf(refused, 'title', t)).toBe('Fyll ut dette feltet.');
    expect(fieldErrorOf(refused, 'role', t)).toBe('Velg et av alternativene.');
    expect(fieldErrorOf(refused, 'odd', t)).toBe('Denne verdien er ikke gyldig.');
  });

  it('read in English with the limits filled in', () => {
    const t = tFor('en');
    expect(fieldErrorOf(refused, 'password', t)).toBe('Use at least 8 characters.');
    expect(fieldErrorOf(refused, 'name', t)).toBe('Use at most 200 characters.');
    expect(fieldErrorOf(refused, 'nothing', t)).toBeUndefined();
  });
});
