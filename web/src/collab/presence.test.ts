import { describe, expect, it } from 'vitest';
import { caretUser, colorFor, groupPresence, initials, parsePresence, PRESENCE_COLORS, presenceKey, safeColor, safeName } from './presence';

const kari = { id: 'u1', name: 'Kari Nordmann', color: '#b3261e', party: 'supplier' };
const ola = { id: 'u2', name: 'Ola Hansen', color: '#00639b', party: 'customer' };

describe('parsePresence', () => {
  it('accepts our shape and rejects what has no user id', () => {
    expect(parsePresence({ user: kari, section: 's1' })).toEqual({ user: kari, section: 's1' });
    expect(parsePresence(null)).toBeNull();
    expect(parsePresence({ section: 's1' })).toBeNull();
    expect(parsePresence({ user: { name: 'x' } })).toBeNull();
  });

  it('repairs odd fields instead of showing them', () => {
    const p = parsePresence({ user: { id: 5, name: '   ', color: 'red; background: url(x)', party: 'alien' }, section: {} })!;
    expect(p.user).toEqual({ id: '5', name: '?', color: colorFor('5'), party: 'supplier' });
    expect(p.section).toBeNull();
  });
});

describe('groupPresence', () => {
  it('merges rooms and tabs into one person each, and lists who is where', () => {
    const { people, bySection } = groupPresence([
      { state: { user: kari, section: 's1' }, self: true },
      { state: { user: kari, section: 's1' }, self: true },
      { state: { user: ola, section: 's2' }, self: false },
      { state: { user: ola, section: 's1' }, self: false },
      { state: { user: ola, section: null }, self: false },
      { state: { cursor: {} }, self: false },
      { state: 'garbage', self: false },
    ]);
    expect(people.map((p) => p.name)).toEqual(['Ola Hansen', 'Kari Nordmann']);
    expect(people[1]!.self).toBe(true);
    expect(people[0]!.sections).toEqual(['s2', 's1']);
    expect(bySection.get('s1')!.map((p) => p.id)).toEqual(['u2', 'u1']);
    expect(bySection.get('s2')!.map((p) => p.id)).toEqual(['u2']);
  });

  it('changes its key only when what is shown changes', () => {
    const a = groupPresence([{ state: { user: ola, section: 's1', cursor: { anchor: 1 } }, self: false }]);
    const b = groupPresence([{ state: { user: ola, section: 's1', cursor: { anchor: 9 } }, self: false }]);
    const c = groupPresence([{ state: { user: ola, section: 's2' }, self: false }]);
    expect(presenceKey(a)).toBe(presenceKey(b));
    expect(presenceKey(a)).not.toBe(presenceKey(c));
  });
});

describe('avatars', () => {
  it('gives stable colours and readable initials', () => {
    expect(colorFor('u1')).toBe(colorFor('u1'));
    expect(PRESENCE_COLORS).toContain(colorFor('anything'));
    expect(initials('Kari Nordmann')).toBe('KN');
    expect(initials('ola@nordlysfoods.example')).toBe('OE');
    expect(initials('Åse')).toBe('Å');
    expect(initials('  ')).toBe('?');
  });
});

describe('what a caret shows of another browser', () => {
  it('lets only plain hex colours into a style, and names only as capped text', () => {
    expect(caretUser({ id: 'u1', name: 'Kari', color: '#B3261E' })).toEqual({ name: 'Kari', color: '#B3261E' });
    expect(caretUser({ id: 'u1', name: 'Kari', color: '#abc' }).color).toBe('#aabbcc');
    for (const color of ['red; background-image: url(https://evil.example/x)', '#12345', 'var(--x)', '#abcdefg', 7, null]) {
      expect(caretUser({ id: 'u1', name: 'Kari', color }).color).toBe(colorFor('u1'));
    }
    expect(PRESENCE_COLORS).toContain(caretUser({ name: 'no id', color: 'url(x)' }).color);
    expect(caretUser({ name: 'x'.repeat(500) }).name).toHaveLength(80);
    expect(caretUser({ name: { toString: 'x' } }).name).toBe('?');
    expect(caretUser('garbage')).toEqual({ name: '?', color: colorFor('?') });
    expect(safeName('  <b>Ola</b>  ')).toBe('<b>Ola</b>');
    expect(safeColor('#ABC', 'k')).toBe('#AABBCC');
  });
});
