import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { sameId } from '../api/decode';
import { members as membersApi, plans as plansApi } from '../api/endpoints';
import type { Member, PlanDetail, Section } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { AddSectionForm, FirstStep } from '../components/AddSection';
import { AvatarStack } from '../components/Avatars';
import { ConnectionBadge } from '../components/ConnectionBadge';
import { ErrorMessage, Loading, Notice } from '../components/Feedback';
import { PeoplePanel } from '../components/PeoplePanel';
import { SectionNavigator } from '../components/SectionNavigator';
import { PlanEventsContext, usePlanEventStream, usePlanRefresh } from '../collab/planEvents';
import { DiscussionProvider } from '../discussion/context';
import { CommentsSide, SectionThreadBadge } from '../discussion/Workspace';
import { PlanLinks } from '../collab/pool';
import { colorFor, type PresenceUser } from '../collab/presence';
import { summarize } from '../collab/status';
import { useI18n, useT } from '../i18n/I18nProvider';
import { PlanContext, useLinksVersion, useNow, useOnline, type PlanContextValue } from '../sections/hooks';
import { SectionView } from '../sections/SectionView';
import { FollowBanner, FollowButton, useFollow } from '../facilitation/FollowMe';
import { OfflineBadge } from '../facilitation/OfflineBadge';
import { formatDate } from '../lib/format';
import { groupSections, navigatorOrder } from '../lib/sections';
import { useResource } from '../lib/useResource';
import { AgreementOverview } from '../agreement/AgreementOverview';
import { AgreementsProvider } from '../agreement/AgreementsProvider';
import { VersionsView } from '../agreement/VersionsView';
import { useAction } from '../lib/useAction';

type View = 'plan' | 'people' | 'agreement' | 'versions';

export function PlanPage() {
  const { t } = useI18n();
  const { planId = '' } = useParams();
  const plan = useResource((signal) => plansApi.get(planId, { signal }), [planId]);

  if (!plan.data) {
    if (plan.status === 'error') {
      const missing = plan.error instanceof ApiError && plan.error.status === 404;
      return (
        <div className="container">
          <h1>{missing ? t('plan.notFoundTitle') : t('plan.loadFailed')}</h1>
          {missing ? <p>{t('plan.notFoundBody')}</p> : <ErrorMessage error={plan.error} />}
          <p>
            {!missing && (
              <button type="button" className="button" onClick={plan.reload}>
                {t('common.retry')}
              </button>
            )}{' '}
            <Link to="/">{t('plan.backToPlans')}</Link>
          </p>
        </div>
      );
    }
    return <Loading />;
  }

  return (
    <PlanView
      plan={plan.data}
      reloading={plan.status === 'loading'}
      reloadError={plan.status === 'error' ? plan.error : null}
      onReload={plan.reload}
    />
  );
}

interface PlanViewProps {
  plan: PlanDetail;
  reloading: boolean;
  reloadError: unknown;
  onReload: () => void;
}

