import { useCallback, useState } from 'react';
import type * as Y from 'yjs';
import { sameId } from '../api/decode';
import type { Member, Section } from '../api/types';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { useI18n } from '../i18n/I18nProvider';
import { useAuth } from '../auth/AuthProvider';
import {
  addItem,
  ATTITUDES,
  BUYING_ROLES,
  deleteItem,
  readStakeholders,
  setField,
  type StakeholderView,
} from '../content/model';
import { useItems, usePlanContext } from './hooks';
import { useFocusAdded } from './focusAdded';
import { ItemFact, ItemFactField, ItemFallback, SkippedNotice, StatusSelect } from './parts';
import { DeleteItemButton, ItemToolbar } from './ItemTable';
import { YTextField } from './YTextField';
import { ItemDiscussion } from '../discussion/ItemTools';

interface Props {
  section: Section;
  doc: Y.Doc;
  canWrite: boolean;
}

type View = 'board' | 'table';

export function StakeholdersSection({ section, doc, canWrite }: Props) {
  const { t } = useI18n();
  const { members } = usePlanContext();
  const { user } = useAuth();
  const read = useCallback(readStakeholders, []);
  const { array, snapshot } = useItems(doc, read);
  const [view, setView] = useState<View>('board');
  const added = useFocusAdded('data-person-id');
  if (!array || !snapshot) return <ItemFallback />;

  const add = added.adder(() => {
    setView('table'); // the new person's fields are in the table
    return addItem(array, 'stakeholders', {
      name: '',
      job_title: '',
      buying_role: 'influencer',
      attitude: 'neutral',
      relationship_owner: user ? String(user.id) : '',
      notes: '',
    });
  });

  return (
    <div className="stakeholders" ref={added.container}>
      <ItemToolbar
        label={t('stakeholders.viewLabel')}
        views={[
          { id: 'board', label: t('stakeholders.board') },
          { id: 'table', label: t('stakeholders.table') },
        ]}
        view={view}
        onView={setView}
        addLabel={t('stakeholders.add')}
        onAdd={canWrite ? add : null}
      >
        <AttitudeLegend />
      </ItemToolbar>
      <SkippedNotice count={snapshot.skipped} />
      {snapshot.items.length === 0 ? (
        <p className="empty">{canWrite ? t('stakeholders.emptyWriter') : t('stakeholders.empty')}</p>
      ) : view === 'board' ? (
        <Board section={section} items={snapshot.items} members={members} />
      ) : (
        <PeopleTable section={section} items={snapshot.items} array={array} canWrite={canWrite} members={members} />
      )}
    </div>
  );
}

function AttitudeLegend() {
  const { t } = useI18n();
  return (
    <ul className="attitude-legend" aria-label={t('stakeholders.attitude')}>
      {ATTITUDES.map((a) => (
        <li key={a} className={`attitude attitude--${a}`}>
          {t(`attitude.${a}`)}
        </li>
      ))}
    </ul>
  );
}

function useOwnerName(members: Member[]) {
  const { t } = useI18n();
  return (id: string) => {
    if (!id) return '—';
    const m = members.find((x) => sameId(x.user.id, id));
    return m ? m.user.name || m.user.email : t('activities.unknownPerson');
  };
}

