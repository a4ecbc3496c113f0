// Discussion, agreement, versions and notifications: the generated schema's shapes, named for
// the app. Only what the client derives itself (the goal content read out of a JSON object,
// thread counts keyed for lookup) is declared here.
import { isObject, str } from './decode';
import type { components } from './schema';
import type { Party } from './types';

type Schemas = components['schemas'];

export type PersonRef = Schemas['Person'];
export type Anchor = Schemas['AnchorIn'];
export type Comment = Schemas['CommentRead'];
export type ThreadVisibility = Schemas['ThreadRead']['visibility'];

/**
 * A thread as the server sends it. The server declares `anchor` as a JSON object and `party`
 * as a string; what it stores there is the `AnchorIn` it accepted and the author's party.
 */
export type Thread = Omit<Schemas['ThreadRead'], 'anchor' | 'party'> & { anchor: Anchor | null; party: Party };

export function toThread(read: Schemas['ThreadRead']): Thread {
  return { ...read, anchor: anchorOf(read.anchor), party: read.party === 'customer' ? 'customer' : 'supplier' };
}

function anchorOf(value: { [key: string]: unknown } | null): Anchor | null {
  if (!isObject(value) || typeof value.start !== 'string' || typeof value.end !== 'string') return null;
  return value as Anchor;
}

export type VoteCounts = Schemas['VoteCounts'];
export type Notification = Schemas['NotificationRead'];
export type NotificationList = Schemas['NotificationList'];
export type AgreementStatus = Schemas['AgreementRead']['status'];
export type Signature = Schemas['SignatureRead'] | Schemas['VersionSignatureRead'];
export type Agreement = Schemas['AgreementRead'];
export type VersionSummary = Schemas['VersionSummary'];
export type VersionDetail = Schemas['VersionRead'];
export type VersionSection = Schemas['VersionSectionRead'];
export type Change = Schemas['GoalComparison']['change'];
export type GoalComparison = Schemas['GoalComparison'];
export type Comparison = Schemas['VersionComparison'];

/** Open threads per section and per item (key: `${section_id}/${item_id}`), for lookup. */
export interface ThreadCounts {
  sections: Map<string, number>;
  items: Map<string, number>;
}

export function threadCounts(counts: Schemas['ThreadCounts']): ThreadCounts {
  return {
    sections: new Map(Object.entries(counts.sections)),
    items: new Map(counts.items.map((entry) => [`${entry.section_id}/${entry.item_id}`, entry.open])),
  };
}

/** A goal's fields as the agreement compares them; the server keeps them as a JSON object. */
export type GoalContent = {
  title: string;
  description: string;
  metric: string;
  target: string;
  due: string;
};

export function goalContent(value: { [key: string]: unknown } | null | undefined): GoalContent | null {
  if (!isObject(value)) return null;
  return {
    title: str(value.title),
    description: str(value.description),
    metric: str(value.metric),
    target: str(value.target),
    due: str(value.due),
  };
}
