import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import type { Agreement } from '../api/discussion';
import { agreements as agreementsApi } from '../api/endpoints';
import type { PlanDetail } from '../api/types';
import { usePlanEvent } from '../collab/planEvents';
import { useResource } from '../lib/useResource';

export interface AgreementsValue {
  plan: PlanDetail;
  list: Agreement[];
  byGoal: Map<string, Agreement>;
  loading: boolean;
  error: unknown;
  reload: () => void;
  /** Puts the server's answer to a sign or withdraw on screen before the next fetch. */
  upsert: (agreement: Agreement) => void;
}

const AgreementsContext = createContext<AgreementsValue | null>(null);

export const goalKey = (sectionId: unknown, goalId: string) => `${String(sectionId)}/${goalId}`;

/** Null outside a plan page (for example in component tests of a goals section). */
export function useAgreements(): AgreementsValue | null {
  return useContext(AgreementsContext);
}

/**
 * Every goal's agreement in the open plan, fetched once and again whenever the plan's event
 * stream says an agreement changed (a signature, a withdrawal, an edit to an agreed goal).
 */
export function AgreementsProvider({ plan, children }: { plan: PlanDetail; children: ReactNode }) {
  const res = useResource((signal) => agreementsApi.list(plan.id, { signal }), [plan.id]);
  usePlanEvent((type) => type === 'agreement.changed' || type.startsWith('section.'), res.reload, 100);
  const { data, set } = res;

  const upsert = useCallback(
    (next: Agreement) => {
      const current = data ?? [];
      const key = goalKey(next.section_id, next.goal_id);
      const found = current.some((a) => goalKey(a.section_id, a.goal_id) === key);
      set(found ? current.map((a) => (goalKey(a.section_id, a.goal_id) === key ? next : a)) : [...current, next]);
    },
    [data, set],
  );

  const value = useMemo<AgreementsValue>(() => {
    const list = data ?? [];
    return {
      plan,
      list,
      byGoal: new Map(list.map((a) => [goalKey(a.section_id, a.goal_id), a])),
      loading: res.status === 'loading',
      error: res.status === 'error' ? res.error : null,
      reload: res.reload,
      upsert,
    };
  }, [plan, data, res.status, res.error, res.reload, upsert]);
  return <AgreementsContext.Provider value={value}>{children}</AgreementsContext.Provider>;
}
