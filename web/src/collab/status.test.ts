import { describe, expect, it } from 'vitest';
import { OFFLINE_AFTER_MS, summarize, type LinkState } from './status';

const link = (over: Partial<LinkState>): LinkState => ({ status: 'live', closeCode: null, loaded: true, lostAt: null, ...over });

describe('summarize', () => {
  const now = 100_000;
  it('is live when every open connection is live', () => {
    expect(summarize([link({}), link({}), link({ status: 'closed', closeCode: 4403 })], true, now)).toBe('live');
  });
  it('is connecting on first load', () => {
    expect(summarize([link({ status: 'connecting', loaded: false })], true, now)).toBe('connecting');
    expect(summarize([], true, now)).toBe('connecting');
  });
  it('is reconnecting after a drop, then offline when it lasts', () => {
    const lost = link({ status: 'reconnecting', lostAt: now - 1000 });
    expect(summarize([link({}), lost], true, now)).toBe('reconnecting');
    expect(summarize([link({}), lost], true, now - 1000 + OFFLINE_AFTER_MS)).toBe('offline');
    expect(summarize([link({ status: 'connecting', lostAt: now - 500 })], true, now)).toBe('reconnecting');
  });
  it('is offline whenever the browser says so', () => {
    expect(summarize([link({})], false, now)).toBe('offline');
  });
});
