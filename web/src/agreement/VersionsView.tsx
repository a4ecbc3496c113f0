import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { goalContent, type AgreementStatus, type Change, type GoalComparison, type Signature, type VersionSection, type VersionSummary } from '../api/discussion';
import { versions as versionsApi } from '../api/endpoints';
import type { Party, PlanDetail } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage, LoadFailed, Loading, Notice } from '../components/Feedback';
import { useI18n, type TFunction } from '../i18n/I18nProvider';
import { formatDate, formatDateTime, formatNumber } from '../lib/format';
import { usePlanEvent } from '../collab/planEvents';
import { useResource } from '../lib/useResource';
import { ExportLinks } from './ExportLinks';
import { ContentDiff, fieldLabel, partyName, StatusBadge } from './GoalAgreement';
import { goalFromJson, sortComparison } from './logic';
import { useAction } from '../lib/useAction';

const PARTIES: Party[] = ['supplier', 'customer'];

/** Frozen versions of the plan: freeze, list, open read-only, compare, sign, export. */
export function VersionsView({ plan }: { plan: PlanDetail }) {
  const [params] = useSearchParams();
  const list = useResource((signal) => versionsApi.list(plan.id, { signal }), [plan.id]);
  usePlanEvent(isVersionEvent, list.reload);
  const open = params.get('version');
  const compare = params.get('compare');
  const versions = list.data ?? [];

  if (open) return <VersionPage plan={plan} versionId={open} onSigned={list.reload} />;
  if (compare) return <ComparePage plan={plan} versions={versions} base={compare} to={params.get('to') || 'current'} />;
  return (
    <VersionList
      plan={plan}
      versions={versions}
      loading={list.status === 'loading' && !list.data}
      error={list.status === 'error' ? list.error : null}
      reload={list.reload}
    />
  );
}

const isVersionEvent = (type: string) => type.startsWith('version.');
const back = '?view=versions';
const openHref = (id: string) => `?view=versions&version=${encodeURIComponent(id)}`;
const compareHref = (base: string, to: string) => `?view=versions&compare=${encodeURIComponent(base)}&to=${encodeURIComponent(to)}`;

interface ListProps {
  plan: PlanDetail;
  versions: VersionSummary[];
  loading: boolean;
  error: unknown;
  reload: () => void;
}