function Board({ section, items, members }: { section: Section; items: StakeholderView[]; members: Member[] }) {
  const { t } = useI18n();
  const ownerName = useOwnerName(members);
  const columns: { role: (typeof BUYING_ROLES)[number] | null; people: StakeholderView[] }[] = BUYING_ROLES.map((role) => ({
    role,
    people: items.filter((p) => p.buying_role === role),
  }));
  const unassigned = items.filter((p) => p.buying_role === null);
  if (unassigned.length) columns.push({ role: null, people: unassigned });
  return (
    <div className="board">
      {columns.map(({ role, people }) => (
        <section key={role ?? 'none'} className="board__column" aria-label={role ? t(`buyingRole.${role}`) : t('stakeholders.noRole')}>
          <h3 className="board__heading">
            {role ? t(`buyingRole.${role}`) : t('stakeholders.noRole')} <span className="board__count">{people.length}</span>
          </h3>
          {role && <p className="board__hint">{t(`buyingRoleHint.${role}`)}</p>}
          <ul className="board__cards">
            {people.map((person) => (
              <li key={person.id}>
                <ErrorBoundary fallback={() => <ItemFallback />} resetKeys={[person]}>
                  <article className={`person-card attitude-border--${person.attitude ?? 'unknown'}`} data-person-id={person.id}>
                    <h4 className="person-card__name">{person.name || t('stakeholders.unnamed')}</h4>
                    {person.job_title && <p className="person-card__job">{person.job_title}</p>}
                    <p className={`attitude attitude--${person.attitude ?? 'unknown'}`}>
                      {person.attitude ? t(`attitude.${person.attitude}`) : t('stakeholders.unknownAttitude')}
                    </p>
                    <p className="person-card__owner">
                      {t('stakeholders.ourContact')}: {ownerName(person.relationship_owner)}
                    </p>
                    {person.notes && <p className="person-card__notes">{person.notes}</p>}
                    <ItemDiscussion section={section} itemId={person.id} label={person.name || t('stakeholders.unnamed')} />
                  </article>
                </ErrorBoundary>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

interface TableProps {
  section: Section;
  items: StakeholderView[];
  array: Y.Array<unknown>;
  canWrite: boolean;
  members: Member[];
}

/** The buying center as compact rows: name, role, attitude and actions on top; job title,
 * our contact and notes beneath, wrapping to the width there is. */
function PeopleTable({ section, items, array, canWrite, members }: TableProps) {
  return (
    <ol className="person-list" aria-label={section.title}>
      {items.map((person) => (
        <ErrorBoundary
          key={person.id}
          resetKeys={[person]}
          fallback={() => (
            <li className="person-row">
              <ItemFallback />
            </li>
          )}
        >
          <PersonRow section={section} person={person} array={array} canWrite={canWrite} members={members} />
        </ErrorBoundary>
      ))}
    </ol>
  );
}

function PersonRow({ section, person, array, canWrite, members }: Omit<TableProps, 'items'> & { person: StakeholderView }) {
  const { t } = useI18n();
  const ownerName = useOwnerName(members);
  const name = person.name || t('stakeholders.unnamed');
  const rowClass = `person-row attitude-border--${person.attitude ?? 'unknown'}`;
  if (!canWrite) {
    return (
      <li className={rowClass} data-person-id={person.id}>
        <div className="person-row__head">
          <h3 className="person-row__name">{name}</h3>
          <span className="person-row__role">
            {person.buying_role ? t(`buyingRole.${person.buying_role}`) : '—'}
            <span className={`attitude attitude--${person.attitude ?? 'unknown'}`}>
              {person.attitude ? t(`attitude.${person.attitude}`) : t('stakeholders.unknownAttitude')}
            </span>
          </span>
          <span className="person-row__actions">
            <ItemDiscussion section={section} itemId={person.id} label={name} />
          </span>
        </div>
        <dl className="person-row__facts">
          <ItemFact label={t('stakeholders.jobTitle')}>{person.job_title || '—'}</ItemFact>
          <ItemFact label={t('stakeholders.ourContact')}>{ownerName(person.relationship_owner)}</ItemFact>
          {person.notes && <ItemFact label={t('stakeholders.notes')}>{person.notes}</ItemFact>}
        </dl>
      </li>
    );
  }
  const known = members.some((m) => sameId(m.user.id, person.relationship_owner));
  return (
    <li className={rowClass} data-person-id={person.id}>
      <div className="person-row__head">
        <span className="person-row__name">
          <input className="input input--compact" aria-label={t('stakeholders.nameOf', { name })} value={person.name} onChange={(e) => setField(person.map, 'name', e.target.value)} />
        </span>
        <span className="person-row__role">
          <StatusSelect compact label={t('stakeholders.buyingRoleOf', { name })} value={person.buying_role ?? ''} options={BUYING_ROLES} optionLabel={(r) => t(`buyingRole.${r}`)} onChange={(v) => setField(person.map, 'buying_role', v)} />
          <StatusSelect
            compact
            className={`attitude-select attitude-select--${person.attitude ?? 'unknown'}`}
            label={t('stakeholders.attitudeOf', { name })}
            value={person.attitude ?? ''}
            options={ATTITUDES}
            optionLabel={(a) => t(`attitude.${a}`)}
            onChange={(v) => setField(person.map, 'attitude', v)}
          />
        </span>
        <span className="person-row__actions">
          <ItemDiscussion section={section} itemId={person.id} label={name} />
          <DeleteItemButton label={t('stakeholders.delete', { name })} confirm={t('stakeholders.confirmDelete', { name })} onDelete={() => deleteItem(array, person.id)} />
        </span>
      </div>
      <div className="person-row__facts">
        <ItemFactField label={t('stakeholders.jobTitle')}>
          <input className="input input--compact" aria-label={t('stakeholders.jobTitleOf', { name })} value={person.job_title} onChange={(e) => setField(person.map, 'job_title', e.target.value)} />
        </ItemFactField>
        <ItemFactField label={t('stakeholders.ourContact')}>
          <select className="input input--compact" aria-label={t('stakeholders.ourContactOf', { name })} value={person.relationship_owner} onChange={(e) => setField(person.map, 'relationship_owner', e.target.value)}>
            <option value="">—</option>
            {person.relationship_owner && !known && <option value={person.relationship_owner}>{t('activities.unknownPerson')}</option>}
            {members.map((m) => (
              <option key={String(m.id)} value={String(m.user.id)}>
                {m.user.name || m.user.email}
              </option>
            ))}
          </select>
        </ItemFactField>
        <ItemFactField label={t('stakeholders.notes')} wide>
          <YTextField map={person.map} field="notes" label={t('stakeholders.notesOf', { name })} multiline />
        </ItemFactField>
      </div>
    </li>
  );
}