function PlanView({ plan, reloading, reloadError, onReload }: PlanViewProps) {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const [params] = useSearchParams();
  const isFacilitator = plan.my_membership?.role === 'facilitator';
  const asked = params.get('view');
  const view: View =
    asked === 'agreement' || asked === 'versions' || asked === 'people' ? asked : 'plan';
  const membersRes = useResource((signal) => membersApi.list(plan.id, { signal }), [plan.id]);
  const events = usePlanEventStream(plan.id);
  usePlanRefresh(events, onReload);

  const me = useMemo<PresenceUser>(() => {
    const id = String(user?.id ?? '');
    return { id, name: user?.name || user?.email || '?', color: colorFor(id), party: plan.my_membership?.party ?? 'supplier' };
  }, [user, plan.my_membership?.party]);

  // One live connection per readable section, for as long as the plan is open.
  const [links, setLinks] = useState<PlanLinks | null>(null);
  useEffect(() => {
    const pool = new PlanLinks(me);
    setLinks(pool);
    return () => pool.destroy();
  }, [plan.id, me]);
  useEffect(() => {
    links?.sync(plan.sections);
  }, [links, plan.sections]);

  const ordered = navigatorOrder(groupSections(plan.sections));
  const requested = params.get('section');
  const selected: Section | undefined = ordered.find((s) => sameId(s.id, requested)) ?? ordered[0];

  useEffect(() => {
    links?.setCurrent(view === 'plan' && selected ? selected : null);
  }, [links, selected, view]);

  const follow = useFollow({
    planId: plan.id,
    events,
    currentId: view === 'plan' && selected ? String(selected.id) : null,
    canLead: isFacilitator,
  });

  const hrefFor = (section: Section) => `?section=${encodeURIComponent(String(section.id))}`;

  return (
    <PlanEventsContext.Provider value={events}>
      <AgreementsProvider plan={plan}>
      <div className="plan">
        <header className="plan-header">
          <div className="plan-header__main">
            <h1 className="plan-header__title">{plan.title || t('plan.untitled')}</h1>
            <p className="plan-header__parties">
              <span className="party-name party-name--supplier">
                <span className="muted plan-header__label">{t('party.supplier')}: </span>
                {plan.supplier_name || '—'}
              </span>
              <span aria-hidden="true"> ↔ </span>
              <span className="party-name party-name--customer">
                <span className="muted plan-header__label">{t('party.customer')}: </span>
                {plan.customer_name || '—'}
              </span>
              {plan.my_membership && (
                <span className="plan-header__me">
                  <span className="plan-header__label">{t('plan.youAre')} </span>
                  {/* The role in the party's colour; the party's name is said, not shown. */}
                  <span className={`badge badge--${plan.my_membership.party}`}>
                    {t(`role.${plan.my_membership.role}`)}
                    <span className="visually-hidden">, {t(`party.${plan.my_membership.party}`)}</span>
                  </span>
                  {plan.my_membership.signatory && <span className="badge badge--neutral">{t('people.signatory')}</span>}
                </span>
              )}
            </p>
          </div>
          {plan.my_membership && (
            <div className="tabs" role="navigation" aria-label={t('plan.views')}>
              <Link
                to={selected ? hrefFor(selected) : '?'}
                className="tabs__tab"
                aria-current={view === 'plan' ? 'page' : undefined}
              >
                {t('plan.tabPlan')}
              </Link>
              <Link to="?view=agreement" className="tabs__tab" aria-current={view === 'agreement' ? 'page' : undefined}>
                {t('agreement.tab')}
              </Link>
              <Link to="?view=versions" className="tabs__tab" aria-current={view === 'versions' ? 'page' : undefined}>
                {t('versions.tab')}
              </Link>
              {/* Everyone sees who is in the plan and who invited whom; facilitators also manage. */}
              <Link to="?view=people" className="tabs__tab" aria-current={view === 'people' ? 'page' : undefined}>
                {t('plan.tabPeople')}
              </Link>
            </div>
          )}
          <div className="plan-header__side">
            {links && <LiveStatus links={links} empty={plan.sections.length === 0} />}
            <FollowButton follow={follow} />
            {isFacilitator && <PlanMenu plan={plan} onDone={onReload} />}
          </div>
        </header>

        <FollowBanner follow={follow} />
        {plan.archived_at && (
          <Notice tone="warning">{t('plan.archivedNotice', { date: formatDate(plan.archived_at, lang) })}</Notice>
        )}
        {reloadError != null && <ErrorMessage error={reloadError} />}
        {reloading && <span className="visually-hidden" role="status">{t('common.loading')}</span>}

        {view === 'people' ? (
          <PeoplePanel plan={plan} />
        ) : view === 'agreement' ? (
          <AgreementOverview />
        ) : view === 'versions' ? (
          <VersionsView plan={plan} />
        ) : links ? (
          <Workspace
            plan={plan}
            links={links}
            me={me}
            members={membersRes.data ?? []}
            selected={selected}
            hrefFor={hrefFor}
            isFacilitator={isFacilitator}
            onReload={onReload}
          />
        ) : (
          <Loading />
        )}
      </div>
      </AgreementsProvider>
    </PlanEventsContext.Provider>
  );
}

/** The connection state and everyone in the plan, top right, always on screen. */
function LiveStatus({ links, empty }: { links: PlanLinks; empty: boolean }) {
  const t = useT();
  useLinksVersion(links);
  const online = useOnline();
  const states = links.states();
  const notLive = states.some((s) => s.status !== 'live' && s.status !== 'closed');
  const now = useNow(notLive);
  // A plan without sections has nothing to connect; it is live as long as we are online.
  const state = empty ? (online ? 'live' : 'offline') : summarize(states, online, now);
  const people = links.presence().people;
  return (
    <div className="live-status">
      <AvatarStack people={people} max={8} label={t('presence.inPlan')} />
      <ConnectionBadge state={state} />
      <OfflineBadge links={links} connectivity={state} />
    </div>
  );
}

