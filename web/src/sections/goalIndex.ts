import { useEffect, useState } from 'react';
import type { Horizon, Section } from '../api/types';
import type { PlanLinks } from '../collab/pool';
import { itemsOf, readGoals } from '../content/model';

export interface GoalRef {
  id: string;
  title: string;
  horizon: Horizon | null;
  sectionTitle: string;
}

/**
 * Every goal in the goal sections the user can read, kept current, so that activities can
 * link to goals and the timeline can place them on a horizon.
 */
export function useGoalIndex(links: PlanLinks, sections: readonly Section[]): Map<string, GoalRef> {
  const [index, setIndex] = useState<Map<string, GoalRef>>(new Map());
  const goalSections = sections.filter((s) => s.kind === 'goals');
  // Re-subscribe only when the goal sections or their documents change, not on presence.
  const key = goalSections.map((s) => `${String(s.id)}:${s.horizon}:${s.title}:${links.get(s.id)?.doc.guid ?? ''}`).join('|');
  useEffect(() => {
    const arrays = goalSections.map((section) => {
      const doc = links.get(section.id)?.doc;
      return { section, array: doc ? itemsOf(doc) : null };
    });
    const rebuild = () => {
      const next = new Map<string, GoalRef>();
      for (const { section, array } of arrays) {
        if (!array) continue;
        for (const goal of readGoals(array).items) {
          if (!next.has(goal.id)) next.set(goal.id, { id: goal.id, title: goal.title, horizon: section.horizon, sectionTitle: section.title });
        }
      }
      setIndex(next);
    };
    rebuild();
    for (const { array } of arrays) array?.observeDeep(rebuild);
    return () => {
      for (const { array } of arrays) array?.unobserveDeep(rebuild);
    };
    // `key` stands for the goal sections and their documents (replaced when a link reopens).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [links, key]);
  return index;
}
