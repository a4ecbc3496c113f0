// Types and forgiving decoders for discussion, agreement, versions and notifications.
import { bool, id, isObject, list, num, obj, oneOf, str, strOrNull, type Id } from './decode';
import { PARTIES, type Party } from './types';

export interface PersonRef {
  id: string;
  name: string;
}

export interface Anchor {
  start: string;
  end: string;
  quote: string;
  field: string | null;
}

export interface Comment {
  id: string;
  author: PersonRef;
  body: string;
  html: string;
  mentions: string[];
  created_at: string | null;
  edited_at: string | null;
  deleted: boolean;
}

export type ThreadVisibility = 'shared' | 'internal';

export interface Thread {
  id: string;
  section_id: string;
  item_id: string | null;
  anchor: Anchor | null;
  detached: boolean;
  current_quote: string | null;
  visibility: ThreadVisibility;
  party: Party;
  status: 'open' | 'resolved';
  author: PersonRef;
  created_at: string | null;
  resolved_by: PersonRef | null;
  comments: Comment[];
}

export interface ThreadCounts {
  sections: Map<string, number>;
  /** key: `${section_id}/${item_id}` */
  items: Map<string, number>;
}

export interface VoteCounts {
  section_id: string;
  item_id: string;
  counts: Record<Party, number>;
  mine: boolean;
}

export interface Notification {
  id: string;
  plan_id: string;
  plan_title: string;
  kind: string;
  thread_id: string;
  actor: PersonRef | null;
  excerpt: string;
  created_at: string | null;
  read_at: string | null;
}