interface WorkspaceProps {
  plan: PlanDetail;
  links: PlanLinks;
  me: PresenceUser;
  members: Member[];
  selected: Section | undefined;
  hrefFor: (section: Section) => string;
  isFacilitator: boolean;
  onReload: () => void;
}

function Workspace({ plan, links, me, members, selected, hrefFor, isFacilitator, onReload }: WorkspaceProps) {
  const t = useT();
  const version = useLinksVersion(links);

  // A refused write or a lost section means our rights changed: ask the server again.
  const refusals = links.refusals.length;
  const closed = links.states().filter((s) => s.status === 'closed').length;
  const lastSeen = useRef({ refusals, closed });
  useEffect(() => {
    const before = lastSeen.current;
    lastSeen.current = { refusals, closed };
    if (refusals > before.refusals || closed > before.closed) onReload();
  }, [refusals, closed, onReload]);

  const context = useMemo<PlanContextValue>(
    () => ({ plan, links, members, canWrite: (section) => section.can_write && links.canWrite(section.id) }),
    // version: refusals change what canWrite answers.
    [plan, links, members, version],
  );
  const presence = links.presence();
  const navigate = useNavigate();
  const [adding, setAdding] = useState(false);
  const mayAdd = isFacilitator && plan.archived_at === null && plan.new_section_visibilities.length > 0;
  const added = (section: Section) => {
    setAdding(false);
    onReload();
    navigate(hrefFor(section));
  };

  return (
    <PlanContext.Provider value={context}>
      <DiscussionProvider plan={plan}>
      <div className="plan-body">
        <aside className="plan-body__nav">
          {plan.sections.length > 0 && <SectionNavigator
            plan={plan}
            sections={plan.sections}
            selectedId={selected?.id ?? null}
            hrefFor={hrefFor}
            presence={presence.bySection}
            linkStatus={(section) => links.get(section.id)?.state.status}
            badge={(section) => <SectionThreadBadge section={section} />}
          />}
          {mayAdd && selected && !adding && (
            <button type="button" className="button button--small navigator__add" onClick={() => setAdding(true)}>
              <span aria-hidden="true">+ </span>
              {t('section.add')}
            </button>
          )}
        </aside>
        <div className="plan-body__main">
          {adding && mayAdd ? (
            <AddSectionForm plan={plan} onAdded={added} onCancel={() => setAdding(false)} />
          ) : selected ? (
            <SectionView key={String(selected.id)} section={selected} me={me} canManage={isFacilitator} onPlanChanged={onReload} />
          ) : (
            <FirstStep mayAdd={mayAdd} onAdd={() => setAdding(true)} />
          )}
        </div>
        <CommentsSide section={selected} />
      </div>
      </DiscussionProvider>
    </PlanContext.Provider>
  );
}

/** The plan's rare actions (archive, restore) in a menu, so they never crowd the header. */
function PlanMenu({ plan, onDone }: { plan: PlanDetail; onDone: () => void }) {
  const t = useT();
  const menu = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!open) return;
    const away = (event: PointerEvent) => {
      if (menu.current && !menu.current.contains(event.target as Node)) menu.current.open = false;
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);

  return (
    <details
      ref={menu}
      className="menu"
      onToggle={(e) => setOpen(e.currentTarget.open)}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !menu.current?.open) return;
        menu.current.open = false;
        menu.current.querySelector('summary')?.focus();
      }}
    >
      <summary className="button menu__button">
        {t('plan.menu')} <span aria-hidden="true">▾</span>
      </summary>
      <div className="menu__items">
        <ArchiveButton plan={plan} onDone={onDone} />
      </div>
    </details>
  );
}

function ArchiveButton({ plan, onDone }: { plan: PlanDetail; onDone: () => void }) {
  const { t } = useI18n();
  const { busy, error, run } = useAction(onDone);
  const archived = plan.archived_at !== null;

  function toggle() {
    if (!archived && !window.confirm(t('plan.confirmArchive'))) return;
    // Reload afterwards (onDone) rather than keep the reply: the page's plan is loaded in one place.
    void run(() => (archived ? plansApi.unarchive(plan.id) : plansApi.archive(plan.id)));
  }

  return (
    <div className="plan-header__actions">
      <button type="button" className="button button--ghost menu__item" onClick={toggle} disabled={busy}>
        {archived ? t('plan.unarchive') : t('plan.archive')}
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
