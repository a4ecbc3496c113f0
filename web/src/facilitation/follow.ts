// Follow me: a facilitator leads; participants' screens open the section the leader opens.
// The server never names a section the reader cannot see: then `hidden` is true and
// `sectionId` null, and the participant stays where they are.

import { api, call } from '../api/client';
import { bool, isObject, obj, str, strOrNull, type Id } from '../api/decode';
import type { components } from '../api/schema';

export type FollowLeader = components['schemas']['Person'];

export interface FollowState {
  active: boolean;
  leader: FollowLeader | null;
  sectionId: string | null;
  hidden: boolean;
}

export const NOT_FOLLOWING: FollowState = { active: false, leader: null, sectionId: null, hidden: false };

/** From `GET /follow` and from `follow.changed` events alike (both use `section_id`). */
export function decodeFollow(raw: unknown): FollowState {
  const data = obj(raw);
  if (!bool(data.active)) return NOT_FOLLOWING;
  const leader = isObject(data.leader) ? { id: str(data.leader.id), name: str(data.leader.name) } : null;
  const hidden = bool(data.hidden);
  return { active: true, leader, hidden, sectionId: hidden ? null : strOrNull(data.section_id) };
}

const params = (planId: Id) => ({ params: { path: { plan_id: String(planId) } } });

export const followApi = {
  async get(planId: Id, { signal }: { signal?: AbortSignal } = {}) {
    return decodeFollow(await call(api.GET('/api/plans/{plan_id}/follow', { ...params(planId), signal })));
  },
  async lead(planId: Id, sectionId: Id) {
    return decodeFollow(
      await call(api.PUT('/api/plans/{plan_id}/follow', { ...params(planId), body: { section_id: String(sectionId) } })),
    );
  },
  async stop(planId: Id) {
    await call(api.DELETE('/api/plans/{plan_id}/follow', params(planId)));
  },
};

/** Whether a new state starts a session the participant should join (again). */
export function startsSession(before: FollowState, after: FollowState): boolean {
  return after.active && (!before.active || before.leader?.id !== after.leader?.id);
}

/**
 * The participant's side as a small state machine, kept free of React so it can be tested:
 * where to go when the leader moves, and whether a change of section was the user's own.
 */
export class Follower {
  following = false;
  private requested = new Set<string>();
  private latest: string | null = null;

  constructor(private readonly meId: string) {}

  isLeader(state: FollowState): boolean {
    return state.active && state.leader !== null && state.leader.id === this.meId;
  }

  /** A new server state; returns the section to open, if any. */
  onState(before: FollowState, after: FollowState, current: string | null): string | null {
    if (!after.active || this.isLeader(after)) {
      this.stop();
      return null;
    }
    if (startsSession(before, after)) this.following = true;
    return this.following ? this.target(after, current) : null;
  }

  /** Joins (again) by hand; returns the section to open, if any. */
  join(state: FollowState, current: string | null): string | null {
    if (!state.active || this.isLeader(state)) return null;
    this.following = true;
    return this.target(state, current);
  }

  private target(state: FollowState, current: string | null): string | null {
    if (state.hidden || state.sectionId === null || state.sectionId === current) return null;
    this.requested.add(state.sectionId);
    this.latest = state.sectionId;
    return state.sectionId;
  }

  /** The open section changed; true when that was the user's doing and following stopped. */
  onNavigated(current: string | null): boolean {
    if (!this.following) return false;
    if (current !== null && this.requested.has(current)) {
      // Arrived where we were sent (or on the way there, when the leader moved twice quickly).
      if (current === this.latest) this.requested.clear();
      return false;
    }
    if (this.requested.size > 0 && current === null) return false;
    this.stop();
    return true;
  }

  stop() {
    this.following = false;
    this.latest = null;
    this.requested.clear();
  }
}
