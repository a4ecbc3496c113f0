import { useState } from 'react';
import { sections as sectionsApi } from '../api/endpoints';
import { OWNERS, VISIBILITIES, type Owner, type PlanBase, type Section, type Visibility } from '../api/types';
import { useT } from '../i18n/I18nProvider';
import { usePartyName } from './Badges';
import { ErrorMessage } from './Feedback';
import { SelectField } from './Fields';

interface Props {
  plan: PlanBase;
  section: Section;
  /** Called after a change the server accepted; the caller reloads the plan. */
  onChanged: () => void;
}

/** Facilitators set who owns a section and who may see it. */
export function SectionSettings({ plan, section, onChanged }: Props) {
  const t = useT();
  const partyName = usePartyName();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function save(change: { owner?: Owner; visibility?: Visibility }) {
    setSaving(true);
    setError(null);
    try {
      await sectionsApi.update(plan.id, section.id, change);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  }

  return (
    <details className="panel section-settings">
      <summary>{t('section.settings')}</summary>
      <div className="form-row">
        <SelectField
          label={t('section.owner')}
          value={section.owner}
          disabled={saving}
          onChange={(owner) => save({ owner })}
          options={OWNERS.map((o) => ({ value: o, label: o === 'joint' ? t('party.joint') : `${t(`party.${o}`)} – ${partyName(plan, o)}` }))}
          hint={t('section.ownerHint')}
        />
        <SelectField
          label={t('section.visibility')}
          value={section.visibility}
          disabled={saving}
          onChange={(visibility) => save({ visibility })}
          options={VISIBILITIES.map((v) => ({ value: v, label: t(`visibility.${v}`) }))}
          hint={t('section.visibilityHint')}
        />
      </div>
      {saving && <p role="status">{t('common.saving')}</p>}
      <ErrorMessage error={error} />
    </details>
  );
}
