import { describe, expect, it } from 'vitest';
import { OWNERS, VISIBILITIES } from '../api/types';
import { settable } from './SectionSettings';

describe('section settings offer what the server accepts', () => {
  it('keeps the current value and the allowed ones, in the usual order', () => {
    expect(settable(OWNERS, 'joint', ['customer'])).toEqual(['customer', 'joint']);
    expect(settable(VISIBILITIES, 'shared', [])).toEqual(['shared']);
  });
});
