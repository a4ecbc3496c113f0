// Section documents (Yjs) as plain view models, and the edits the UI makes to them.
// Documents can hold anything another client wrote: every read tolerates wrong types,
// missing fields and foreign keys, and counts the items it could not show.

import * as Y from 'yjs';
import { diffText } from './textDiff';

export const ACTIVITY_STATUSES = ['proposed', 'planned', 'in_progress', 'done', 'dropped'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

// Agreement is shown by sign-off (both parties' signatures), not by a status anyone can set.
export const GOAL_STATUSES = ['proposed', 'planned', 'in_progress', 'reached', 'dropped'] as const;

export const BUYING_ROLES = ['initiator', 'user', 'influencer', 'decider', 'buyer', 'gatekeeper'] as const;
export type BuyingRole = (typeof BUYING_ROLES)[number];

export const ATTITUDES = ['champion', 'supporter', 'neutral', 'sceptic', 'blocker'] as const;
export type Attitude = (typeof ATTITUDES)[number];

export const ITEM_PARTIES = ['supplier', 'customer'] as const;
export type ItemParty = (typeof ITEM_PARTIES)[number];

/** Fields stored as Y.Text, so that two people typing in the same title merge. */
export const TEXT_FIELDS = ['title', 'description', 'notes'] as const;

export interface ItemRef {
  id: string;
  /** The Y.Map behind the item, for editing. */
  map: Y.Map<unknown>;
}

export interface GoalView extends ItemRef {
  title: string;
  description: string;
  metric: string;
  target: string;
  due: string;
  status: string;
}

export interface ActivityView extends ItemRef {
  title: string;
  goal_id: string;
  owner: string;
  party: ItemParty | null;
  start: string;
  due: string;
  status: ActivityStatus | null;
  /** The stored status when it is not one we know, shown as-is. */
  rawStatus: string;
}

export interface StakeholderView extends ItemRef {
  name: string;
  job_title: string;
  buying_role: BuyingRole | null;
  attitude: Attitude | null;
  relationship_owner: string;
  notes: string;
}

export interface Snapshot<T> {
  items: T[];
  /** Entries that could not be shown: not a map, no id, a duplicate id, or unreadable. */
  skipped: number;
}

/** Any field value as display text: Y.Text and strings as they are, numbers printed, the rest empty. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Y.Text) return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return '';
}

function oneOfOrNull<T extends string>(value: unknown, allowed: readonly T[]): T | null {
  const text = textOf(value);
  return (allowed as readonly string[]).includes(text) ? (text as T) : null;
}

function readItems<T>(array: Y.Array<unknown>, decode: (map: Y.Map<unknown>, id: string) => T): Snapshot<T> {
  const items: T[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const entry of array.toArray()) {
    if (!(entry instanceof Y.Map)) {
      skipped++;
      continue;
    }
    const map = entry as Y.Map<unknown>;
    const id = map.get('id');
    if (typeof id !== 'string' || !id || seen.has(id)) {
      skipped++;
      continue;
    }
    try {
      items.push(decode(map, id));
      seen.add(id);
    } catch {
      skipped++;
    }
  }
  return { items, skipped };
}

export function readGoals(array: Y.Array<unknown>): Snapshot<GoalView> {
  return readItems(array, (map, id) => ({
    id,
    map,
    title: textOf(map.get('title')),
    description: textOf(map.get('description')),
    metric: textOf(map.get('metric')),
    target: textOf(map.get('target')),
    due: textOf(map.get('due')),
    status: textOf(map.get('status')),
  }));
}

export function readActivities(array: Y.Array<unknown>): Snapshot<ActivityView> {
  return readItems(array, (map, id) => {
    const rawStatus = textOf(map.get('status'));
    return {
      id,
      map,
      title: textOf(map.get('title')),
      goal_id: textOf(map.get('goal_id')),
      owner: textOf(map.get('owner')),
      party: oneOfOrNull(map.get('party'), ITEM_PARTIES),
      start: textOf(map.get('start')),
      due: textOf(map.get('due')),
      status: oneOfOrNull(rawStatus, ACTIVITY_STATUSES),
      rawStatus,
    };
  });
}

export function readStakeholders(array: Y.Array<unknown>): Snapshot<StakeholderView> {
  return readItems(array, (map, id) => ({
    id,
    map,
    name: textOf(map.get('name')),
    job_title: textOf(map.get('job_title')),
    buying_role: oneOfOrNull(map.get('buying_role'), BUYING_ROLES),
    attitude: oneOfOrNull(map.get('attitude'), ATTITUDES),
    relationship_owner: textOf(map.get('relationship_owner')),
    notes: textOf(map.get('notes')),
  }));
}

/** The `items` root of a list section, or null when the document holds something else there. */
export function itemsOf(doc: Y.Doc): Y.Array<unknown> | null {
  try {
    return doc.getArray<unknown>('items');
  } catch {
    return null;
  }
}

// ---- edits ------------------------------------------------------------------

function randomId(prefix: string): string {
  const bytes = new Uint8Array(8);
  // getRandomValues works on plain-http LAN addresses too, unlike randomUUID.
  crypto.getRandomValues(bytes);
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function newItemId(kind: 'goals' | 'activities' | 'stakeholders'): string {
  return randomId(kind === 'goals' ? 'g' : kind === 'activities' ? 'a' : 'p');
}

/** Appends an item; text fields become Y.Text. Returns its id. */
export function addItem(
  array: Y.Array<unknown>,
  kind: 'goals' | 'activities' | 'stakeholders',
  fields: Record<string, string>,
): string {
  const id = newItemId(kind);
  const map = new Y.Map<unknown>();
  map.set('id', id);
  for (const [key, value] of Object.entries(fields)) {
    map.set(key, (TEXT_FIELDS as readonly string[]).includes(key) ? new Y.Text(value) : value);
  }
  array.push([map]);
  return id;
}

/** Sets a text field with the smallest edit, turning a plain string field into Y.Text. */
export function editText(map: Y.Map<unknown>, field: string, next: string) {
  const current = map.get(field);
  if (current instanceof Y.Text) {
    const change = diffText(current.toString(), next);
    if (!change) return;
    const doc = current.doc;
    const apply = () => {
      if (change.remove) current.delete(change.index, change.remove);
      if (change.insert) current.insert(change.index, change.insert);
    };
    if (doc) doc.transact(apply);
    else apply();
    return;
  }
  if (textOf(current) === next && current !== undefined) return;
  map.set(field, new Y.Text(next));
}

export function setField(map: Y.Map<unknown>, field: string, value: string) {
  if (map.get(field) === value) return;
  map.set(field, value);
}

function indexOfId(array: Y.Array<unknown>, id: string): number {
  return array.toArray().findIndex((entry) => entry instanceof Y.Map && entry.get('id') === id);
}

export function deleteItem(array: Y.Array<unknown>, id: string): boolean {
  const index = indexOfId(array, id);
  if (index < 0) return false;
  array.delete(index, 1);
  return true;
}

/**
 * Moves an item by `offset` places among the items that are shown (skipped entries stay
 * where they are). Yjs arrays cannot move, so the item is copied and the original deleted
 * in one transaction.
 */
export function moveItem(array: Y.Array<unknown>, id: string, offset: number): boolean {
  const entries = array.toArray();
  const from = indexOfId(array, id);
  if (from < 0 || offset === 0) return false;
  const shown = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry instanceof Y.Map && typeof entry.get('id') === 'string');
  const pos = shown.findIndex((s) => s.index === from);
  const targetPos = pos + offset;
  if (targetPos < 0 || targetPos >= shown.length) return false;
  const target = shown[targetPos]!.index;
  const copy = (entries[from] as Y.Map<unknown>).clone();
  const run = () => {
    if (target > from) {
      array.insert(target + 1, [copy]);
      array.delete(from, 1);
    } else {
      array.delete(from, 1);
      array.insert(target, [copy]);
    }
  };
  if (array.doc) array.doc.transact(run);
  else run();
  return true;
}
