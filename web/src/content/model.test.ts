import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addItem, deleteItem, editText, moveItem, readActivities, readGoals, readStakeholders, textOf } from './model';

function itemsDoc() {
  const doc = new Y.Doc();
  return { doc, items: doc.getArray<unknown>('items') };
}

function map(fields: Record<string, unknown>) {
  const m = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(fields)) m.set(k, v);
  return m;
}

describe('reading list sections', () => {
  it('maps goals with Y.Text and plain fields', () => {
    const { items } = itemsDoc();
    items.push([map({ id: 'g1', title: new Y.Text('Fibre trays'), description: new Y.Text('Why'), metric: 'Share', target: '100 %', due: '2030-12-31', status: 'proposed' })]);
    const { items: goals, skipped } = readGoals(items);
    expect(skipped).toBe(0);
    expect(goals).toHaveLength(1);
    expect(goals[0]).toMatchObject({ id: 'g1', title: 'Fibre trays', description: 'Why', metric: 'Share', target: '100 %', due: '2030-12-31', status: 'proposed' });
  });

  it('skips what it cannot show and counts it, keeping the rest', () => {
    const { items } = itemsDoc();
    items.push([
      'a string, not an item',
      42,
      map({ title: new Y.Text('no id') }),
      map({ id: '', title: 'empty id' }),
      map({ id: 7, title: 'numeric id' }),
      map({ id: 'g1', title: 'first' }),
      map({ id: 'g1', title: 'duplicate id' }),
      new Y.Array(),
      map({ id: 'g2', title: 12, metric: { nested: true }, due: null, status: ['x'] }),
    ]);
    const { items: goals, skipped } = readGoals(items);
    expect(goals.map((g) => g.id)).toEqual(['g1', 'g2']);
    expect(skipped).toBe(7);
    expect(goals[1]).toMatchObject({ title: '12', metric: '', due: '', status: '' });
  });

  it('keeps unknown activity statuses visible and drops unknown parties', () => {
    const { items } = itemsDoc();
    items.push([map({ id: 'a1', title: new Y.Text('Trial'), party: 'martians', status: 'someday', start: '2027-01-11' })]);
    const [activity] = readActivities(items).items;
    expect(activity).toMatchObject({ party: null, status: null, rawStatus: 'someday', start: '2027-01-11' });
  });

  it('maps stakeholders, ignoring unknown roles and attitudes', () => {
    const { items } = itemsDoc();
    items.push([
      map({ id: 'p1', name: 'Ingrid', buying_role: 'decider', attitude: 'champion', notes: new Y.Text('CEO') }),
      map({ id: 'p2', name: 'Tor', buying_role: 'boss', attitude: 'grumpy' }),
    ]);
    const { items: people } = readStakeholders(items);
    expect(people[0]).toMatchObject({ buying_role: 'decider', attitude: 'champion', notes: 'CEO' });
    expect(people[1]).toMatchObject({ buying_role: null, attitude: null });
  });

  it('reads any value as text without throwing', () => {
    expect(textOf(undefined)).toBe('');
    expect(textOf(null)).toBe('');
    expect(textOf(Number.NaN)).toBe('');
    expect(textOf(3)).toBe('3');
    expect(textOf({})).toBe('');
    expect(textOf(new Y.Map())).toBe('');
  });
});

describe('editing list sections', () => {
  it('adds items with an id and Y.Text text fields', () => {
    const { items } = itemsDoc();
    const id = addItem(items, 'goals', { title: 'New', metric: 'm' });
    expect(id).toMatch(/^g-[0-9a-f]{16}$/);
    const added = items.get(0) as Y.Map<unknown>;
    expect(added.get('title')).toBeInstanceOf(Y.Text);
    expect(added.get('metric')).toBe('m');
  });

  it('edits Y.Text minimally and upgrades plain strings to Y.Text', () => {
    const { doc, items } = itemsDoc();
    items.push([map({ id: 'g1', title: new Y.Text('Hello world'), description: 'plain' })]);
    const item = items.get(0) as Y.Map<unknown>;
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    editText(item, 'title', 'Hello brave world');
    expect((item.get('title') as Y.Text).toString()).toBe('Hello brave world');
    expect(updates).toHaveLength(1);
    editText(item, 'description', 'now text');
    expect(item.get('description')).toBeInstanceOf(Y.Text);
    expect(textOf(item.get('description'))).toBe('now text');
  });

  it('merges two people typing in the same title', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.getArray('items').push([map({ id: 'g1', title: new Y.Text('Trial') })]);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    editText(a.getArray('items').get(0) as Y.Map<unknown>, 'title', 'Line trial');
    editText(b.getArray('items').get(0) as Y.Map<unknown>, 'title', 'Trial passed');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(readGoals(a.getArray('items')).items[0]!.title).toBe('Line trial passed');
    expect(readGoals(b.getArray('items')).items[0]!.title).toBe('Line trial passed');
  });

  it('moves items among the shown ones, keeping their content, and deletes by id', () => {
    const { items } = itemsDoc();
    items.push([map({ id: 'a', title: new Y.Text('A') }), 'junk', map({ id: 'b', title: new Y.Text('B') }), map({ id: 'c', title: 'C' })]);
    expect(moveItem(items, 'c', -1)).toBe(true);
    expect(readGoals(items).items.map((g) => `${g.id}:${g.title}`)).toEqual(['a:A', 'c:C', 'b:B']);
    expect(moveItem(items, 'a', -1)).toBe(false);
    expect(moveItem(items, 'a', 2)).toBe(true);
    expect(readGoals(items).items.map((g) => g.id)).toEqual(['c', 'b', 'a']);
    expect(deleteItem(items, 'b')).toBe(true);
    expect(deleteItem(items, 'missing')).toBe(false);
    expect(readGoals(items)).toMatchObject({ skipped: 1 });
    expect(readGoals(items).items.map((g) => g.id)).toEqual(['c', 'a']);
  });
});
