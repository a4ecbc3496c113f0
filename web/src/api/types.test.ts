import { describe, expect, it } from 'vitest';
import { decodeInvitationPreview, decodePlanDetail, decodePlanSummary } from './types';
import { items } from './decode';

describe('decoders', () => {
  it('decode a well-formed plan', () => {
    const plan = decodePlanDetail({
      id: 'p1',
      title: 'Nordic Foods',
      supplier_name: 'Acme',
      customer_name: 'Nordic',
      language: 'nb',
      archived_at: null,
      my_membership: { id: 3, party: 'customer', role: 'facilitator', signatory: true },
      sections: [
        {
          id: 10,
          key: 'goals_strategic',
          title: 'Strategic goals',
          kind: 'goals',
          horizon: 'strategic',
          owner: 'joint',
          visibility: 'shared',
          position: 2,
          help: 'Where do we want to be?',
          can_write: true,
        },
      ],
    });
    expect(plan.language).toBe('nb');
    expect(plan.my_membership).toEqual({ id: 3, party: 'customer', role: 'facilitator', signatory: true });
    expect(plan.sections[0]).toMatchObject({ id: 10, horizon: 'strategic', can_write: true });
  });

  it('never throw on junk, and fall back to least privilege', () => {
    const plan = decodePlanDetail({ sections: [null, 'x', { id: 1, owner: 'mars', can_write: 'yes' }], my_membership: { role: 'god' } });
    expect(plan.title).toBe('');
    expect(plan.my_membership?.role).toBe('viewer');
    expect(plan.sections).toHaveLength(1);
    expect(plan.sections[0]).toMatchObject({ owner: 'joint', can_write: false, visibility: 'shared' });
    expect(decodePlanDetail(undefined).sections).toEqual([]);
    expect(items({ items: 'nope' }, decodePlanSummary)).toEqual([]);
    expect(decodePlanSummary({ title: 'T' })?.my_membership).toBeNull();
  });

  it('accept invited_by as a name or a user object', () => {
    expect(decodeInvitationPreview({ invited_by: 'Kari' }).invited_by).toBe('Kari');
    expect(decodeInvitationPreview({ invited_by: { id: 1, name: 'Ola' } }).invited_by).toBe('Ola');
  });
});
