import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { sameId } from '../api/decode';
import { plans as plansApi } from '../api/endpoints';
import type { PlanDetail, Section } from '../api/types';
import { RoleBadge } from '../components/Badges';
import { ErrorMessage, Loading, Notice } from '../components/Feedback';
import { PeoplePanel } from '../components/PeoplePanel';
import { SectionDetail } from '../components/SectionDetail';
import { SectionNavigator } from '../components/SectionNavigator';
import { useI18n } from '../i18n/I18nProvider';
import { formatDate } from '../lib/format';
import { groupSections, navigatorOrder } from '../lib/sections';
import { useResource } from '../lib/useResource';

type View = 'plan' | 'people';

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
  const [params] = useSearchParams();
  const isFacilitator = plan.my_membership?.role === 'facilitator';
  const view: View = isFacilitator && params.get('view') === 'people' ? 'people' : 'plan';

  const ordered = navigatorOrder(groupSections(plan.sections));
  const requested = params.get('section');
  const selected: Section | undefined = ordered.find((s) => sameId(s.id, requested)) ?? ordered[0];

  const hrefFor = (section: Section) => `?section=${encodeURIComponent(String(section.id))}`;

  return (
    <div className="plan">
      <header className="plan-header">
        <div className="plan-header__main">
          <h1 className="plan-header__title">{plan.title || t('plan.untitled')}</h1>
          <p className="plan-header__parties">
            <span className="party-name party-name--supplier">
              <span className="muted">{t('party.supplier')}: </span>
              {plan.supplier_name || '—'}
            </span>
            <span aria-hidden="true"> ↔ </span>
            <span className="party-name party-name--customer">
              <span className="muted">{t('party.customer')}: </span>
              {plan.customer_name || '—'}
            </span>
          </p>
          {plan.my_membership && (
            <p className="plan-header__me">
              {t('plan.youAre')} <RoleBadge role={plan.my_membership.role} party={plan.my_membership.party} />
              {plan.my_membership.signatory && <span className="badge badge--neutral">{t('people.signatory')}</span>}
            </p>
          )}
        </div>
        {isFacilitator && <ArchiveButton plan={plan} onDone={onReload} />}
      </header>

      {plan.archived_at && (
        <Notice tone="warning">{t('plan.archivedNotice', { date: formatDate(plan.archived_at, lang) })}</Notice>
      )}
      {reloadError != null && <ErrorMessage error={reloadError} />}
      {reloading && <span className="visually-hidden" role="status">{t('common.loading')}</span>}

      {isFacilitator && (
        <div className="tabs" role="navigation" aria-label={t('plan.views')}>
          <Link
            to={selected ? hrefFor(selected) : '?'}
            className="tabs__tab"
            aria-current={view === 'plan' ? 'page' : undefined}
          >
            {t('plan.tabPlan')}
          </Link>
          <Link to="?view=people" className="tabs__tab" aria-current={view === 'people' ? 'page' : undefined}>
            {t('plan.tabPeople')}
          </Link>
        </div>
      )}

      {view === 'people' ? (
        <PeoplePanel plan={plan} />
      ) : (
        <div className="plan-body">
          <aside className="plan-body__nav">
            <SectionNavigator plan={plan} sections={plan.sections} selectedId={selected?.id ?? null} hrefFor={hrefFor} />
          </aside>
          <div className="plan-body__main">
            {selected ? (
              <SectionDetail plan={plan} section={selected} canManage={isFacilitator} onChanged={onReload} />
            ) : (
              <p className="empty">{t('plan.noSections')}</p>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

function ArchiveButton({ plan, onDone }: { plan: PlanDetail; onDone: () => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const archived = plan.archived_at !== null;

  async function toggle() {
    if (!archived && !window.confirm(t('plan.confirmArchive'))) return;
    setBusy(true);
    setError(null);
    try {
      await (archived ? plansApi.unarchive(plan.id) : plansApi.archive(plan.id));
      // Reload rather than trust the reply's shape: the full plan carries sections and rights.
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="plan-header__actions">
      <button type="button" className="button" onClick={toggle} disabled={busy}>
        {archived ? t('plan.unarchive') : t('plan.archive')}
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
