import { describe, expect, it } from 'vitest';
import type { Agreement, GoalComparison, GoalContent, Signature } from '../api/discussion';
import type { Section } from '../api/types';
import { changedFields, countStatuses, effectiveStatus, goalFromJson, groupByHorizon, isStale, mySigning, signingByParty, sortComparison } from './logic';

const text = (over: Partial<GoalContent> = {}): GoalContent => ({ title: 'Fibre trays', description: 'Why', metric: 'Share', target: '40 %', due: '2027-06-30', ...over });
const sig = (user: string, party: 'supplier' | 'customer', hash: string): Signature => ({ id: `${user}-${hash}`, signer: { id: user, name: user }, party, hash, signed_at: '2026-12-01T09:00:00Z' });
const agreement = (over: Partial<Agreement> = {}): Agreement => ({
  plan_id: 'p1',
  section_id: 's1',
  goal_id: 'g1',
  title: 'Fibre trays',
  status: 'pending',
  agreed_hash: null,
  current_hash: 'h1',
  agreed_content: null,
  current_content: text(),
  agreed_at: null,
  changed_at: null,
  changed_by: null,
  goal_deleted: false,
  reopened_at: null,
  reopen_reason: null,
  signatures: [],
  past_signatures: [],
  ...over,
});
const section = (id: string, horizon: Section['horizon'], position: number, kind: Section['kind'] = 'goals'): Section => ({
  id, key: '', title: `S${id}`, kind, horizon, owner: 'joint', visibility: 'shared', position, help: '', can_write: true, can_manage: false, can_delete: false, owner_options: [], visibility_options: [],
});

describe('changedFields', () => {
  it('names the fields whose text differs, Unicode-normalised', () => {
    expect(changedFields(text(), text({ target: '50 %' }))).toEqual(['target']);
    expect(changedFields(text({ title: 'Cafe\u0301' }), text({ title: 'Café' }))).toEqual([]);
    expect(changedFields(null, text())).toHaveLength(5);
    expect(changedFields(null, null)).toEqual([]);
  });
});

describe('effectiveStatus', () => {
  const agreed = agreement({ status: 'agreed', agreed_hash: 'h1', agreed_content: text() });
  it('is pending without an agreement', () => {
    expect(effectiveStatus(undefined, text())).toBe('pending');
    expect(effectiveStatus(agreement(), text())).toBe('pending');
  });
  it('turns changed as soon as the live text leaves the agreed text', () => {
    expect(effectiveStatus(agreed, text())).toBe('agreed');
    expect(effectiveStatus(agreed, text({ description: 'Other' }))).toBe('changed');
  });
  it('is agreed again when the text is put back', () => {
    expect(effectiveStatus({ ...agreed, status: 'changed', current_content: text({ title: 'Other' }) }, text())).toBe('agreed');
  });
  it('trusts the server once it has seen the live text', () => {
    const odd = { ...agreed, agreed_content: text({ due: '2027-06-30T00:00' }) };
    expect(effectiveStatus(odd, text())).toBe('agreed');
  });
  it('trusts the server without live text', () => {
    expect(effectiveStatus({ ...agreed, status: 'changed' }, null)).toBe('changed');
  });
});

describe('isStale', () => {
  it('asks again when the live text differs from what the server last sent', () => {
    expect(isStale(agreement(), text())).toBe(false);
    expect(isStale(agreement(), text({ title: 'New' }))).toBe(true);
    expect(isStale(undefined, text())).toBe(true);
    expect(isStale(agreement(), null)).toBe(false);
  });
});

