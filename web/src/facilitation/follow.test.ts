import { describe, expect, it } from 'vitest';
import { decodeFollow, Follower, NOT_FOLLOWING, startsSession, type FollowState } from './follow';

const kari = { id: 'k', name: 'Kari' };
const at = (sectionId: string | null, hidden = false): FollowState => ({ active: true, leader: kari, sectionId, hidden });

describe('decodeFollow', () => {
  it('reads the state and events', () => {
    expect(decodeFollow({ active: true, leader: kari, section_id: 's1', hidden: false })).toEqual(at('s1'));
    expect(decodeFollow({ active: false })).toEqual(NOT_FOLLOWING);
    expect(decodeFollow(null)).toEqual(NOT_FOLLOWING);
    expect(decodeFollow('odd')).toEqual(NOT_FOLLOWING);
  });

  it('never keeps a section id when the section is hidden', () => {
    expect(decodeFollow({ active: true, leader: kari, section_id: 's9', hidden: true })).toEqual(at(null, true));
  });

  it('survives odd leaders', () => {
    expect(decodeFollow({ active: true, leader: 'x', section_id: 3 }).leader).toBeNull();
  });
});

describe('Follower', () => {
  it('joins when a session starts and goes where the leader goes', () => {
    const f = new Follower('me');
    expect(f.onState(NOT_FOLLOWING, at('s2'), 's1')).toBe('s2');
    expect(f.onNavigated('s2')).toBe(false);
    expect(f.onState(at('s2'), at('s3'), 's2')).toBe('s3');
    expect(f.following).toBe(true);
  });

  it('stays put when the leader is somewhere it cannot see', () => {
    const f = new Follower('me');
    expect(f.onState(NOT_FOLLOWING, at(null, true), 's1')).toBeNull();
    expect(f.following).toBe(true);
    expect(f.onState(at(null, true), at('s4'), 's1')).toBe('s4');
  });

  it('stops when the user navigates by hand', () => {
    const f = new Follower('me');
    f.onState(NOT_FOLLOWING, at('s2'), 's1');
    f.onNavigated('s2');
    expect(f.onNavigated('s5')).toBe(true);
    expect(f.following).toBe(false);
    expect(f.onState(at('s2'), at('s3'), 's5')).toBeNull();
  });

  it('does not take two quick moves for a manual one', () => {
    const f = new Follower('me');
    f.onState(NOT_FOLLOWING, at('s2'), 's1');
    f.onState(at('s2'), at('s3'), 's1');
    expect(f.onNavigated('s2')).toBe(false);
    expect(f.onNavigated('s3')).toBe(false);
    expect(f.following).toBe(true);
    expect(f.onNavigated('s1')).toBe(true);
  });

  it('can join again by hand, and a new session joins again', () => {
    const f = new Follower('me');
    f.onState(NOT_FOLLOWING, at('s2'), 's1');
    f.stop();
    expect(f.join(at('s2'), 's1')).toBe('s2');
    f.stop();
    expect(f.onState(at('s2'), NOT_FOLLOWING, 's1')).toBeNull();
    expect(f.onState(NOT_FOLLOWING, at('s3'), 's1')).toBe('s3');
  });

  it('does not follow itself', () => {
    const f = new Follower('k');
    expect(f.onState(NOT_FOLLOWING, at('s2'), 's1')).toBeNull();
    expect(f.following).toBe(false);
  });

  it('knows a session starts on a new leader', () => {
    expect(startsSession(at('s1'), { ...at('s1'), leader: { id: 'b', name: 'B' } })).toBe(true);
    expect(startsSession(at('s1'), at('s2'))).toBe(false);
  });
});
