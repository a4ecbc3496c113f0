import { useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Id } from '../api/decode';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage } from '../components/Feedback';
import type { PlanEventStream } from '../collab/planEvents';
import { useT } from '../i18n/I18nProvider';
import { decodeFollow, Follower, followApi, NOT_FOLLOWING, type FollowState } from './follow';
import { useAction } from '../lib/useAction';

export interface FollowControl {
  state: FollowState;
  leading: boolean;
  following: boolean;
  canLead: boolean;
  busy: boolean;
  error: unknown;
  lead: () => void;
  stopLeading: () => void;
  join: () => void;
  leave: () => void;
}

interface Options {
  planId: Id;
  events: PlanEventStream | null;
  /** The section on screen (null in the people view or before the plan has any). */
  currentId: string | null;
  canLead: boolean;
}

/**
 * Follow me for one open plan: the leader's moves are sent to the server, the participants'
 * screens open the section the leader opens, until they stop or navigate by hand.
 */
export function useFollow({ planId, events, currentId, canLead }: Options): FollowControl {
  const { user } = useAuth();
  const navigate = useNavigate();
  const meId = String(user?.id ?? '');
  const follower = useRef(new Follower(meId));
  const [state, setState] = useState<FollowState>(NOT_FOLLOWING);
  const stateRef = useRef(state);
  const currentRef = useRef(currentId);
  currentRef.current = currentId;
  const [following, setFollowing] = useState(false);
  // The leader's moves are sent in the background; their failure shows like a control's.
  const [moveError, setMoveError] = useState<unknown>(null);
  const action = useAction(() => setMoveError(null));

  const go = useCallback(
    (sectionId: string | null) => {
      if (sectionId) navigate({ search: `?section=${encodeURIComponent(sectionId)}` });
    },
    [navigate],
  );

  const apply = useCallback(
    (next: FollowState) => {
      const before = stateRef.current;
      stateRef.current = next;
      setState(next);
      go(follower.current.onState(before, next, currentRef.current));
      setFollowing(follower.current.following);
    },
    [go],
  );

  // Where the leader is now (for a screen opened late), then every change from the stream.
  useEffect(() => {
    const controller = new AbortController();
    followApi.get(planId, { signal: controller.signal }).then(apply, () => undefined);
    return () => controller.abort();
  }, [planId, apply]);
  useEffect(
    () =>
      events?.subscribe((type, data) => {
        if (type === 'follow.changed') apply(decodeFollow(data));
      }),
    [events, apply],
  );

  // A participant who opens another section by hand stops following.
  useEffect(() => {
    if (follower.current.onNavigated(currentId)) setFollowing(false);
  }, [currentId]);

  const leading = follower.current.isLeader(state);

  // The leader's every move goes to the server.
  const sentRef = useRef<string | null>(null);
  useEffect(() => {
    if (!leading || !currentId || sentRef.current === currentId || state.sectionId === currentId) return;
    sentRef.current = currentId;
    followApi.lead(planId, currentId).then(
      (next) => {
        setMoveError(null);
        apply(next);
      },
      (err) => {
        sentRef.current = null;
        setMoveError(err);
      },
    );
  }, [leading, currentId, planId, state.sectionId, apply]);

  const run = (call: () => Promise<FollowState | void>) => action.run(async () => apply((await call()) ?? NOT_FOLLOWING));

  return {
    state,
    leading,
    following,
    canLead,
    busy: action.busy,
    error: action.error ?? moveError,
    lead: () => {
      if (currentId) void run(() => followApi.lead(planId, currentId));
    },
    stopLeading: () => void run(() => followApi.stop(planId)),
    join: () => {
      go(follower.current.join(stateRef.current, currentRef.current));
      setFollowing(follower.current.following);
    },
    leave: () => {
      follower.current.stop();
      setFollowing(false);
    },
  };
}

/** "Follow me", in the plan header, for facilitators. */
export function FollowButton({ follow }: { follow: FollowControl }) {
  const t = useT();
  if (!follow.canLead || follow.leading) return null;
  return (
    <button
      type="button"
      className="button follow-button"
      onClick={follow.lead}
      disabled={follow.busy}
      title={t('follow.startHint')}
    >
      {t('follow.start')}
    </button>
  );
}

/** Says who leads and whether we follow; the way out (or back in) is one click. */
export function FollowBanner({ follow }: { follow: FollowControl }) {
  const t = useT();
  const { state } = follow;
  const name = state.leader?.name || t('follow.someone');
  if (!state.active && !follow.error) return null;
  return (
    <div className="follow-banner" role="status" aria-live="polite" data-testid="follow-banner">
      {follow.leading ? (
        <>
          <span className="follow-banner__text">
            <strong>{t('follow.youLead')}</strong> {t('follow.youLeadHint')}
          </span>
          <button type="button" className="button button--small" onClick={follow.stopLeading} disabled={follow.busy}>
            {t('follow.stopLeading')}
          </button>
        </>
      ) : state.active && follow.following ? (
        <>
          <span className="follow-banner__text">
            <strong>{t('follow.following', { name })}</strong>
            {state.hidden && <> {t('follow.hidden')}</>}
          </span>
          <button type="button" className="button button--small" onClick={follow.leave}>
            {t('follow.stop')}
          </button>
        </>
      ) : state.active ? (
        <>
          <span className="follow-banner__text">{t('follow.leads', { name })}</span>
          <button type="button" className="button button--small" onClick={follow.join}>
            {t('follow.join', { name })}
          </button>
        </>
      ) : null}
      <ErrorMessage error={follow.error} />
    </div>
  );
}