describe('signing', () => {
  it('splits signatures per party into the current text and earlier texts', () => {
    const a = agreement({ signatures: [sig('sven', 'supplier', 'h1'), sig('cora', 'customer', 'h0')] });
    const [supplier, customer] = signingByParty(a, 'pending');
    expect(supplier?.current.map((s) => s.signer.id)).toEqual(['sven']);
    expect(customer?.current).toEqual([]);
    expect(customer?.earlier.map((s) => s.signer.id)).toEqual(['cora']);
  });
  it('counts signatures on the agreed text as current for a changed goal', () => {
    const a = agreement({ status: 'changed', agreed_hash: 'h0', current_hash: 'h2', signatures: [sig('sven', 'supplier', 'h0')] });
    expect(signingByParty(a, 'changed')[0]?.current).toHaveLength(1);
  });
  it('asks for a reason only when my signature is part of the agreement', () => {
    const a = agreement({ status: 'agreed', agreed_hash: 'h1', signatures: [sig('sven', 'supplier', 'h1'), sig('cora', 'customer', 'h1')] });
    expect(mySigning(a, 'sven', 'agreed')).toMatchObject({ signedCurrent: true, needsReason: true });
    expect(mySigning(agreement({ signatures: [sig('sven', 'supplier', 'h1')] }), 'sven', 'pending')).toMatchObject({ signedCurrent: true, needsReason: false });
    expect(mySigning(a, 'ola', 'agreed')).toMatchObject({ mine: null, signedCurrent: false, needsReason: false });
  });
  it('offers to sign again once the goal changed', () => {
    const a = agreement({ status: 'agreed', agreed_hash: 'h1', signatures: [sig('sven', 'supplier', 'h1')] });
    expect(mySigning(a, 'sven', 'changed').signedCurrent).toBe(false);
  });
});

describe('groupByHorizon', () => {
  it('groups goals per horizon in section order, with counts, and leaves out what cannot be read', () => {
    const sections = [section('3', 'operative', 3), section('1', 'strategic', 1), section('2', 'tactical', 2), section('9', null, 9, 'text')];
    const list = [
      agreement({ section_id: '3', goal_id: 'a', status: 'agreed' }),
      agreement({ section_id: '1', goal_id: 'b', status: 'changed' }),
      agreement({ section_id: '1', goal_id: 'c' }),
      agreement({ section_id: '7', goal_id: 'hidden' }),
      agreement({ section_id: '3', goal_id: 'gone', goal_deleted: true }),
    ];
    const groups = groupByHorizon(sections, list);
    expect(groups.map((g) => g.horizon)).toEqual(['strategic', 'tactical', 'operative']);
    expect(groups[0]?.goals.map((g) => g.agreement.goal_id)).toEqual(['b', 'c']);
    expect(groups[0]?.counts).toEqual({ total: 2, agreed: 0, pending: 1, changed: 1 });
    expect(groups[1]?.goals).toEqual([]);
    expect(groups[2]?.counts.agreed).toBe(1);
  });
  it('adds a group for goal sections without a horizon only when it has goals', () => {
    const groups = groupByHorizon([section('5', null, 1)], [agreement({ section_id: '5' })]);
    expect(groups.at(-1)?.horizon).toBeNull();
    expect(groups.at(-1)?.goals).toHaveLength(1);
  });
});

describe('comparison and frozen content', () => {
  it('puts differing goals first', () => {
    const g = (goal_id: string, change: GoalComparison['change']): GoalComparison => ({ goal_id, title: goal_id, change, fields: [], before: null, after: null });
    expect(sortComparison([g('u', 'unchanged'), g('a', 'added'), g('c', 'changed'), g('r', 'removed')]).map((x) => x.goal_id)).toEqual(['c', 'a', 'r', 'u']);
  });
  it('reads a frozen goal forgivingly', () => {
    expect(goalFromJson({ id: 'g', title: 'T', target: 5 })).toMatchObject({ id: 'g', title: 'T', target: '5', due: '' });
    expect(goalFromJson({ title: 'no id' })).toBeNull();
    expect(goalFromJson('x')).toBeNull();
  });
  it('counts statuses', () => {
    expect(countStatuses(['agreed', 'agreed', 'pending'])).toEqual({ total: 3, agreed: 2, pending: 1, changed: 0 });
  });
});
