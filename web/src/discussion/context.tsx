import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Anchor, Thread, ThreadCounts } from '../api/discussion';
import { threads as threadsApi, votes as votesApi } from '../api/endpoints';
import type { PlanDetail } from '../api/types';
import { changesRights, PlanEventsContext, usePlanEvent } from '../collab/planEvents';
import { useResource } from '../lib/useResource';
import { VotesCache } from './votes';

/** What a new comment is about: a section, one item in it, or a range of its text. */
export interface CommentTarget {
  sectionId: string;
  itemId: string | null;
  itemLabel: string | null;
  range: Anchor | null;
}

export interface DiscussionValue {
  counts: ThreadCounts | null;
  canComment: boolean;
  panelOpen: boolean;
  setPanelOpen: (open: boolean) => void;
  target: CommentTarget | null;
  /** Opens the comments panel on a target. */
  openComments: (target: CommentTarget) => void;
  /** The thread whose anchor is highlighted in the text. */
  activeThread: Thread | null;
  setActiveThread: (thread: Thread | null) => void;
  /** A thread to bring into view in the panel (from a notification). */
  focusThreadId: string | null;
  setFocusThreadId: (id: string | null) => void;
  votes: VotesCache;
}

export const DiscussionContext = createContext<DiscussionValue | null>(null);

export function useDiscussion(): DiscussionValue | null {
  return useContext(DiscussionContext);
}

const isThreadEvent = (type: string) => type.startsWith('thread.') || type.startsWith('comment.');

export function DiscussionProvider({ plan, children }: { plan: PlanDetail; children: ReactNode }) {
  const countsRes = useResource((signal) => threadsApi.counts(plan.id, { signal }), [plan.id]);
  usePlanEvent(isThreadEvent, countsRes.reload);

  const [panelOpen, setPanelOpen] = useState(false);
  const [target, setTarget] = useState<CommentTarget | null>(null);
  const [activeThread, setActiveThread] = useState<Thread | null>(null);
  const [focusThreadId, setFocusThreadId] = useState<string | null>(null);

  const votes = useMemo(() => new VotesCache((sectionId) => votesApi.list(plan.id, sectionId)), [plan.id]);
  const stream = useContext(PlanEventsContext);
  useEffect(
    () =>
      stream?.subscribe((type, data) => {
        if (type !== 'vote.changed') return;
        const sectionId = String(data.section_id ?? '');
        const itemId = String(data.item_id ?? '');
        if (!sectionId || !itemId) return;
        // The event carries the counts but not whether I am among them: apply, then ask.
        const counts = data.counts && typeof data.counts === 'object' ? (data.counts as Record<string, number>) : {};
        votes.apply(sectionId, itemId, counts);
        void votes.reload(sectionId);
      }),
    [stream, votes],
  );
  // What I may read can change with my rights; and a tab in the background may have missed things.
  const { reload: reloadCounts } = countsRes;
  usePlanEvent(changesRights, () => {
    reloadCounts();
    votes.reloadAll();
  }, 300);
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      reloadCounts();
      votes.reloadAll();
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    };
  }, [reloadCounts, votes]);

  const openComments = useCallback((next: CommentTarget) => {
    setTarget(next);
    setActiveThread(null);
    setPanelOpen(true);
  }, []);

  const value = useMemo<DiscussionValue>(
    () => ({
      counts: countsRes.data ?? null,
      canComment: (plan.my_membership?.role ?? 'viewer') !== 'viewer' && !plan.archived_at,
      panelOpen,
      setPanelOpen,
      target,
      openComments,
      activeThread,
      setActiveThread,
      focusThreadId,
      setFocusThreadId,
      votes,
    }),
    [countsRes.data, plan.my_membership?.role, plan.archived_at, panelOpen, target, openComments, activeThread, focusThreadId, votes],
  );
  return <DiscussionContext.Provider value={value}>{children}</DiscussionContext.Provider>;
}
