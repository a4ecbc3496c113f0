import { useState } from 'react';
import { sections as sectionsApi } from '../api/endpoints';
import { OWNERS, VISIBILITIES, type Owner, type PlanBase, type Section, type Visibility } from '../api/types';
import { useT } from '../i18n/I18nProvider';
import { internalTo } from '../lib/sections';
import { PartyBadge, usePartyName } from './Badges';
import { ErrorMessage } from './Feedback';
import { SelectField } from './Fields';
import { EyeIcon, LockIcon } from './Icons';

interface Props {
  plan: PlanBase;
  section: Section;
  canManage: boolean;
  /** Called after a change the server accepted; the caller reloads the plan. */
  onChanged: () => void;
}

export function SectionDetail({ plan, section, canManage, onChanged }: Props) {
  const t = useT();
  const partyName = usePartyName();
  const internal = internalTo(section);
  const paragraphs = section.help.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);

  return (
    <article className="section-detail" aria-labelledby="section-title">
      <header className="section-detail__header">
        <h2 id="section-title">{section.title || t('plan.untitledSection')}</h2>
        <div className="section-detail__facts">
          <span>
            {t('section.owner')}: <PartyBadge party={section.owner} /> {section.owner !== 'joint' && partyName(plan, section.owner)}
          </span>
          <span>
            {internal ? <EyeIcon /> : null} {t('section.visibility')}:{' '}
            {internal ? t('section.internalTo', { party: partyName(plan, internal) }) : t('visibility.shared')}
          </span>
          <span>
            {section.can_write ? (
              t('section.youCanEdit')
            ) : (
              <>
                <LockIcon /> {t('section.readOnly')}
              </>
            )}
          </span>
        </div>
      </header>

      {paragraphs.length > 0 && (
        <div className="section-detail__help">
          <h3 className="visually-hidden">{t('section.help')}</h3>
          {paragraphs.map((p, i) => (
            <p key={i}>{p}</p>
          ))}
        </div>
      )}

      <div className="section-detail__content" aria-label={t('section.content')}>
        <p>{t('section.livePlaceholder')}</p>
      </div>

      {canManage && <SectionSettings key={String(section.id)} plan={plan} section={section} onChanged={onChanged} />}
    </article>
  );
}

function SectionSettings({ plan, section, onChanged }: Omit<Props, 'canManage'>) {
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
    <section className="panel section-settings" aria-labelledby="section-settings-title">
      <h3 id="section-settings-title">{t('section.settings')}</h3>
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
    </section>
  );
}
