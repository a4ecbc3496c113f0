import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { Id } from '../api/decode';

/** Event names on the plan's event stream after which the plan (sections, rights) is fetched again. */
export function changesRights(event: string): boolean {
  return event === 'access-revoked' || /^(plan|section|member)[.-]/.test(event);
}

export const STRUCTURE_EVENTS = [
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

export const DISCUSSION_EVENTS = [
  'thread.created',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'thread.resolved',
  'thread.reopened',
  'vote.changed',
  'notification.created',
  'agreement.changed',
];

export const FACILITATION_EVENTS = ['follow.changed'];

/** Versions frozen and signed: the versions screen follows them live. */
export const VERSION_EVENTS = ['version.created', 'version.signed'];

export type PlanEventHandler = (type: string, data: Record<string, unknown>) => void;

/**
 * One EventSource per open plan (`GET /api/plans/{id}/events`), shared by everything on the
 * page that wants to hear about threads, votes, agreements or structure. The browser resumes
 * with Last-Event-ID after a drop, so nothing is missed.
 */
export class PlanEventStream {
  private handlers = new Set<PlanEventHandler>();
  private source: EventSource | null = null;

  constructor(planId: Id, makeSource?: (url: string) => EventSource) {
    const make = makeSource ?? (typeof EventSource === 'undefined' ? null : (url: string) => new EventSource(url));
    if (!make) return;
    this.source = make(`/api/plans/${encodeURIComponent(String(planId))}/events`);
    for (const name of [...STRUCTURE_EVENTS, ...DISCUSSION_EVENTS, ...FACILITATION_EVENTS, ...VERSION_EVENTS]) {
      this.source.addEventListener(name, (event) => this.dispatch(name, (event as MessageEvent).data));
    }
  }

  dispatch(type: string, raw: unknown) {
    let data: Record<string, unknown> = {};
    try {
      const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
    } catch {
      // A malformed frame still tells us something changed.
    }
    for (const handler of this.handlers) {
      try {
        handler(type, data);
      } catch (err) {
        console.error(err);
      }
    }
  }

  subscribe(handler: PlanEventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  close() {
    this.source?.close();
    this.handlers.clear();
  }
}

export const PlanEventsContext = createContext<PlanEventStream | null>(null);

export function usePlanEventStream(planId: Id): PlanEventStream | null {
  const [stream, setStream] = useState<PlanEventStream | null>(null);
  useEffect(() => {
    const created = new PlanEventStream(planId);
    setStream(created);
    return () => created.close();
  }, [planId]);
  return stream;
}

/** Calls `handler` (debounced by `delay` ms) for events whose type passes `filter`. */
export function usePlanEvent(filter: (type: string, data: Record<string, unknown>) => boolean, handler: () => void, delay = 150) {
  const stream = useContext(PlanEventsContext);
  const ref = useRef({ filter, handler });
  ref.current = { filter, handler };
  useEffect(() => {
    if (!stream) return;
    let timer: number | undefined;
    const off = stream.subscribe((type, data) => {
      if (!ref.current.filter(type, data)) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => ref.current.handler(), delay);
    });
    return () => {
      window.clearTimeout(timer);
      off();
    };
  }, [stream, delay]);
}

/** Anything that changes the notifications inbox, also outside the plan page. */
export const inboxSignal = new EventTarget();

/**
 * Fetches the plan again when the server says its structure or someone's rights changed,
 * and when the tab comes back into view, so a lock or a new section shows up without anyone
 * having to try an edit first.
 */
export function usePlanRefresh(stream: PlanEventStream | null, reload: () => void) {
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  useEffect(() => {
    let timer: number | undefined;
    const soon = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => reloadRef.current(), 300);
    };
    const off = stream?.subscribe((type) => {
      if (changesRights(type)) soon();
      if (type === 'notification.created') inboxSignal.dispatchEvent(new Event('changed'));
    });
    const onVisible = () => {
      if (document.visibilityState === 'visible') soon();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearTimeout(timer);
      off?.();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [stream]);
}
