import { useCallback, useMemo, useState } from 'react';
import type * as Y from 'yjs';
import { sameId } from '../api/decode';
import { HORIZONS, type Member, type Section } from '../api/types';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { useI18n } from '../i18n/I18nProvider';
import { formatDate } from '../lib/format';
import { useAuth } from '../auth/AuthProvider';
import {
  ACTIVITY_STATUSES,
  addItem,
  deleteItem,
  ITEM_PARTIES,
  readActivities,
  setField,
  type ActivityView,
} from '../content/model';
import { parseDay, type TimelineItem } from '../content/timeline';
import { statusLabel } from './GoalsSection';
import { useGoalIndex, type GoalRef } from './goalIndex';
import { useItems, useLinksVersion, usePlanContext } from './hooks';
import { useFocusAdded } from './focusAdded';
import { DateField, ItemFallback, SkippedNotice, StatusSelect } from './parts';
import { DeleteItemCell, ItemTable, ItemToolbar } from './ItemTable';
import { Timeline } from './Timeline';
import { YTextField } from './YTextField';
import { ItemDiscussion } from '../discussion/ItemTools';

interface Props {
  section: Section;
  doc: Y.Doc;
  canWrite: boolean;
}

type View = 'table' | 'timeline';

export function ActivitiesSection({ section, doc, canWrite }: Props) {
  const { t } = useI18n();
  const { plan, links, members } = usePlanContext();
  const { user } = useAuth();
  useLinksVersion(links);
  const goals = useGoalIndex(links, plan.sections);
  const read = useCallback(readActivities, []);
  const { array, snapshot } = useItems(doc, read);
  const [view, setView] = useState<View>('table');
  const added = useFocusAdded('data-activity-id');
  const timelineItems = useMemo<TimelineItem[]>(
    () =>
      (snapshot?.items ?? []).map((a) => ({
        id: a.id,
        title: a.title,
        start: a.start,
        due: a.due,
        party: a.party,
        status: a.status,
        horizon: goals.get(a.goal_id)?.horizon ?? null,
      })),
    [snapshot, goals],
  );
  if (!array || !snapshot) return <ItemFallback />;

  const add = added.adder(() => {
    const party = plan.my_membership?.party ?? 'supplier';
    setView('table'); // the new row's fields are in the table
    return addItem(array, 'activities', { title: '', goal_id: '', owner: user ? String(user.id) : '', party, start: '', due: '', status: 'proposed' });
  });

  return (
    <div className="activities" ref={added.container}>
      <ItemToolbar
        label={t('activities.viewLabel')}
        views={[
          { id: 'table', label: t('activities.table') },
          { id: 'timeline', label: t('activities.timeline') },
        ]}
        view={view}
        onView={setView}
        addLabel={t('activities.add')}
        onAdd={canWrite ? add : null}
      />
      <SkippedNotice count={snapshot.skipped} />
      {snapshot.items.length === 0 ? (
        <p className="empty">{canWrite ? t('activities.emptyWriter') : t('activities.empty')}</p>
      ) : view === 'table' ? (
        <ActivityTable section={section} items={snapshot.items} array={array} canWrite={canWrite} goals={goals} members={members} />
      ) : (
        <ErrorBoundary fallback={() => <ItemFallback />} resetKeys={[timelineItems]}>
          <Timeline items={timelineItems} />
        </ErrorBoundary>
      )}
    </div>
  );
}

interface TableProps {
  section: Section;
  items: ActivityView[];
  array: Y.Array<unknown>;
  canWrite: boolean;
  goals: Map<string, GoalRef>;
  members: Member[];
}

function ActivityTable({ section, items, array, canWrite, goals, members }: TableProps) {
  const { t } = useI18n();
  const columns = ['title', 'goal', 'owner', 'party', 'start', 'due', 'status'] as const;
  return (
    <ItemTable
      className={`activity-table${canWrite ? ' activity-table--editing' : ''}`}
      caption={section.title}
      columns={columns.map((c) => t(`activities.${c}`))}
      canWrite={canWrite}
      items={items}
      row={(item) => <ActivityRow section={section} item={item} array={array} canWrite={canWrite} goals={goals} members={members} />}
    />
  );
}

