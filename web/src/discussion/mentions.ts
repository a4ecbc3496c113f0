// Mentions in comment bodies: `@[Name](user:ID)`. Pure functions, unit-tested.
import type { Member, Party, Visibility } from '../api/types';

export interface MentionQuery {
  /** Index of the "@" that starts the mention being typed. */
  at: number;
  query: string;
}

/** The mention being typed just before the caret, if any ("@Ka" → {at, query: "Ka"}). */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const match = /(^|[\s(])@([^\s@()[\]]{0,30}(?: [^\s@()[\]]{0,30})?)$/u.exec(before);
  if (!match) return null;
  const at = before.length - match[2]!.length - 1;
  return { at, query: match[2]! };
}

export interface Audience {
  /** The section's visibility: an internal section is read by one party only. */
  sectionVisibility: Visibility;
  /** An internal thread is read by its author's party only. */
  threadVisibility: 'shared' | 'internal' | null;
  myParty: Party;
}

/** Whether a member of `party` may read a thread with this audience. */
export function canRead(party: Party, audience: Audience): boolean {
  if (audience.sectionVisibility !== 'shared' && audience.sectionVisibility !== `${party}-only`) return false;
  if (audience.threadVisibility !== 'shared' && party !== audience.myParty) return false;
  return true;
}

/** Members who can read the thread and whose name or email matches the query, best first. */
export function mentionCandidates(members: readonly Member[], audience: Audience, query: string, selfId?: string, max = 6): Member[] {
  const q = query.trim().toLocaleLowerCase();
  return members
    .filter((m) => canRead(m.party, audience) && String(m.user.id) !== selfId)
    .map((m) => {
      const name = (m.user.name || m.user.email).toLocaleLowerCase();
      const words = name.split(/\s+/);
      const rank = !q ? 1 : name.startsWith(q) ? 0 : words.some((w) => w.startsWith(q)) ? 1 : m.user.email.toLocaleLowerCase().startsWith(q) ? 2 : name.includes(q) ? 3 : -1;
      return { m, rank };
    })
    .filter((x) => x.rank >= 0)
    .sort((a, b) => a.rank - b.rank || (a.m.user.name || '').localeCompare(b.m.user.name || ''))
    .slice(0, max)
    .map((x) => x.m);
}

/** Replaces the typed "@query" with the mention markup; returns the new text and caret. */
export function insertMention(text: string, caret: number, q: MentionQuery, member: Pick<Member, 'user'>): { text: string; caret: number } {
  const name = (member.user.name || member.user.email).replace(/[[\]\n]/g, ' ').slice(0, 100);
  const markup = `@[${name}](user:${member.user.id}) `;
  const next = text.slice(0, q.at) + markup + text.slice(caret);
  return { text: next, caret: q.at + markup.length };
}

/** The ids of everyone mentioned in a body. */
export function mentionedIds(body: string): string[] {
  return [...new Set([...body.matchAll(/@\[[^\]\n]{1,100}\]\(user:([0-9a-zA-Z-]+)\)/g)].map((m) => m[1]!))];
}

/**
 * Who to suggest while the thread's visibility is not chosen yet: whoever could read it under
 * some choice (a shared thread reaches the most). Mentions outside the final choice are
 * flagged before posting (`unreachedMentions`).
 */
export function suggestionAudience(audience: Audience): Audience {
  return audience.threadVisibility === null ? { ...audience, threadVisibility: 'shared' } : audience;
}

/** Members mentioned in `body` who could not read the thread under `audience` (never notified). */
export function unreachedMentions(body: string, members: readonly Member[], audience: Audience): Member[] {
  const ids = new Set(mentionedIds(body));
  return members.filter((m) => ids.has(String(m.user.id)) && !canRead(m.party, audience));
}

/** "@Word" typed but never chosen from the list: plain text that notifies nobody. */
export function deadMentions(body: string): string[] {
  const plain = body.replace(/@\[[^\]\n]{1,100}\]\(user:[0-9a-zA-Z-]+\)/g, ' ');
  return [...new Set([...plain.matchAll(/(?:^|[\s(])(@[^\s@()[\]]+)/gu)].map((m) => m[1]!))];
}
