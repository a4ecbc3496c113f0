import { useState, type FormEvent } from 'react';
import { sameId } from '../api/decode';
import { sections as sectionsApi } from '../api/endpoints';
import { OWNERS, VISIBILITIES, type Owner, type PlanBase, type Section, type Visibility } from '../api/types';
import { useT } from '../i18n/I18nProvider';
import { groupSections } from '../lib/sections';
import { usePartyName } from './Badges';
import { ErrorMessage } from './Feedback';
import { SelectField, TextField } from './Fields';
import { useAction } from '../lib/useAction';

interface Props {
  plan: PlanBase;
  section: Section;
  /** Every section the reader can see, for moving this one among its neighbours. */
  sections?: readonly Section[];
  /** Called after a change the server accepted; the caller reloads the plan. */
  onChanged: () => void;
}

/**
 * Facilitators rename, move and delete a section and set who owns it and who may see it.
 * Only what the server would accept is offered (`owner_options`, `visibility_options`,
 * `can_delete`): a section the other party owns alone or jointly keeps what that party holds
 * unless that party changes it.
 */
export function SectionSettings({ plan, section, sections = [], onChanged }: Props) {
  const t = useT();
  const partyName = usePartyName();
  const { busy: saving, error, run } = useAction(onChanged);

  const owners = settable(OWNERS, section.owner, section.owner_options);
  const visibilities = settable(VISIBILITIES, section.visibility, section.visibility_options);
  const restricted = owners.length < OWNERS.length || visibilities.length < VISIBILITIES.length;
  const { up, down } = moves(sections, section);

  const save = (change: { owner?: Owner; visibility?: Visibility; title?: string }) =>
    run(() => sectionsApi.update(plan.id, section.id, change));

  const remove = () => {
    const title = section.title || t('plan.untitledSection');
    if (!window.confirm(t('section.confirmDelete', { title }))) return;
    void run(() => sectionsApi.remove(plan.id, section.id));
  };

  return (
    <details className="panel section-settings">
      <summary>{t('section.settings')}</summary>
      <RenameForm key={section.title} title={section.title} busy={saving} onSave={(title) => save({ title })} />
      <div className="section-settings__row" role="group" aria-label={t('section.order')}>
        <button type="button" className="button button--small" disabled={saving || !up} onClick={() => up && void run(() => sectionsApi.reorder(plan.id, up))}>
          <span aria-hidden="true">↑ </span>
          {t('section.moveUp')}
        </button>
        <button type="button" className="button button--small" disabled={saving || !down} onClick={() => down && void run(() => sectionsApi.reorder(plan.id, down))}>
          <span aria-hidden="true">↓ </span>
          {t('section.moveDown')}
        </button>
      </div>
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
      <div className="section-settings__row">
        {section.can_delete ? (
          <button type="button" className="button button--danger button--small" disabled={saving} onClick={remove}>
            {t('section.delete')}
          </button>
        ) : (
          <p className="muted">{t('section.cannotDelete')}</p>
        )}
      </div>
      {saving && <p role="status">{t('common.saving')}</p>}
      <ErrorMessage error={error} />
    </details>
  );
}

function RenameForm({ title, busy, onSave }: { title: string; busy: boolean; onSave: (title: string) => void }) {
  const t = useT();
  const [value, setValue] = useState(title);
  const trimmed = value.trim();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (trimmed && trimmed !== title) onSave(trimmed);
  };
  return (
    <form className="section-settings__row section-settings__rename" onSubmit={submit}>
      <TextField label={t('section.rename')} value={value} onChange={setValue} maxLength={200} required />
      <button type="submit" className="button button--small" disabled={busy || !trimmed || trimmed === title}>
        {t('section.renameSave')}
      </button>
    </form>
  );
}

/**
 * The full order to send for moving `section` one place up or down among its neighbours in
 * the navigator (its group, and its horizon among goals), or null where it cannot move.
 */
export function moves(all: readonly Section[], section: Section): { up: string[] | null; down: string[] | null } {
  const siblings =
    groupSections(all)
      .flatMap((g) => g.subgroups)
      .find((sg) => sg.sections.some((s) => sameId(s.id, section.id)))?.sections ?? [];
  const at = siblings.findIndex((s) => sameId(s.id, section.id));
  const order = [...all].sort((a, b) => a.position - b.position).map((s) => String(s.id));
  const swapWith = (neighbour: Section | undefined) => {
    if (!neighbour) return null;
    const next = [...order];
    const i = next.indexOf(String(section.id));
    const j = next.indexOf(String(neighbour.id));
    [next[i], next[j]] = [next[j]!, next[i]!];
    return next;
  };
  return { up: at > 0 ? swapWith(siblings[at - 1]) : null, down: at >= 0 ? swapWith(siblings[at + 1]) : null };
}

/** The values to offer: the current one and those the server accepts, in the usual order. */
export function settable<T extends string>(all: readonly T[], current: T, allowed: readonly T[]): T[] {
  return all.filter((v) => v === current || allowed.includes(v));
}
