// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { isDbOf, offlineDbName, readPending, writePending } from './offline';

describe('offline database names', () => {
  it('are per user and section', () => {
    const a = offlineDbName('u1', 's1');
    expect(a).not.toBe(offlineDbName('u2', 's1'));
    expect(a).not.toBe(offlineDbName('u1', 's2'));
    expect(isDbOf('u1', a)).toBe(true);
    expect(isDbOf('u2', a)).toBe(false);
  });

  it('do not let one user id prefix another', () => {
    expect(isDbOf('u1', offlineDbName('u10', 's1'))).toBe(false);
    expect(isDbOf('a:b', offlineDbName('a', 'b:c'))).toBe(false);
  });

  it('remember unsent edits across reloads', () => {
    const name = offlineDbName('u1', 's9');
    expect(readPending(name)).toBe(false);
    writePending(name, true);
    expect(readPending(name)).toBe(true);
    writePending(name, false);
    expect(readPending(name)).toBe(false);
  });
});
