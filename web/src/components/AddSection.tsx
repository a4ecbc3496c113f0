import { useState, type FormEvent } from 'react';
import { sections as sectionsApi } from '../api/endpoints';
import { HORIZONS, KINDS, type Horizon, type Owner, type PlanDetail, type Section, type SectionKind, type Visibility } from '../api/types';
import { useT } from '../i18n/I18nProvider';
import { useAction } from '../lib/useAction';
import { usePartyName } from './Badges';
import { ErrorMessage } from './Feedback';
import { SelectField, TextField } from './Fields';

interface Props {
  plan: PlanDetail;
  /** Called with the section the server made. */
  onAdded: (section: Section) => void;
  onCancel?: () => void;
}

/**
 * A facilitator adds a section: name, kind (with a line on what it is for), horizon for goals,
 * and an owner and visibility among those the server accepts from them
 * (`new_section_owners`, `new_section_visibilities`).
 */
export function AddSectionForm({ plan, onAdded, onCancel }: Props) {
  const t = useT();
  const partyName = usePartyName();
  const owners = plan.new_section_owners;
  const visibilities = plan.new_section_visibilities;
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<SectionKind>('goals');
  const [horizon, setHorizon] = useState<Horizon>('strategic');
  const [owner, setOwner] = useState<Owner>(owners.includes('joint') ? 'joint' : owners[0] ?? 'joint');
  const [visibility, setVisibility] = useState<Visibility>(visibilities.includes('shared') ? 'shared' : visibilities[0] ?? 'shared');
  const { busy, error, run } = useAction();
  const trimmed = title.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!trimmed) return;
    void run(async () => {
      const section = await sectionsApi.create(plan.id, {
        title: trimmed,
        kind,
        horizon: kind === 'goals' ? horizon : null,
        owner,
        visibility,
        help: '',
      });
      onAdded(section);
    });
  };

  return (
    <form className="panel add-section" onSubmit={submit} aria-labelledby="add-section-title">
      <h2 id="add-section-title">{t('section.addTitle')}</h2>
      <TextField label={t('section.name')} value={title} onChange={setTitle} maxLength={200} required autoFocus />
      <SelectField
        label={t('section.kind')}
        value={kind}
        onChange={setKind}
        options={KINDS.map((k) => ({ value: k, label: t(`section.kind.${k}`) }))}
        hint={<span data-testid="kind-guide">{t(`section.guide.${kind}`)}</span>}
      />
      {kind === 'goals' && (
        <SelectField label={t('section.horizon')} value={horizon} onChange={setHorizon} options={HORIZONS.map((h) => ({ value: h, label: t(`horizon.${h}`) }))} />
      )}
      <div className="form-row">
        <SelectField
          label={t('section.owner')}
          value={owner}
          onChange={setOwner}
          options={owners.map((o) => ({ value: o, label: o === 'joint' ? t('party.joint') : `${t(`party.${o}`)} – ${partyName(plan, o)}` }))}
          hint={t('section.ownerHint')}
        />
        <SelectField
          label={t('section.visibility')}
          value={visibility}
          onChange={setVisibility}
          options={visibilities.map((v) => ({ value: v, label: t(`visibility.${v}`) }))}
          hint={t('section.visibilityHint')}
        />
      </div>
      <ErrorMessage error={error} />
      <div className="add-section__actions">
        <button type="submit" className="button button--primary" disabled={busy || !trimmed}>
          {t('section.create')}
        </button>
        {onCancel && (
          <button type="button" className="button button--ghost" onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

/** A plan with no sections (a Blank plan): what to do first, or who does it. */
export function FirstStep({ mayAdd, onAdd }: { mayAdd: boolean; onAdd: () => void }) {
  const t = useT();
  return (
    <div className="empty first-step">
      <h2>{t('section.firstStepTitle')}</h2>
      {mayAdd ? (
        <>
          <p>{t('section.firstStepBody')}</p>
          <button type="button" className="button button--primary" onClick={onAdd}>
            {t('section.addFirst')}
          </button>
        </>
      ) : (
        <p>{t('section.firstStepWait')}</p>
      )}
    </div>
  );
}
