import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { plans as plansApi } from '../api/endpoints';
import { PLAN_LANGUAGES, TEMPLATES, type PlanLanguage, type PlanSummary, type Template } from '../api/types';
import { PartyBadge, RoleBadge } from '../components/Badges';
import { ErrorMessage, fieldErrorOf, Loading, LoadFailed } from '../components/Feedback';
import { SelectField, TextField } from '../components/Fields';
import { useI18n } from '../i18n/I18nProvider';
import { formatDate, formatRelative } from '../lib/format';
import { useResource } from '../lib/useResource';
import { useAction } from '../lib/useAction';

export function PlansPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const archived = params.get('archived') === 'true';
  const [creating, setCreating] = useState(false);
  const plans = useResource((signal) => plansApi.list(archived, { signal }), [archived]);

  function showArchived(value: boolean) {
    setParams(value ? { archived: 'true' } : {}, { replace: true });
  }

  return (
    <div className="container">
      <div className="page-heading">
        <h1>{t('plans.title')}</h1>
        {!creating && (
          <button type="button" className="button button--primary" onClick={() => setCreating(true)}>
            {t('plans.new')}
          </button>
        )}
      </div>

      {creating && <NewPlanForm onCancel={() => setCreating(false)} />}

      <div className="segmented" role="group" aria-label={t('plans.filter')}>
        <button type="button" aria-pressed={!archived} onClick={() => showArchived(false)}>
          {t('plans.active')}
        </button>
        <button type="button" aria-pressed={archived} onClick={() => showArchived(true)}>
          {t('plans.archived')}
        </button>
      </div>

      {plans.status === 'loading' && <Loading />}
      {plans.status === 'error' && <LoadFailed error={plans.error} onRetry={plans.reload} />}
      {plans.status === 'ready' &&
        (plans.data.length === 0 ? (
          <p className="empty">{archived ? t('plans.noneArchived') : t('plans.none')}</p>
        ) : (
          <ul className="plan-list">
            {plans.data.map((plan) => (
              <PlanCard key={String(plan.id)} plan={plan} />
            ))}
          </ul>
        ))}
    </div>
  );
}

function PlanCard({ plan }: { plan: PlanSummary }) {
  const { t, lang } = useI18n();
  const me = plan.my_membership;
  return (
    <li className="plan-card">
      <h2 className="plan-card__title">
        <Link to={`/plans/${encodeURIComponent(String(plan.id))}`}>{plan.title || t('plan.untitled')}</Link>
      </h2>
      <p className="plan-card__parties">
        <span className="party-name party-name--supplier">{plan.supplier_name || t('party.supplier')}</span>
        <span aria-hidden="true"> ↔ </span>
        <span className="visually-hidden"> {t('plans.and')} </span>
        <span className="party-name party-name--customer">{plan.customer_name || t('party.customer')}</span>
      </p>
      <p className="plan-card__meta">
        {me && (
          <>
            <PartyBadge party={me.party} />
            <RoleBadge role={me.role} />
          </>
        )}
        <span className="muted">{t('plans.memberCount', { count: plan.member_count })}</span>
        {plan.updated_at && (
          <span className="muted" title={formatDate(plan.updated_at, lang)}>
            {t('plans.lastActivity', { when: formatRelative(plan.updated_at, lang) })}
          </span>
        )}
      </p>
    </li>
  );
}

function NewPlanForm({ onCancel }: { onCancel: () => void }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [supplier, setSupplier] = useState('');
  const [customer, setCustomer] = useState('');
  const [template, setTemplate] = useState<Template>('kam');
  const [language, setLanguage] = useState<PlanLanguage>(lang);
  const { busy: submitting, error, run } = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const plan = await plansApi.create({
        title: title.trim(),
        supplier_name: supplier.trim(),
        customer_name: customer.trim(),
        template,
        language,
      });
      navigate(`/plans/${encodeURIComponent(String(plan.id))}`);
    });
  }

  return (
    <section className="panel" aria-labelledby="new-plan-title">
      <h2 id="new-plan-title">{t('plans.new')}</h2>
      <form className="form" onSubmit={submit}>
        <TextField
          label={t('plans.planTitle')}
          required
          autoFocus
          value={title}
          onChange={setTitle}
          hint={t('plans.planTitleHint')}
          error={fieldErrorOf(error, 'title', t)}
        />
        <div className="form-row">
          <TextField
            label={t('plans.supplierName')}
            required
            value={supplier}
            onChange={setSupplier}
            error={fieldErrorOf(error, 'supplier_name', t)}
          />
          <TextField
            label={t('plans.customerName')}
            required
            value={customer}
            onChange={setCustomer}
            error={fieldErrorOf(error, 'customer_name', t)}
          />
        </div>
        <div className="form-row">
          <SelectField
            label={t('plans.template')}
            value={template}
            onChange={setTemplate}
            options={TEMPLATES.map((v) => ({ value: v, label: t(`template.${v}`) }))}
            hint={t(`templateHint.${template}`)}
          />
          <SelectField
            label={t('plans.language')}
            value={language}
            onChange={setLanguage}
            options={PLAN_LANGUAGES.map((v) => ({ value: v, label: t(`language.${v}`) }))}
            hint={t('plans.languageHint')}
          />
        </div>
        <ErrorMessage error={error} fields={['title', 'supplier_name', 'customer_name']} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={submitting}>
            {submitting ? t('plans.creating') : t('plans.create')}
          </button>
          <button type="button" className="button" onClick={onCancel} disabled={submitting}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
