import { Link } from 'react-router-dom';
import { LoadFailed, Loading } from '../components/Feedback';
import { useI18n } from '../i18n/I18nProvider';
import { formatNumber } from '../lib/format';
import { useAgreements } from './AgreementsProvider';
import { ExportLinks } from './ExportLinks';
import { partyName, StatusBadge } from './GoalAgreement';
import { countStatuses, groupByHorizon, type StatusCounts } from './logic';

/** The plan's agreement at a glance: per horizon how many goals are agreed, pending, changed. */
export function AgreementOverview() {
  const { t } = useI18n();
  const agreements = useAgreements();
  if (!agreements) return null;
  const { plan, list, loading, error, reload } = agreements;
  const groups = groupByHorizon(plan.sections, list);
  const total = countStatuses(groups.flatMap((g) => g.goals.map((x) => x.agreement.status)));

  return (
    <div className="agreement-overview">
      <header className="agreement-overview__header">
        <div>
          <h2>{t('agreement.overviewTitle')}</h2>
          <p className="muted">{t('agreement.overviewIntro')}</p>
          {!(loading && list.length === 0) && <Counts counts={total} />}
        </div>
        <ExportLinks planId={plan.id} label={t('export.planLabel')} />
      </header>
      <LoadFailed error={error} onRetry={reload} />
      {loading && list.length === 0 ? (
        <Loading />
      ) : (
        groups.map((group) => {
          const manySections = new Set(group.goals.map((x) => String(x.section.id))).size > 1;
          return (
          <section key={group.horizon ?? 'other'} className="agreement-overview__horizon" aria-labelledby={`horizon-${group.horizon ?? 'other'}`}>
            <h3 id={`horizon-${group.horizon ?? 'other'}`}>{group.horizon ? t(`horizon.${group.horizon}`) : t('agreement.otherGoals')}</h3>
            <Counts counts={group.counts} />
            {group.goals.length === 0 ? (
              <p className="empty">{t('agreement.noGoals')}</p>
            ) : (
              <ul className="agreement-overview__goals">
                {group.goals.map(({ agreement, section }) => (
                  <li key={`${agreement.section_id}/${agreement.goal_id}`} className="agreement-overview__goal" data-status={agreement.status}>
                    <StatusBadge status={agreement.status} />
                    <Link to={`?section=${encodeURIComponent(String(section.id))}&goal=${encodeURIComponent(agreement.goal_id)}`}>
                      {agreement.title || t('goals.untitled')}
                    </Link>
                    {manySections && <span className="muted"> · {section.title}</span>}
                    {agreement.goal_deleted && <span className="muted"> · {t('agreement.goalDeleted')}</span>}
                    {agreement.status === 'pending' && agreement.signatures.length > 0 && (
                      <span className="muted">
                        {' · '}
                        {t('agreement.signedSoFar', {
                          parties: [...new Set(agreement.signatures.map((s) => s.party))].map((p) => partyName(t, plan, p)).join(', '),
                        })}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
          );
        })
      )}
    </div>
  );
}

function Counts({ counts }: { counts: StatusCounts }) {
  const { t, lang } = useI18n();
  return (
    <p className="agreement-counts">
      <span className="agreement-counts__item agreement-counts__item--agreed">{t('agreement.countAgreed', { count: formatNumber(counts.agreed, lang) })}</span>
      <span className="agreement-counts__item agreement-counts__item--pending">{t('agreement.countPending', { count: formatNumber(counts.pending, lang) })}</span>
      <span className="agreement-counts__item agreement-counts__item--changed">{t('agreement.countChanged', { count: formatNumber(counts.changed, lang) })}</span>
    </p>
  );
}
