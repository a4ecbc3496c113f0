import { describe, expect, it } from 'vitest';
import type { Member } from '../api/types';
import { unconfirmed } from './PeoplePanel';

const cora: Member = {
  id: 'm1',
  user: { id: 'u1', name: 'Cora', email: 'cora@example.com' },
  party: 'customer',
  role: 'editor',
  signatory: false,
  created_at: '2026-12-01T09:00:00Z',
  invited_by: null,
  role_options: [],
  can_set_signatory: false,
  can_remove: false,
};

describe('a member row keeps what was asked until the server shows it', () => {
  it('drops a change the server confirmed and keeps one still on its way', () => {
    // The role change came back; the signatory change, asked right after, has not yet.
    const asked = { role: 'commenter' as const, signatory: true };
    expect(unconfirmed(asked, { ...cora, role: 'commenter' })).toEqual({ signatory: true });
  });

  it('keeps everything while the list still shows the old values', () => {
    const asked = { role: 'commenter' as const };
    expect(unconfirmed(asked, cora)).toBe(asked);
  });

  it('is empty once every change is confirmed', () => {
    expect(unconfirmed({ signatory: true }, { ...cora, signatory: true })).toEqual({});
  });
});