function ActivityRow({ section, item, array, canWrite, goals, members }: Omit<TableProps, 'items'> & { item: ActivityView }) {
  const { t, lang } = useI18n();
  const { plan } = usePlanContext();
  const proposal = item.status === 'proposed';
  const rowClass = `activity-row activity-row--${item.party ?? 'none'} activity-row--${item.status ?? 'unknown'}`;
  const name = item.title || t('activities.untitled');
  const goal = goals.get(item.goal_id);
  const owner = members.find((m) => sameId(m.user.id, item.owner));
  const ownerName = owner ? owner.user.name || owner.user.email : item.owner ? t('activities.unknownPerson') : '—';
  const partyName = item.party === 'supplier' ? plan.supplier_name : item.party === 'customer' ? plan.customer_name : '';
  const statusText = item.status ? statusLabel(t, item.status) : item.rawStatus || '—';
  const showDate = (d: string) => (parseDay(d) ? formatDate(d, lang) : d || '—');

  if (!canWrite) {
    return (
      <tr className={rowClass} data-activity-id={item.id}>
        <th scope="row" className="activity-row__title">
          {proposal && <span className="badge badge--proposal">{t('activities.proposal')}</span>} {name}
          <ItemDiscussion section={section} itemId={item.id} label={name} votable={proposal} />
        </th>
        <td>{goal ? goal.title || t('goals.untitled') : item.goal_id ? t('activities.unknownGoal') : '—'}</td>
        <td>{ownerName}</td>
        <td>{item.party ? <span className={`party-name party-name--${item.party}`}>{partyName || t(`party.${item.party}`)}</span> : '—'}</td>
        <td>{showDate(item.start)}</td>
        <td>{showDate(item.due)}</td>
        <td>
          <span className={`status status--${item.status ?? 'unknown'}`}>{statusText}</span>
        </td>
      </tr>
    );
  }

  const goalOptions = [...goals.values()];
  return (
    <tr className={rowClass} data-activity-id={item.id}>
      <th scope="row" className="activity-row__title">
        {proposal && <span className="badge badge--proposal">{t('activities.proposal')}</span>}
        <YTextField map={item.map} field="title" label={t('activities.title')} placeholder={t('activities.titlePlaceholder')} multiline />
        <ItemDiscussion section={section} itemId={item.id} label={name} votable={proposal} />
      </th>
      <td>
        <select className="input input--compact" aria-label={t('activities.goalOf', { title: name })} value={item.goal_id} onChange={(e) => setField(item.map, 'goal_id', e.target.value)}>
          <option value="">{t('activities.noGoal')}</option>
          {item.goal_id && !goal && <option value={item.goal_id}>{t('activities.unknownGoal')}</option>}
          {HORIZONS.map((h) => {
            const inHorizon = goalOptions.filter((g) => g.horizon === h);
            if (!inHorizon.length) return null;
            return (
              <optgroup key={h} label={t(`horizon.${h}`)}>
                {inHorizon.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.title || t('goals.untitled')}
                  </option>
                ))}
              </optgroup>
            );
          })}
          {goalOptions
            .filter((g) => g.horizon === null)
            .map((g) => (
              <option key={g.id} value={g.id}>
                {g.title || t('goals.untitled')}
              </option>
            ))}
        </select>
      </td>
      <td>
        <select className="input input--compact" aria-label={t('activities.ownerOf', { title: name })} value={item.owner} onChange={(e) => setField(item.map, 'owner', e.target.value)}>
          <option value="">{t('activities.noOwner')}</option>
          {item.owner && !owner && <option value={item.owner}>{t('activities.unknownPerson')}</option>}
          {members.map((m) => (
            <option key={String(m.id)} value={String(m.user.id)}>
              {(m.user.name || m.user.email) + ` (${t(`party.${m.party}`)})`}
            </option>
          ))}
        </select>
      </td>
      <td>
        <StatusSelect
          compact
          label={t('activities.partyOf', { title: name })}
          value={item.party ?? ''}
          options={ITEM_PARTIES}
          optionLabel={(p) => (p === 'supplier' ? plan.supplier_name : plan.customer_name) || t(`party.${p}`)}
          onChange={(v) => setField(item.map, 'party', v)}
        />
      </td>
      <td>
        <DateField compact label={t('activities.startOf', { title: name })} value={item.start} onChange={(v) => setField(item.map, 'start', v)} />
      </td>
      <td>
        <DateField compact label={t('activities.dueOf', { title: name })} value={item.due} onChange={(v) => setField(item.map, 'due', v)} />
      </td>
      <td>
        <StatusSelect
          compact
          label={t('activities.statusOf', { title: name })}
          value={item.rawStatus}
          options={ACTIVITY_STATUSES}
          optionLabel={(s) => statusLabel(t, s)}
          onChange={(v) => setField(item.map, 'status', v)}
        />
      </td>
      <DeleteItemCell
        label={t('activities.delete', { title: name })}
        confirm={t('activities.confirmDelete', { title: name })}
        onDelete={() => deleteItem(array, item.id)}
      />
    </tr>
  );
}
