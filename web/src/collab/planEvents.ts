import { useEffect, useRef } from 'react';
import type { Id } from '../api/decode';

/** Event names on the plan's event stream after which the plan (sections, rights) is fetched again. */
export function changesRights(event: string): boolean {
  return event === 'access-revoked' || /^(plan|section|member)[.-]/.test(event);
}

const NAMES = [
  'access-revoked',
  'plan.updated',
  'plan.archived',
  'plan.unarchived',
  'section.created',
  'section.updated',
  'section.deleted',
  'section.reordered',
  'member.added',
  'member.updated',
  'member.removed',
];

/**
 * Fetches the plan again when the server says its structure or someone's rights changed
 * (`GET /api/plans/{id}/events`), and when the tab comes back into view, so a lock or a new
 * section shows up without anyone having to try an edit first.
 */
export function usePlanRefresh(planId: Id, reload: () => void) {
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  useEffect(() => {
    let timer: number | undefined;
    const soon = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => reloadRef.current(), 300);
    };
    let source: EventSource | null = null;
    if (typeof EventSource !== 'undefined') {
      source = new EventSource(`/api/plans/${encodeURIComponent(String(planId))}/events`);
      const onEvent = (event: MessageEvent) => {
        if (changesRights(event.type)) soon();
      };
      for (const name of NAMES) source.addEventListener(name, onEvent);
    }
    const onVisible = () => {
      if (document.visibilityState === 'visible') soon();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearTimeout(timer);
      source?.close();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [planId]);
}
