// Pure agreement logic for the workshop screens: what a card shows, what a signatory may do,
// and how the plan-level overview and a version comparison are grouped.
import { goalContent, type Agreement, type AgreementStatus, type GoalComparison, type GoalContent, type Signature } from '../api/discussion';
import { str } from '../api/decode';
import type { Horizon, Party, Section } from '../api/types';

export const GOAL_FIELDS = ['title', 'description', 'metric', 'target', 'due'] as const;
export type GoalField = (typeof GOAL_FIELDS)[number];

export const HORIZON_ORDER: readonly Horizon[] = ['strategic', 'tactical', 'operative'];

const norm = (value: unknown) => (typeof value === 'string' ? value.normalize('NFC') : '');

/** The signed fields whose text differs between two contents (all of them if one is missing). */
export function changedFields(a: GoalContent | null, b: GoalContent | null): GoalField[] {
  if (!a || !b) return a === b ? [] : [...GOAL_FIELDS];
  return GOAL_FIELDS.filter((f) => norm(a[f]) !== norm(b[f]));
}

export function sameContent(a: GoalContent | null, b: GoalContent | null): boolean {
  return changedFields(a, b).length === 0;
}

/**
 * The status a card shows. The server decides, but the card already holds the live text:
 * an agreed goal whose live text no longer matches what was signed is changed at once, on
 * every screen that has the document, without waiting for the next fetch.
 */
export function effectiveStatus(agreement: Agreement | undefined, live: GoalContent | null): AgreementStatus {
  if (!agreement) return 'pending';
  const agreed = goalContent(agreement.agreed_content);
  if (!agreement.agreed_hash || !agreed) return agreement.status === 'changed' ? 'changed' : 'pending';
  // The server has seen this very text: its word stands.
  if (!live || sameContent(goalContent(agreement.current_content), live)) return agreement.status;
  return sameContent(agreed, live) ? 'agreed' : 'changed';
}

/** The live text differs from what the server last told us: time to ask again. */
export function isStale(agreement: Agreement | undefined, live: GoalContent | null): boolean {
  if (!live) return false;
  if (!agreement) return true;
  return !sameContent(goalContent(agreement.current_content), live);
}

export interface PartySigning {
  party: Party;
  /** Active signatures on the text as it is now. */
  current: Signature[];
  /** Active signatures on an earlier text (the goal changed after they signed). */
  earlier: Signature[];
}

/** Who signed, per party; for a changed goal, "current" means the agreed text. */
export function signingByParty(agreement: Agreement | undefined, status: AgreementStatus): PartySigning[] {
  const parties: Party[] = ['supplier', 'customer'];
  const reference = status === 'changed' ? agreement?.agreed_hash : agreement?.current_hash;
  return parties.map((party) => {
    const mine = (agreement?.signatures ?? []).filter((s) => s.party === party);
    return {
      party,
      current: mine.filter((s) => !reference || s.hash === reference),
      earlier: mine.filter((s) => reference && s.hash !== reference),
    };
  });
}

export interface MySigning {
  mine: Signature | null;
  /** My signature covers the text as it is now. */
  signedCurrent: boolean;
  /** Withdrawing ends an agreement: the server asks for a reason. */
  needsReason: boolean;
}

export function mySigning(agreement: Agreement | undefined, userId: string, status: AgreementStatus): MySigning {
  const mine = (agreement?.signatures ?? []).filter((s) => s.signer.id === userId);
  const current = agreement?.current_hash ?? null;
  const signedCurrent = status !== 'changed' && mine.some((s) => current !== null && s.hash === current);
  const agreedHash = agreement?.agreed_hash ?? null;
  const needsReason = agreedHash !== null && mine.some((s) => s.hash === agreedHash);
  return { mine: mine[0] ?? null, signedCurrent, needsReason };
}

export interface StatusCounts {
  total: number;
  agreed: number;
  pending: number;
  changed: number;
}

export function countStatuses(statuses: readonly AgreementStatus[]): StatusCounts {
  const counts: StatusCounts = { total: statuses.length, agreed: 0, pending: 0, changed: 0 };
  for (const s of statuses) counts[s] += 1;
  return counts;
}

export interface OverviewGoal {
  agreement: Agreement;
  section: Section;
}

export interface HorizonGroup {
  horizon: Horizon | null;
  counts: StatusCounts;
  goals: OverviewGoal[];
}

/**
 * Goals per horizon (strategic, tactical, operative, then goal sections without a horizon),
 * in section order and, within a section, in the server's order. Goals that were deleted and
 * never agreed are left out; sections the caller cannot read never appear.
 */
export function groupByHorizon(sections: readonly Section[], agreements: readonly Agreement[]): HorizonGroup[] {
  const goalSections = sections.filter((s) => s.kind === 'goals').slice().sort((a, b) => a.position - b.position);
  const byId = new Map(goalSections.map((s) => [String(s.id), s]));
  const order = new Map(goalSections.map((s, i) => [String(s.id), i]));
  const goals: OverviewGoal[] = [];
  agreements.forEach((agreement) => {
    const section = byId.get(agreement.section_id);
    if (!section) return;
    if (agreement.goal_deleted && !agreement.agreed_hash) return;
    goals.push({ agreement, section });
  });
  goals.sort((a, b) => (order.get(String(a.section.id)) ?? 0) - (order.get(String(b.section.id)) ?? 0));
  const horizons: (Horizon | null)[] = [...HORIZON_ORDER, null];
  return horizons
    .map((horizon) => {
      const inGroup = goals.filter((g) => (HORIZON_ORDER.includes(g.section.horizon as Horizon) ? g.section.horizon : null) === horizon);
      return { horizon, goals: inGroup, counts: countStatuses(inGroup.map((g) => g.agreement.status)) };
    })
    .filter((g) => g.horizon !== null || g.goals.length > 0);
}

/** Changed, added and removed goals first (in that order), unchanged ones last. */
export function sortComparison(goals: readonly GoalComparison[]): GoalComparison[] {
  const rank = { changed: 0, added: 1, removed: 2, unchanged: 3 } as const;
  return goals
    .map((g, i) => ({ g, i }))
    .sort((a, b) => rank[a.g.change] - rank[b.g.change] || a.i - b.i)
    .map(({ g }) => g);
}

/** A goal's text from a version's frozen JSON content. */
export function goalFromJson(value: unknown): (GoalContent & { id: string; status: string }) | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const content = goalContent(o);
  if (!content || !str(o.id)) return null;
  return { ...content, id: str(o.id), status: str(o.status) };
}
