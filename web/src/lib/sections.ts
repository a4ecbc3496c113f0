import { HORIZONS, type Horizon, type Party, type Section } from '../api/types';

export const GROUP_IDS = ['analysis', 'goals', 'strategies', 'action_plan', 'buying_center', 'other'] as const;
export type GroupId = (typeof GROUP_IDS)[number];

export interface NavSubgroup {
  /** Set only inside the goals group; null holds goals without a horizon. */
  horizon: Horizon | null;
  sections: Section[];
}

export interface NavGroup {
  id: GroupId;
  subgroups: NavSubgroup[];
}

/** Which navigator group a section belongs to, following the key-account plan's structure. */
export function groupOf(section: Pick<Section, 'key' | 'kind'>): GroupId {
  const key = section.key ?? '';
  if (key.startsWith('strategy_')) return 'strategies';
  if (section.kind === 'text' && (key === 'analysis' || key.startsWith('analysis_'))) return 'analysis';
  if (section.kind === 'goals') return 'goals';
  if (section.kind === 'activities') return 'action_plan';
  if (section.kind === 'stakeholders') return 'buying_center';
  return 'other';
}

const byPosition = (a: Section, b: Section) => a.position - b.position;

/**
 * Groups sections for the navigator: fixed group order, empty groups left out, sections
 * ordered by position; goals are split by horizon (strategic → tactical → operative,
 * then any without one).
 */
export function groupSections(sections: readonly Section[]): NavGroup[] {
  const buckets = new Map<GroupId, Section[]>();
  for (const section of sections) {
    const group = groupOf(section);
    const bucket = buckets.get(group) ?? [];
    bucket.push(section);
    buckets.set(group, bucket);
  }
  const groups: NavGroup[] = [];
  for (const id of GROUP_IDS) {
    const bucket = buckets.get(id);
    if (!bucket?.length) continue;
    const sorted = [...bucket].sort(byPosition);
    if (id !== 'goals') {
      groups.push({ id, subgroups: [{ horizon: null, sections: sorted }] });
      continue;
    }
    const subgroups: NavSubgroup[] = [];
    for (const horizon of [...HORIZONS, null]) {
      const inHorizon = sorted.filter((s) => s.horizon === horizon);
      if (inHorizon.length) subgroups.push({ horizon, sections: inHorizon });
    }
    groups.push({ id, subgroups });
  }
  return groups;
}

/** Sections in navigator order, for keyboard stepping and picking a default. */
export function navigatorOrder(groups: readonly NavGroup[]): Section[] {
  return groups.flatMap((g) => g.subgroups.flatMap((sg) => sg.sections));
}

/** The party a section is internal to, or null when both parties may read it. */
export function internalTo(section: Pick<Section, 'visibility'>): Party | null {
  if (section.visibility === 'supplier-only') return 'supplier';
  if (section.visibility === 'customer-only') return 'customer';
  return null;
}