function VersionList({ plan, versions, loading, error, reload }: ListProps) {
  const { t, lang } = useI18n();
  const isFacilitator = plan.my_membership?.role === 'facilitator';
  return (
    <div className="versions">
      <header className="versions__header">
        <div>
          <h2>{t('versions.title')}</h2>
          <p className="muted">{t('versions.intro')}</p>
        </div>
      </header>
      {isFacilitator && <FreezeForm plan={plan} onDone={reload} />}
      <LoadFailed error={error} onRetry={reload} />
      {loading ? (
        <Loading />
      ) : versions.length === 0 ? (
        <p className="empty">{isFacilitator ? t('versions.emptyFacilitator') : t('versions.empty')}</p>
      ) : (
        <>
          {versions.length > 0 && <CompareForm versions={versions} />}
          <ul className="version-list" aria-label={t('versions.listLabel')}>
            {versions.map((v) => (
              <li key={v.id} className="version-card" data-version-id={v.id}>
                <div className="version-card__main">
                  <h3 className="version-card__name">
                    <Link to={openHref(v.id)}>{v.name}</Link>
                  </h3>
                  <p className="muted">
                    {t('versions.frozenBy', { name: v.created_by.name || '—', date: formatDateTime(v.created_at, lang) })}
                  </p>
                  <VersionSigning plan={plan} version={v} onSigned={reload} />
                </div>
                <div className="version-card__side">
                  <Link className="button button--small" to={openHref(v.id)} aria-label={t('versions.openNamed', { name: v.name })}>
                    {t('versions.open')}
                  </Link>
                  <Link className="button button--small" to={compareHref(v.id, 'current')} aria-label={t('versions.compareNamed', { name: v.name })}>
                    {t('versions.compareWithCurrent')}
                  </Link>
                  <ExportLinks planId={plan.id} versionId={v.id} label={t('export.versionLabel', { name: v.name })} />
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function FreezeForm({ plan, onDone }: { plan: PlanDetail; onDone: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const { busy, error, run } = useAction(onDone);
  const [done, setDone] = useState<string | null>(null);
  const inputId = useId();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return;
    setDone(null);
    void run(async () => {
      const created = await versionsApi.create(plan.id, name.trim());
      setDone(created.name);
      setName('');
    });
  }

  return (
    <form className="versions__freeze" onSubmit={submit}>
      <label className="field" htmlFor={inputId}>
        <span className="field__label">{t('versions.nameLabel')}</span>
      </label>
      <div className="versions__freeze-row">
        <input
          id={inputId}
          className="input"
          type="text"
          maxLength={200}
          value={name}
          placeholder={t('versions.namePlaceholder')}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <button type="submit" className="button button--primary" disabled={busy || !name.trim()}>
          {t('versions.freeze')}
        </button>
      </div>
      <p className="muted">{t('versions.freezeHint')}</p>
      {done && <Notice tone="success">{t('versions.frozen', { name: done })}</Notice>}
      <ErrorMessage error={error} />
    </form>
  );
}

function CompareForm({ versions, base, to }: { versions: VersionSummary[]; base?: string; to?: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [from, setFrom] = useState(base ?? versions[versions.length > 1 ? 1 : 0]?.id ?? '');
  const [target, setTarget] = useState(to ?? (versions.length > 1 ? (versions[0]?.id ?? 'current') : 'current'));
  const fromId = useId();
  const toId = useId();
  return (
    <form
      className="versions__compare"
      onSubmit={(e) => {
        e.preventDefault();
        if (from) navigate(compareHref(from, target));
      }}
    >
      <div className="field">
        <label className="field__label" htmlFor={fromId}>
          {t('versions.compareFrom')}
        </label>
        <select id={fromId} className="input" value={from} onChange={(e) => setFrom(e.target.value)}>
          {versions.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field__label" htmlFor={toId}>
          {t('versions.compareTo')}
        </label>
        <select id={toId} className="input" value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="current">{t('versions.currentPlan')}</option>
          {versions.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button">
        {t('versions.compare')}
      </button>
    </form>
  );
}

/** The version's signatures per party, and a sign button for signatories who have not signed. */
function VersionSigning({ plan, version, onSigned }: { plan: PlanDetail; version: VersionSummary; onSigned: () => void }) {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const { busy, error, run } = useAction(onSigned);
  const signed = version.signatures.some((s) => s.signer.id === String(user?.id ?? ''));
  const signatory = plan.my_membership?.signatory === true;

  const sign = () => run(() => versionsApi.sign(plan.id, version.id));

  const byParty = (party: Party): Signature[] => version.signatures.filter((s) => s.party === party);
  return (
    <div className="version-signing" data-status={version.status}>
      <span className={`agreement-badge agreement-badge--${version.status}`}>
        {version.status === 'agreed' ? t('versions.statusAgreed') : t('versions.statusPending')}
      </span>
      <ul className="agreement__parties">
        {PARTIES.map((party) => {
          const sigs = byParty(party);
          return (
            <li key={party} className={`agreement__party agreement__party--${party}`}>
              {sigs.length
                ? t('agreement.signedBy', {
                    party: partyName(t, plan, party),
                    names: sigs.map((s) => `${s.signer.name} (${formatDate(s.signed_at, lang)})`).join(', '),
                  })
                : t('agreement.notSigned', { party: partyName(t, plan, party) })}
            </li>
          );
        })}
      </ul>
      {signatory && !signed && (
        <button type="button" className="button button--small button--primary" onClick={sign} disabled={busy} aria-label={t('versions.signNamed', { name: version.name })}>
          {t('versions.sign')}
        </button>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}

// ---- one version, read-only -------------------------------------------------------------

function VersionPage({ plan, versionId, onSigned }: { plan: PlanDetail; versionId: string; onSigned: () => void }) {
  const { t, lang } = useI18n();
  const res = useResource((signal) => versionsApi.get(plan.id, versionId, { signal }), [plan.id, versionId]);
  usePlanEvent((type, data) => type === 'version.signed' && data.version_id === versionId, res.reload);
  const version = res.data;
  if (!version) {
    return (
      <div className="version-view">
        <Link to={back}>← {t('versions.back')}</Link>
        {res.status === 'error' ? <LoadFailed error={res.error} onRetry={res.reload} /> : <Loading />}
      </div>
    );
  }
  return (
    <div className="version-view" aria-labelledby="version-title">
      <Link to={back}>← {t('versions.back')}</Link>
      <header className="versions__header">
        <div>
          <h2 id="version-title">{t('versions.viewTitle', { name: version.name })}</h2>
          <p className="muted">{t('versions.frozenBy', { name: version.created_by.name || '—', date: formatDateTime(version.created_at, lang) })}</p>
        </div>
        <ExportLinks planId={plan.id} versionId={version.id} label={t('export.versionLabel', { name: version.name })} />
      </header>
      <Notice>{t('versions.readOnly')}</Notice>
      <VersionSigning
        plan={plan}
        version={version}
        onSigned={() => {
          res.reload();
          onSigned();
        }}
      />
      {version.sections.map((section) => (
        <FrozenSection key={section.section_id} section={section} />
      ))}
    </div>
  );
}

function FrozenSection({ section }: { section: VersionSection }) {
  const { t } = useI18n();
  const items = Array.isArray(section.content.items) ? (section.content.items as unknown[]) : [];
  return (
    <section className="version-section" aria-label={section.title} data-section-key={section.key}>
      <h3 className="version-section__title">
        {section.title}
        {section.visibility !== 'shared' && <span className="badge badge--neutral">{t('versions.internal')}</span>}
      </h3>
      {section.kind === 'goals' ? (
        <FrozenGoals section={section} items={items} />
      ) : section.kind === 'text' ? (
        typeof section.content.text === 'string' && section.content.text.trim() ? (
          <div className="version-section__text">{section.content.text}</div>
        ) : (
          <p className="empty">{t('text.empty')}</p>
        )
      ) : items.length === 0 ? (
        <p className="empty">{t('versions.nothing')}</p>
      ) : (
        <ul className="plain-list version-section__items">
          {items.map((raw, i) => (
            <li key={i}>{itemLine(raw)}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function itemLine(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const o = raw as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  return [s(o.title) || s(o.name), s(o.job_title), [s(o.start), s(o.due)].filter(Boolean).join(' – ')].filter(Boolean).join(' · ');
}

function FrozenGoals({ section, items }: { section: VersionSection; items: unknown[] }) {
  const { t, lang } = useI18n();
  const goals = items.map(goalFromJson).filter((g) => g !== null);
  const statusOf = new Map<string, AgreementStatus>(section.agreements.map((a) => [a.goal_id, a.status]));
  if (goals.length === 0) return <p className="empty">{t('goals.empty')}</p>;
  return (
    <ol className="goal-list">
      {goals.map((goal) => (
        <li key={goal.id} className="goal-list__item">
          <article className="goal-card" aria-label={goal.title || t('goals.untitled')} data-goal-id={goal.id}>
            <header className="goal-card__header">
              <h4 className="goal-card__title">{goal.title || t('goals.untitled')}</h4>
              {section.visibility === 'shared' && <StatusBadge status={statusOf.get(goal.id) ?? 'pending'} />}
            </header>
            {goal.description && <p className="goal-card__description">{goal.description}</p>}
            <dl className="goal-card__facts">
              <div>
                <dt>{fieldLabel(t, 'metric')}</dt>
                <dd>{goal.metric || '—'}</dd>
              </div>
              <div>
                <dt>{fieldLabel(t, 'target')}</dt>
                <dd>{goal.target || '—'}</dd>
              </div>
              <div>
                <dt>{fieldLabel(t, 'due')}</dt>
                <dd>{(/^\d{4}-\d{2}-\d{2}$/.test(goal.due) && formatDate(goal.due, lang)) || goal.due || '—'}</dd>
              </div>
            </dl>
          </article>
        </li>
      ))}
    </ol>
  );
}

// ---- compare ------------------------------------------------------------------------------

function changeText(t: TFunction, change: Change): string {
  return t(`versions.change.${change}`);
}

function ComparePage({ plan, versions, base, to }: { plan: PlanDetail; versions: VersionSummary[]; base: string; to: string }) {
  const { t, lang } = useI18n();
  const res = useResource((signal) => versionsApi.compare(plan.id, base, to, { signal }), [plan.id, base, to]);
  const name = (id: string) => (id === 'current' ? t('versions.currentPlan') : (versions.find((v) => v.id === id)?.name ?? '…'));
  const goals = sortComparison(res.data?.goals ?? []);
  const differing = goals.filter((g) => g.change !== 'unchanged');
  const same = goals.length - differing.length;
  const sections = (res.data?.sections ?? []).filter((s) => s.change !== 'unchanged');

  return (
    <div className="compare">
      <Link to={back}>← {t('versions.back')}</Link>
      <h2>{t('versions.compareTitle', { from: name(base), to: name(to) })}</h2>
      {versions.length > 0 && <CompareForm key={`${base}/${to}`} versions={versions} base={base} to={to} />}
      {res.status === 'error' && <LoadFailed error={res.error} onRetry={res.reload} />}
      {!res.data ? (
        res.status === 'loading' && <Loading />
      ) : (
        <>
          {differing.length === 0 ? (
            <p className="empty">{t('versions.noGoalChanges')}</p>
          ) : (
            <ul className="compare__goals" aria-label={t('versions.goalChanges')}>
              {differing.map((g) => (
                <CompareGoal key={g.goal_id} goal={g} fromName={name(base)} toName={name(to)} />
              ))}
            </ul>
          )}
          {same > 0 && <p className="muted">{t('versions.unchangedGoals', { count: formatNumber(same, lang) })}</p>}
          {sections.length > 0 && (
            <>
              <h3>{t('versions.sectionChanges')}</h3>
              <ul className="plain-list">
                {sections.map((s) => (
                  <li key={s.section_id}>
                    <span className={`change-badge change-badge--${s.change}`}>{changeText(t, s.change)}</span> {s.title}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </div>
  );
}

function CompareGoal({ goal, fromName, toName }: { goal: GoalComparison; fromName: string; toName: string }) {
  const { t } = useI18n();
  const before = goalContent(goal.before?.content);
  const after = goalContent(goal.after?.content);
  return (
    <li className={`compare-goal compare-goal--${goal.change}`} data-change={goal.change}>
      <div className="compare-goal__head">
        <span className={`change-badge change-badge--${goal.change}`}>{changeText(t, goal.change)}</span>
        <strong>{goal.title || after?.title || before?.title || t('goals.untitled')}</strong>
        <span className="compare-goal__status">
          {goal.before && <StatusBadge status={goal.before.status} />}
          {goal.before && goal.after && <span aria-label={t('versions.then')}> → </span>}
          {goal.after && <StatusBadge status={goal.after.status} />}
        </span>
      </div>
      {goal.change === 'changed' && goal.fields.length > 0 && (
        <p className="muted">{t('versions.changedFields', { fields: goal.fields.map((f) => (isGoalField(f) ? fieldLabel(t, f) : f)).join(', ') })}</p>
      )}
      <ContentDiff before={before} after={after} beforeLabel={fromName} afterLabel={toName} />
    </li>
  );
}

function isGoalField(f: string): f is 'title' | 'description' | 'metric' | 'target' | 'due' {
  return ['title', 'description', 'metric', 'target', 'due'].includes(f);
}
