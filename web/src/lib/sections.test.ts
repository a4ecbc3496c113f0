import { describe, expect, it } from 'vitest';
import type { Section } from '../api/types';
import { groupOf, groupSections, internalTo, navigatorOrder } from './sections';

let nextId = 1;
function section(over: Partial<Section>): Section {
  return {
    id: String(nextId++),
    key: '',
    title: 'S',
    kind: 'text',
    horizon: null,
    owner: 'joint',
    visibility: 'shared',
    position: 0,
    help: '',
    can_write: true, can_manage: false, can_delete: false, owner_options: [], visibility_options: [],
    ...over,
  };
}

describe('groupOf', () => {
  it('follows the key-account plan structure', () => {
    expect(groupOf({ kind: 'text', key: 'analysis' })).toBe('analysis');
    expect(groupOf({ kind: 'goals', key: 'goals_strategic' })).toBe('goals');
    expect(groupOf({ kind: 'text', key: 'strategy_price' })).toBe('strategies');
    expect(groupOf({ kind: 'activities', key: 'action_plan' })).toBe('action_plan');
    expect(groupOf({ kind: 'stakeholders', key: 'buying_center' })).toBe('buying_center');
  });

  it('puts custom and unknown sections under Other', () => {
    expect(groupOf({ kind: 'text', key: '' })).toBe('other');
    expect(groupOf({ kind: 'text', key: 'notes' })).toBe('other');
    // A kind a newer server has and this app does not know yet.
    expect(groupOf({ kind: 'timeline' as Section['kind'], key: 'x' })).toBe('other');
  });

  it('lets the strategy_ key prefix win over the kind', () => {
    expect(groupOf({ kind: 'goals', key: 'strategy_product' })).toBe('strategies');
  });
});

describe('groupSections', () => {
  it('orders groups fixedly, drops empty ones and sorts by position', () => {
    const sections = [
      section({ kind: 'activities', key: 'action_plan', position: 9, title: 'Actions' }),
      section({ kind: 'text', key: 'strategy_service', position: 7, title: 'Service' }),
      section({ kind: 'text', key: 'strategy_price', position: 6, title: 'Price' }),
      section({ kind: 'text', key: 'analysis', position: 1, title: 'Analysis' }),
      section({ kind: 'text', key: '', position: 0, title: 'Custom' }),
    ];
    const groups = groupSections(sections);
    expect(groups.map((g) => g.id)).toEqual(['analysis', 'strategies', 'action_plan', 'other']);
    expect(groups[1]!.subgroups[0]!.sections.map((s) => s.title)).toEqual(['Price', 'Service']);
  });

  it('splits goals by horizon, strategic first, then those without a horizon', () => {
    const sections = [
      section({ kind: 'goals', horizon: 'operative', position: 5, title: 'Op' }),
      section({ kind: 'goals', horizon: null, position: 1, title: 'Loose' }),
      section({ kind: 'goals', horizon: 'strategic', position: 3, title: 'Strat' }),
      section({ kind: 'goals', horizon: 'tactical', position: 4, title: 'Tac' }),
    ];
    const [goals] = groupSections(sections);
    expect(goals!.id).toBe('goals');
    expect(goals!.subgroups.map((sg) => [sg.horizon, sg.sections.map((s) => s.title)])).toEqual([
      ['strategic', ['Strat']],
      ['tactical', ['Tac']],
      ['operative', ['Op']],
      [null, ['Loose']],
    ]);
    expect(navigatorOrder(groupSections(sections)).map((s) => s.title)).toEqual(['Strat', 'Tac', 'Op', 'Loose']);
  });

  it('returns no groups for no sections', () => {
    expect(groupSections([])).toEqual([]);
  });
});

describe('internalTo', () => {
  it('names the party an internal section belongs to', () => {
    expect(internalTo({ visibility: 'shared' })).toBeNull();
    expect(internalTo({ visibility: 'supplier-only' })).toBe('supplier');
    expect(internalTo({ visibility: 'customer-only' })).toBe('customer');
  });
});
