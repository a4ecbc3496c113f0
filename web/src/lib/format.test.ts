import { describe, expect, it } from 'vitest';
import { formatRelative } from './format';

describe('formatRelative', () => {
  const now = Date.parse('2027-03-10T12:00:00Z');
  it('says how long ago in the largest unit that fits', () => {
    expect(formatRelative('2027-03-10T09:00:00Z', 'en', now)).toBe('3 hours ago');
    expect(formatRelative('2027-03-09T12:00:00Z', 'en', now)).toBe('yesterday');
    expect(formatRelative('2027-03-10T11:59:50Z', 'en', now)).toBe('this minute');
    expect(formatRelative('2027-03-09T12:00:00Z', 'nb', now)).toBe('i går');
  });
  it('says nothing for missing or broken dates', () => {
    expect(formatRelative(null, 'en', now)).toBe('');
    expect(formatRelative('soon', 'en', now)).toBe('');
  });
});
