// Who is where, from the awareness states of a plan's section rooms. Pure functions: the
// states come from other people's browsers, so every field is checked before it is shown.

import type { Party } from '../api/types';

export interface PresenceUser {
  id: string;
  name: string;
  color: string;
  party: Party;
}

/** What each browser publishes in every section room it has open. */
export interface LocalPresence {
  user: PresenceUser;
  /** The section the person is looking at, or null when that section is internal to their party. */
  section: string | null;
}

export interface Person extends PresenceUser {
  /** Sections the person is in now (several when they have the plan open in two tabs). */
  sections: string[];
  self: boolean;
}

export interface PlanPresence {
  people: Person[];
  bySection: Map<string, Person[]>;
}

/** Readable on white and distinct from each other; the party shows as the avatar's ring. */
export const PRESENCE_COLORS = [
  '#b3261e',
  '#8a4baf',
  '#00639b',
  '#006e1c',
  '#a05a00',
  '#c2185b',
  '#00695c',
  '#5c5f00',
  '#3949ab',
  '#6d4c41',
] as const;

export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return PRESENCE_COLORS[hash % PRESENCE_COLORS.length]!;
}

export function initials(name: string): string {
  const words = name.trim().split(/[\s@._-]+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...words[0]!][0] ?? '';
  const last = words.length > 1 ? ([...words[words.length - 1]!][0] ?? '') : '';
  return (first + last).toLocaleUpperCase();
}

const COLOR_RE = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const NAME_MAX = 80;

/**
 * A colour from another browser if it is a plain `#rgb` or `#rrggbb` (returned as `#rrggbb`,
 * so that an alpha suffix can be added), else the palette's colour for `key`.
 */
export function safeColor(value: unknown, key: string): string {
  if (typeof value !== 'string' || !COLOR_RE.test(value)) return colorFor(key);
  return value.length === 4 ? `#${[...value.slice(1)].map((c) => c + c).join('')}` : value;
}

/** A name from another browser, trimmed and capped; shown as text only. */
export function safeName(value: unknown): string {
  return typeof value === 'string' && value.trim() ? [...value.trim()].slice(0, NAME_MAX).join('') : '?';
}

/** What a caret shows of a peer's `user` field: a checked name and colour, nothing else. */
export function caretUser(user: unknown): { name: string; color: string } {
  const u = typeof user === 'object' && user !== null ? (user as Record<string, unknown>) : {};
  const key = typeof u.id === 'string' || typeof u.id === 'number' ? String(u.id) : safeName(u.name);
  return { name: safeName(u.name), color: safeColor(u.color, key) };
}

/** A peer's awareness state as a presence, or null when it does not carry a usable user. */
export function parsePresence(state: unknown): LocalPresence | null {
  if (typeof state !== 'object' || state === null) return null;
  const { user, section } = state as { user?: unknown; section?: unknown };
  if (typeof user !== 'object' || user === null) return null;
  const u = user as Record<string, unknown>;
  const id = typeof u.id === 'string' || typeof u.id === 'number' ? String(u.id) : '';
  if (!id) return null;
  const name = safeName(u.name);
  const party: Party = u.party === 'customer' ? 'customer' : 'supplier';
  const color = safeColor(u.color, id);
  return {
    user: { id, name, color, party },
    section: typeof section === 'string' || typeof section === 'number' ? String(section) : null,
  };
}

export interface AwarenessEntry {
  state: unknown;
  /** True for this browser's own awareness client. */
  self: boolean;
}

/**
 * Merges the awareness states of all open rooms into one list of people (one entry per user,
 * however many rooms and tabs they have) and who is in which section. Sorted by name, with
 * the current user last so "who else is here" reads first.
 */
export function groupPresence(entries: Iterable<AwarenessEntry>): PlanPresence {
  const byUser = new Map<string, Person>();
  for (const entry of entries) {
    const presence = parsePresence(entry.state);
    if (!presence) continue;
    const { user, section } = presence;
    let person = byUser.get(user.id);
    if (!person) {
      person = { ...user, sections: [], self: entry.self };
      byUser.set(user.id, person);
    }
    person.self ||= entry.self;
    if (section && !person.sections.includes(section)) person.sections.push(section);
  }
  const people = [...byUser.values()].sort(
    (a, b) => Number(a.self) - Number(b.self) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
  const bySection = new Map<string, Person[]>();
  for (const person of people) {
    for (const section of person.sections) {
      const list = bySection.get(section) ?? [];
      list.push(person);
      bySection.set(section, list);
    }
  }
  return { people, bySection };
}

/** A stable key of what the presence UI shows, to skip re-rendering on cursor-only changes. */
export function presenceKey(presence: PlanPresence): string {
  return presence.people.map((p) => `${p.id}:${p.name}:${p.color}:${p.party}:${p.self}:${p.sections.join(',')}`).join('|');
}
