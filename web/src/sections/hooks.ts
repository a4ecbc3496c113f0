import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import type { Member, PlanDetail, Section } from '../api/types';
import type { PlanLinks } from '../collab/pool';
import { itemsOf, type Snapshot } from '../content/model';

export interface PlanContextValue {
  plan: PlanDetail;
  links: PlanLinks;
  members: Member[];
  /** Writable as far as we know now: the plan says so and the server has not refused us since. */
  canWrite: (section: Section) => boolean;
}

export const PlanContext = createContext<PlanContextValue | null>(null);

export function usePlanContext(): PlanContextValue {
  const value = useContext(PlanContext);
  if (!value) throw new Error('usePlanContext must be used inside <PlanContext.Provider>');
  return value;
}

/** Re-renders on any change of the plan's live connections (status, presence, refusals). */
export function useLinksVersion(links: PlanLinks): number {
  return useSyncExternalStore(links.subscribe, links.getVersion);
}

/** Bumps whenever anything inside the array changes, local or remote. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
export function useYVersion(type: Y.AbstractType<any> | null): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!type) return;
    const bump = () => setVersion((v) => v + 1);
    type.observeDeep(bump);
    bump();
    return () => type.unobserveDeep(bump);
  }, [type]);
  return version;
}

/** The list section's items as view models, kept current. */
export function useItems<T>(doc: Y.Doc, read: (array: Y.Array<unknown>) => Snapshot<T>) {
  const array = useMemo(() => itemsOf(doc), [doc]);
  const version = useYVersion(array);
  const snapshot = useMemo(() => (array ? read(array) : null), [array, version, read]);
  return { array, snapshot };
}

export function useOnline(): boolean {
  const [online, setOnline] = useState(() => (typeof navigator === 'undefined' ? true : navigator.onLine));
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** The current time, refreshed every `ms` while `active`. */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [active, ms]);
  return now;
}
