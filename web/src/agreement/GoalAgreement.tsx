import { useEffect, useId, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { goalContent, type Agreement, type AgreementStatus, type GoalContent } from '../api/discussion';
import { agreements as agreementsApi } from '../api/endpoints';
import type { Party, PlanDetail, Section } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage } from '../components/Feedback';
import { useI18n, type TFunction } from '../i18n/I18nProvider';
import type { Lang } from '../i18n/translate';
import { formatDate, formatDateTime } from '../lib/format';
import { goalKey, useAgreements, type AgreementsValue } from './AgreementsProvider';
import { changedFields, effectiveStatus, GOAL_FIELDS, isStale, mySigning, signingByParty, type GoalField } from './logic';
import { useAction } from '../lib/useAction';

interface Props {
  section: Section;
  goal: GoalContent & { id: string };
}

/** A goal card's agreement: status, who signed per party, sign and withdraw, agreed vs current text. */
export function GoalAgreement(props: Props) {
  const agreements = useAgreements();
  if (!agreements) return null;
  return <GoalAgreementPanel {...props} agreements={agreements} />;
}

export function statusText(t: TFunction, status: AgreementStatus): string {
  return t(`agreement.status.${status}`);
}

export function partyName(t: TFunction, plan: PlanDetail, party: Party): string {
  return (party === 'supplier' ? plan.supplier_name : plan.customer_name) || t(`party.${party}`);
}

export function StatusBadge({ status }: { status: AgreementStatus }) {
  const { t } = useI18n();
  return (
    <span className={`agreement-badge agreement-badge--${status}`} data-status={status}>
      <span aria-hidden="true">{status === 'agreed' ? '✓ ' : status === 'changed' ? '△ ' : '○ '}</span>
      {statusText(t, status)}
    </span>
  );
}

export const fieldLabel = (t: TFunction, field: GoalField) => t(`goals.${field}`);

export function fieldValue(field: GoalField, value: string, lang: Lang): string {
  if (field === 'due' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value, lang) || value;
  return value;
}

