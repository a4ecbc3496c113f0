import { describe, expect, it } from 'vitest';
import type { Member, Party } from '../api/types';
import { canRead, deadMentions, insertMention, mentionCandidates, mentionedIds, mentionQuery, suggestionAudience, unreachedMentions, type Audience } from './mentions';

const member = (id: string, name: string, party: Party): Member => ({
  id: `m${id}`,
  user: { id, name, email: `${name.toLowerCase()}@example.com` },
  party,
  role: 'editor',
  signatory: false,
  created_at: '2026-12-01T09:00:00Z',
  invited_by: null,
  role_options: [],
  can_set_signatory: false,
  can_remove: false,
});

const members = [member('1', 'Sven Dahl', 'supplier'), member('2', 'Cora Lie', 'customer'), member('3', 'Siri Berg', 'supplier')];
const shared: Audience = { sectionVisibility: 'shared', threadVisibility: 'shared', myParty: 'supplier' };

describe('mentions', () => {
  it('finds the mention being typed before the caret', () => {
    expect(mentionQuery('Ask @Co', 7)).toEqual({ at: 4, query: 'Co' });
    expect(mentionQuery('mail me@example.com', 19)).toBeNull();
    expect(mentionQuery('@', 1)).toEqual({ at: 0, query: '' });
  });

  it('offers only members who can read the thread', () => {
    const internal: Audience = { ...shared, threadVisibility: 'internal' };
    const undecided: Audience = { ...shared, threadVisibility: null };
    const supplierOnly: Audience = { sectionVisibility: 'supplier-only', threadVisibility: 'shared', myParty: 'supplier' };
    expect(canRead('customer', shared)).toBe(true);
    expect(canRead('customer', internal)).toBe(false);
    expect(canRead('customer', undecided)).toBe(false);
    expect(canRead('customer', supplierOnly)).toBe(false);
    expect(mentionCandidates(members, internal, '', '1').map((m) => m.user.name)).toEqual(['Siri Berg']);
    expect(mentionCandidates(members, shared, 'co', '1').map((m) => m.user.name)).toEqual(['Cora Lie']);
    expect(mentionCandidates(members, supplierOnly, 'co')).toEqual([]);
  });

  it('ranks name starts before word starts and leaves me out', () => {
    expect(mentionCandidates(members, shared, 'b', '1').map((m) => m.user.name)).toEqual(['Siri Berg']);
    expect(mentionCandidates(members, shared, 's', '1').map((m) => m.user.name)).toEqual(['Siri Berg']);
    expect(mentionCandidates(members, shared, 's').map((m) => m.user.name)).toEqual(['Siri Berg', 'Sven Dahl']);
  });

  it('inserts the markup and reads the ids back', () => {
    const text = 'Ask @Co please';
    const next = insertMention(text, 7, { at: 4, query: 'Co' }, members[1]!);
    expect(next.text).toBe('Ask @[Cora Lie](user:2)  please');
    expect(next.caret).toBe('Ask @[Cora Lie](user:2) '.length);
    expect(mentionedIds(`${next.text} and @[Sven Dahl](user:1) @[Cora Lie](user:2)`)).toEqual(['2', '1']);
  });
});

describe('mentions in any order', () => {
  const undecided: Audience = { sectionVisibility: 'shared', threadVisibility: null, myParty: 'supplier' };
  const internal: Audience = { ...undecided, threadVisibility: 'internal' };

  it('offers the other party before the visibility is chosen', () => {
    expect(mentionCandidates(members, suggestionAudience(undecided), 'Co', '1').map((m) => m.user.name)).toEqual(['Cora Lie']);
    // Chosen internal: the customer is not offered any more.
    expect(mentionCandidates(members, suggestionAudience(internal), 'Co', '1')).toEqual([]);
    // An internal section stays internal whatever the thread's choice.
    const ownOnly: Audience = { ...undecided, sectionVisibility: 'supplier-only' };
    expect(mentionCandidates(members, suggestionAudience(ownOnly), 'Co', '1')).toEqual([]);
  });

  it('flags mentions the choice would exclude', () => {
    const body = 'Over to @[Cora Lie](user:2) and @[Siri Berg](user:3)';
    expect(unreachedMentions(body, members, internal).map((m) => m.user.name)).toEqual(['Cora Lie']);
    expect(unreachedMentions(body, members, shared)).toEqual([]);
  });

  it('finds "@name" typed but never chosen', () => {
    expect(deadMentions('Ask @Ing about it')).toEqual(['@Ing']);
    expect(deadMentions('Over to @[Cora Lie](user:2), mail cora@example.com')).toEqual([]);
    expect(deadMentions('@Ing and (@Ola)')).toEqual(['@Ing', '@Ola']);
  });
});
