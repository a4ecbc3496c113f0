import { sections as sectionsApi } from '../api/endpoints';
import { OWNERS, VISIBILITIES, type Owner, type PlanBase, type Section, type Visibility } from '../api/types';
import { useT } from '../i18n/I18nProvider';
import { usePartyName } from './Badges';
import { ErrorMessage } from './Feedback';
import { SelectField } from './Fields';
import { useAction } from '../lib/useAction';

interface Props {
  plan: PlanBase;
  section: Section;
  /** Called after a change the server accepted; the caller reloads the plan. */
  onChanged: () => void;
}

/**
 * Facilitators set who owns a section and who may see it. Only the values the server would
 * accept are offered (`owner_options`, `visibility_options`): a section the other party owns
 * alone or jointly keeps what that party holds unless that party changes it.
 */
export function SectionSettings({ plan, section, onChanged }: Props) {
  const t = useT();
  const partyName = usePartyName();
  const { busy: saving, error, run } = useAction(onChanged);

  const owners = settable(OWNERS, section.owner, section.owner_options);
  const visibilities = settable(VISIBILITIES, section.visibility, section.visibility_options);
  const restricted = owners.length < OWNERS.length || visibilities.length < VISIBILITIES.length;

  const save = (change: { owner?: Owner; visibility?: Visibility }) => run(() => sectionsApi.update(plan.id, section.id, change));

  return (
    <details className="panel section-settings">
      <summary>{t('section.settings')}</summary>
      <div className="form-row">
        <SelectField
          label={t('section.owner')}
          value={section.owner}
          disabled={saving || owners.length < 2}
          onChange={(owner) => save({ owner })}
          options={owners.map((o) => ({ value: o, label: o === 'joint' ? t('party.joint') : `${t(`party.${o}`)} – ${partyName(plan, o)}` }))}
          hint={t('section.ownerHint')}
        />
        <SelectField
          label={t('section.visibility')}
          value={section.visibility}
          disabled={saving || visibilities.length < 2}
          onChange={(visibility) => save({ visibility })}
          options={visibilities.map((v) => ({ value: v, label: t(`visibility.${v}`) }))}
          hint={t('section.visibilityHint')}
        />
      </div>
      {restricted && <p className="muted section-settings__protected">{t('section.protectedHint')}</p>}
      {saving && <p role="status">{t('common.saving')}</p>}
      <ErrorMessage error={error} />
    </details>
  );
}

/** The values to offer: the current one and those the server accepts, in the usual order. */
export function settable<T extends string>(all: readonly T[], current: T, allowed: readonly T[]): T[] {
  return all.filter((v) => v === current || allowed.includes(v));
}