function GoalAgreementPanel({ section, goal, agreements }: Props & { agreements: AgreementsValue }) {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const { plan, reload, upsert } = agreements;
  const agreement = agreements.byGoal.get(goalKey(section.id, goal.id));
  const live: GoalContent = { title: goal.title, description: goal.description, metric: goal.metric, target: goal.target, due: goal.due };
  const status = effectiveStatus(agreement, live);
  const me = mySigning(agreement, String(user?.id ?? ''), status);
  const signatory = plan.my_membership?.signatory === true;
  const shared = section.visibility === 'shared';
  const title = goal.title || t('goals.untitled');
  const action = useAction();
  const { busy, error } = action;
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const reasonId = useId();
  const ref = useRef<HTMLElement>(null);

  // The live text moved away from what the server last said: ask again once typing pauses.
  // Once per text: a goal the server reads differently (odd content) must not make us poll.
  const stale = isStale(agreement, live);
  const liveKey = JSON.stringify(live);
  const askedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!stale || agreements.loading || askedFor.current === liveKey) return;
    const timer = window.setTimeout(() => {
      askedFor.current = liveKey;
      reload();
    }, 800);
    return () => window.clearTimeout(timer);
  }, [stale, liveKey, reload, agreements.loading]);

  // Opened from the agreement overview: bring this card into view.
  const [params] = useSearchParams();
  const wanted = params.get('goal') === goal.id;
  useEffect(() => {
    if (!wanted || !ref.current) return;
    const card = ref.current.closest('li') ?? ref.current;
    card.scrollIntoView({ block: 'center' });
    ref.current.focus({ preventScroll: true });
  }, [wanted]);

  const run = (call: () => Promise<Agreement>) => action.run(async () => upsert(await call()));

  const sign = () => run(() => agreementsApi.sign(plan.id, section.id, goal.id));

  async function withdraw() {
    if (me.needsReason && !asking) {
      setAsking(true);
      setReasonMissing(false);
      return;
    }
    if (me.needsReason && !reason.trim()) {
      setReasonMissing(true);
      return;
    }
    const ok = await run(() => agreementsApi.withdraw(plan.id, section.id, goal.id, me.needsReason ? reason.trim() : null));
    if (ok) {
      setAsking(false);
      setReason('');
    }
  }

  const parties = signingByParty(agreement, status);
  const agreed = goalContent(agreement?.agreed_content);
  const changed = status === 'changed' && agreed;

  return (
    <section
      ref={ref}
      tabIndex={-1}
      className={`agreement agreement--${status}${wanted ? ' agreement--wanted' : ''}`}
      aria-label={t('agreement.cardLabel', { title })}
      data-agreement-status={status}
    >
      <div className="agreement__head">
        <StatusBadge status={status} />
        {status === 'agreed' && agreement?.agreed_at && (
          <span className="muted agreement__when">{t('agreement.agreedOn', { date: formatDateTime(agreement.agreed_at, lang) })}</span>
        )}
        {status === 'changed' && agreement?.changed_by?.name && (
          <span className="muted agreement__when">
            {t('agreement.changedBy', { name: agreement.changed_by.name, date: formatDateTime(agreement.changed_at, lang) })}
          </span>
        )}
      </div>

      {shared ? (
        <ul className="agreement__parties">
          {parties.map((p) => (
            <li key={p.party} className={`agreement__party agreement__party--${p.party}`} data-party={p.party}>
              {p.current.length > 0
                ? t('agreement.signedBy', { party: partyName(t, plan, p.party), names: p.current.map((s) => s.signer.name).join(', ') })
                : t('agreement.notSigned', { party: partyName(t, plan, p.party) })}
              {p.earlier.length > 0 && (
                <span className="muted"> {t('agreement.signedEarlier', { names: p.earlier.map((s) => s.signer.name).join(', ') })}</span>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted agreement__note">{t('agreement.internalGoal')}</p>
      )}

      {changed && (
        <ContentDiff before={agreed} after={live} beforeLabel={t('agreement.agreedText')} afterLabel={t('agreement.currentText')} />
      )}

      {signatory && shared && !plan.archived_at && (
        <div className="agreement__actions">
          {!me.signedCurrent && (
            <button type="button" className="button button--small button--primary" onClick={sign} disabled={busy} aria-label={t('agreement.signGoal', { title })}>
              {me.mine || status === 'changed' ? t('agreement.signAgain') : t('agreement.sign')}
            </button>
          )}
          {me.mine && !asking && (
            <button type="button" className="button button--small" onClick={withdraw} disabled={busy} aria-label={t('agreement.withdrawGoal', { title })}>
              {t('agreement.withdraw')}
            </button>
          )}
        </div>
      )}

      {asking && (
        <form
          className="agreement__reason"
          onSubmit={(e) => {
            e.preventDefault();
            void withdraw();
          }}
        >
          <label className="field" htmlFor={reasonId}>
            <span className="field__label">{t('agreement.reasonLabel')}</span>
          </label>
          <textarea
            id={reasonId}
            className={`input${reasonMissing ? ' field--invalid' : ''}`}
            rows={2}
            maxLength={2000}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={reasonMissing || undefined}
            autoFocus
          />
          {reasonMissing && (
            <p className="alert alert--error" role="alert">
              {t('agreement.reasonMissing')}
            </p>
          )}
          <div className="form-actions">
            <button type="submit" className="button button--small button--danger" disabled={busy}>
              {t('agreement.confirmWithdraw')}
            </button>
            <button type="button" className="button button--small button--ghost" onClick={() => setAsking(false)} disabled={busy}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}

/** Two texts of a goal side by side, field by field, changed fields marked. */
export function ContentDiff({ before, after, beforeLabel, afterLabel }: { before: GoalContent | null; after: GoalContent | null; beforeLabel: string; afterLabel: string }) {
  const { t, lang } = useI18n();
  const both = before !== null && after !== null;
  const changed = new Set(both ? changedFields(before, after) : []);
  // Side by side, only what differs is worth the room; the rest is named below the table.
  const rows = both && changed.size > 0 ? GOAL_FIELDS.filter((f) => changed.has(f)) : GOAL_FIELDS;
  const same = both && changed.size > 0 ? GOAL_FIELDS.filter((f) => !changed.has(f)) : [];
  return (
    <>
      <table className="agreement-diff">
        <caption className="visually-hidden">{t('agreement.diffCaption', { before: beforeLabel, after: afterLabel })}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{t('agreement.field')}</span>
            </th>
            {before && <th scope="col">{beforeLabel}</th>}
            {after && <th scope="col">{afterLabel}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((field) => (
            <tr key={field} className={changed.has(field) ? 'agreement-diff__row agreement-diff__row--changed' : 'agreement-diff__row'}>
              <th scope="row">
                {fieldLabel(t, field)}
                {changed.has(field) && <span className="agreement-diff__mark"> ({t('agreement.fieldChanged')})</span>}
              </th>
              {before && <td className="agreement-diff__before">{fieldValue(field, before[field], lang) || '—'}</td>}
              {after && <td className="agreement-diff__after">{fieldValue(field, after[field], lang) || '—'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {same.length > 0 && (
        <p className="muted agreement-diff__same">{t('agreement.unchangedFields', { fields: same.map((f) => fieldLabel(t, f)).join(', ') })}</p>
      )}
    </>
  );
}