export const AGREEMENT_STATUSES = ['pending', 'agreed', 'changed'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export interface Signature {
  id: string;
  signer: PersonRef;
  party: Party;
  hash: string;
  signed_at: string | null;
}

export interface GoalContent {
  title: string;
  description: string;
  metric: string;
  target: string;
  due: string;
}

export interface Agreement {
  section_id: string;
  goal_id: string;
  title: string;
  status: AgreementStatus;
  agreed_hash: string | null;
  current_hash: string | null;
  agreed: GoalContent | null;
  current: GoalContent | null;
  agreed_at: string | null;
  changed_at: string | null;
  changed_by: PersonRef | null;
  goal_deleted: boolean;
  signatures: Signature[];
}

export interface VersionSummary {
  id: string;
  name: string;
  created_at: string | null;
  created_by: PersonRef;
  hash: string;
  status: 'pending' | 'agreed';
  signatures: Signature[];
}

export interface VersionSection {
  section_id: string;
  key: string;
  title: string;
  kind: string;
  horizon: string | null;
  visibility: string;
  content: Record<string, unknown>;
  agreements: { goal_id: string; status: AgreementStatus }[];
}

export interface VersionDetail extends VersionSummary {
  sections: VersionSection[];
}

export type Change = 'added' | 'removed' | 'changed' | 'unchanged';
const CHANGES = ['added', 'removed', 'changed', 'unchanged'] as const;

export interface GoalComparison {
  goal_id: string;
  title: string;
  change: Change;
  fields: string[];
  before: GoalContent | null;
  after: GoalContent | null;
  before_status: AgreementStatus | null;
  after_status: AgreementStatus | null;
}

export interface Comparison {
  goals: GoalComparison[];
  sections: { section_id: string; title: string; change: Change }[];
}

const sid = (value: unknown) => String(id(value));

export function decodePerson(value: unknown): PersonRef | null {
  if (!isObject(value)) return null;
  return { id: sid(value.id), name: str(value.name) };
}

function person(value: unknown): PersonRef {
  return decodePerson(value) ?? { id: '', name: '' };
}

export function decodeComment(value: unknown): Comment | null {
  if (!isObject(value)) return null;
  return {
    id: sid(value.id),
    author: person(value.author),
    body: str(value.body),
    html: str(value.html),
    mentions: list(value.mentions, (m) => (typeof m === 'string' ? m : null)),
    created_at: strOrNull(value.created_at),
    edited_at: strOrNull(value.edited_at),
    deleted: bool(value.deleted),
  };
}

function decodeAnchor(value: unknown): Anchor | null {
  if (!isObject(value)) return null;
  const start = str(value.start);
  const end = str(value.end);
  if (!start || !end) return null;
  return { start, end, quote: str(value.quote), field: strOrNull(value.field) };
}

export function decodeThread(value: unknown): Thread | null {
  if (!isObject(value) || !value.id) return null;
  const state = obj(value.anchor_state);
  return {
    id: sid(value.id),
    section_id: sid(value.section_id),
    item_id: strOrNull(value.item_id),
    anchor: decodeAnchor(value.anchor),
    detached: bool(state.detached),
    current_quote: strOrNull(state.quote),
    visibility: value.visibility === 'internal' ? 'internal' : 'shared',
    party: oneOf(value.party, PARTIES, 'supplier'),
    status: value.status === 'resolved' ? 'resolved' : 'open',
    author: person(value.author),
    created_at: strOrNull(value.created_at),
    resolved_by: decodePerson(value.resolved_by),
    comments: list(value.comments, decodeComment),
  };
}

export function decodeThreadCounts(value: unknown): ThreadCounts {
  const o = obj(value);
  const sections = new Map<string, number>();
  for (const [k, v] of Object.entries(obj(o.sections))) sections.set(k, num(v));
  const items = new Map<string, number>();
  for (const entry of list(o.items, (e) => (isObject(e) ? e : null))) {
    items.set(`${str(entry.section_id)}/${str(entry.item_id)}`, num(entry.open));
  }
  return { sections, items };
}

export function decodeVotes(value: unknown): VoteCounts | null {
  if (!isObject(value)) return null;
  const counts = obj(value.counts);
  return {
    section_id: sid(value.section_id),
    item_id: str(value.item_id),
    counts: { supplier: num(counts.supplier), customer: num(counts.customer) },
    mine: bool(value.mine),
  };
}

export function decodeNotification(value: unknown): Notification | null {
  if (!isObject(value)) return null;
  return {
    id: sid(value.id),
    plan_id: sid(value.plan_id),
    plan_title: str(value.plan_title),
    kind: str(value.kind),
    thread_id: sid(value.thread_id),
    actor: decodePerson(value.actor),
    excerpt: str(value.excerpt),
    created_at: strOrNull(value.created_at),
    read_at: strOrNull(value.read_at),
  };
}

export function decodeGoalContent(value: unknown): GoalContent | null {
  if (!isObject(value)) return null;
  return {
    title: str(value.title),
    description: str(value.description),
    metric: str(value.metric),
    target: str(value.target),
    due: str(value.due),
  };
}

export function decodeSignature(value: unknown): Signature | null {
  if (!isObject(value)) return null;
  return {
    id: sid(value.id),
    signer: person(value.signer ?? { id: value.user_id, name: value.name }),
    party: oneOf(value.party, PARTIES, 'supplier'),
    hash: str(value.hash),
    signed_at: strOrNull(value.signed_at),
  };
}

export function decodeAgreement(value: unknown): Agreement | null {
  if (!isObject(value) || !value.goal_id) return null;
  return {
    section_id: sid(value.section_id),
    goal_id: str(value.goal_id),
    title: str(value.title),
    status: oneOf(value.status, AGREEMENT_STATUSES, 'pending'),
    agreed_hash: strOrNull(value.agreed_hash),
    current_hash: strOrNull(value.current_hash),
    agreed: decodeGoalContent(value.agreed_content),
    current: decodeGoalContent(value.current_content),
    agreed_at: strOrNull(value.agreed_at),
    changed_at: strOrNull(value.changed_at),
    changed_by: decodePerson(value.changed_by),
    goal_deleted: bool(value.goal_deleted),
    signatures: list(value.signatures, decodeSignature),
  };
}

export function decodeVersionSummary(value: unknown): VersionSummary | null {
  if (!isObject(value) || !value.id) return null;
  return {
    id: sid(value.id),
    name: str(value.name),
    created_at: strOrNull(value.created_at),
    created_by: person(value.created_by),
    hash: str(value.hash),
    status: value.status === 'agreed' ? 'agreed' : 'pending',
    signatures: list(value.signatures, decodeSignature),
  };
}

export function decodeVersion(value: unknown): VersionDetail | null {
  const summary = decodeVersionSummary(value);
  if (!summary) return null;
  const sections = list(obj(value).sections, (s): VersionSection | null => {
    if (!isObject(s)) return null;
    return {
      section_id: sid(s.section_id),
      key: str(s.key),
      title: str(s.title),
      kind: str(s.kind),
      horizon: strOrNull(s.horizon),
      visibility: str(s.visibility, 'shared'),
      content: obj(s.content),
      agreements: list(s.agreements, (a) =>
        isObject(a) ? { goal_id: str(a.goal_id), status: oneOf(a.status, AGREEMENT_STATUSES, 'pending') } : null,
      ),
    };
  });
  return { ...summary, sections };
}

export function decodeComparison(value: unknown): Comparison {
  const o = obj(value);
  return {
    goals: list(o.goals, (g): GoalComparison | null => {
      if (!isObject(g)) return null;
      return {
        goal_id: str(g.goal_id),
        title: str(g.title),
        change: oneOf(g.change, CHANGES, 'unchanged'),
        fields: list(g.fields, (f) => (typeof f === 'string' ? f : null)),
        before: decodeGoalContent(obj(g.before).content),
        after: decodeGoalContent(obj(g.after).content),
        before_status: isObject(g.before) ? oneOf(g.before.status, AGREEMENT_STATUSES, 'pending') : null,
        after_status: isObject(g.after) ? oneOf(g.after.status, AGREEMENT_STATUSES, 'pending') : null,
      };
    }),
    sections: list(o.sections, (s) =>
      isObject(s) ? { section_id: sid(s.section_id), title: str(s.title), change: oneOf(s.change, CHANGES, 'unchanged') } : null,
    ),
  };
}

export type { Id };
