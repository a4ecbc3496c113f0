import { describe, expect, it } from 'vitest';
import { conform, MisfitResponse } from './conform';

const section = {
  id: 's1', key: 'goals_strategic', title: 'Strategic goals', kind: 'goals', horizon: 'strategic', owner: 'joint',
  visibility: 'shared', position: 2, help: 'Where do we want to be?', can_write: true, can_manage: false, can_delete: false,
  owner_options: [], visibility_options: [],
};
const plan = {
  id: 'p1', title: 'Nordic Foods', supplier_name: 'Acme', customer_name: 'Nordic', language: 'nb',
  created_at: '2026-12-01T09:00:00Z', updated_at: '2026-12-01T09:00:00Z', archived_at: null, member_count: 3,
  my_membership: { id: 'm3', plan_id: 'p1', party: 'customer', role: 'facilitator', signatory: true },
  sections: [section],
};

describe('responses held to their schema', () => {
  it('pass a well-formed response through unchanged', () => {
    expect(conform(plan, '/api/plans/{plan_id}', 'GET', 200)).toEqual(plan);
  });

  it('drop list entries that do not fit, and fields the schema does not declare', () => {
    const odd = { ...plan, extra: 'x', sections: [null, 'x', { ...section, owner: 'mars' }, { ...section, id: 's2', secret: 1 }] };
    const fitted = conform(odd, '/api/plans/{plan_id}', 'GET', 200) as typeof plan;
    expect(fitted.sections).toEqual([{ ...section, id: 's2' }]);
    expect(fitted).not.toHaveProperty('extra');
  });

  it('set a nullable field that does not fit to null', () => {
    const fitted = conform({ ...plan, archived_at: 7 }, '/api/plans/{plan_id}', 'GET', 200) as typeof plan;
    expect(fitted.archived_at).toBeNull();
  });

  it('reject a response that lacks what the screen needs, rather than show half of it', () => {
    expect(() => conform({ ...plan, my_membership: { role: 'god' } }, '/api/plans/{plan_id}', 'GET', 200)).toThrow(MisfitResponse);
    expect(() => conform(undefined, '/api/plans/{plan_id}', 'GET', 200)).toThrow(MisfitResponse);
    expect(() => conform({ items: 'nope' }, '/api/plans', 'GET', 200)).toThrow(MisfitResponse);
  });

  it('leave bodies the schema does not describe alone', () => {
    expect(conform({ anything: 1 }, '/api/unknown', 'GET', 200)).toEqual({ anything: 1 });
  });
});
