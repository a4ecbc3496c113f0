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
import { DateField, ItemFact, ItemFactField, ItemFallback, SkippedNotice, StatusSelect } from './parts';
import { DeleteItemButton, ItemToolbar } from './ItemTable';
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
        <ActivityList section={section} items={snapshot.items} array={array} canWrite={canWrite} goals={goals} members={members} />
      ) : (
        <ErrorBoundary fallback={() => <ItemFallback />} resetKeys={[timelineItems]}>
          <Timeline items={timelineItems} />
        </ErrorBoundary>
      )}
    </div>
  );
}

interface ListProps {
  section: Section;
  items: ActivityView[];
  array: Y.Array<unknown>;
  canWrite: boolean;
  goals: Map<string, GoalRef>;
  members: Member[];
}

/** The action plan as a list of compact rows: name, status and actions on top, the facts
 * beneath, wrapping to the width there is, so a laptop shows every field of every row. */
function ActivityList({ section, items, array, canWrite, goals, members }: ListProps) {
  return (
    <ol className={`activity-list${canWrite ? ' activity-list--editing' : ''}`} aria-label={section.title}>
      {items.map((item) => (
        <ErrorBoundary
          key={item.id}
          resetKeys={[item]}
          fallback={() => (
            <li className="activity-row">
              <ItemFallback />
            </li>
          )}
        >
          <ActivityRow section={section} item={item} array={array} canWrite={canWrite} goals={goals} members={members} />
        </ErrorBoundary>
      ))}
    </ol>
  );
}

function ActivityRow({ section, item, array, canWrite, goals, members }: Omit<ListProps, 'items'> & { item: ActivityView }) {
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
  const badge = proposal && <span className="badge badge--proposal">{t('activities.proposal')}</span>;

  if (!canWrite) {
    return (
      <li className={rowClass} data-activity-id={item.id}>
        <div className="activity-row__head">
          <h3 className="activity-row__title activity-row__name">
            {badge} {name}
          </h3>
          <span className="activity-row__party">
            {item.party ? <span className={`party-name party-name--${item.party}`}>{partyName || t(`party.${item.party}`)}</span> : '—'}
          </span>
          <span className="activity-row__status">
            <span className={`status status--${item.status ?? 'unknown'}`}>{statusText}</span>
          </span>
          <span className="activity-row__actions">
            <ItemDiscussion section={section} itemId={item.id} label={name} votable={proposal} />
          </span>
        </div>
        <dl className="activity-row__facts">
          <ItemFact label={t('activities.goal')}>{goal ? goal.title || t('goals.untitled') : item.goal_id ? t('activities.unknownGoal') : '—'}</ItemFact>
          <ItemFact label={t('activities.owner')}>{ownerName}</ItemFact>
          <ItemFact label={t('activities.start')}>{showDate(item.start)}</ItemFact>
          <ItemFact label={t('activities.due')}>{showDate(item.due)}</ItemFact>
        </dl>
      </li>
    );
  }

  const goalOptions = [...goals.values()];
  const parties = ITEM_PARTIES.map((p) => ({ party: p, people: members.filter((m) => m.party === p) }));
  return (
    <li className={rowClass} data-activity-id={item.id}>
      <div className="activity-row__head">
        {badge}
        <div className="activity-row__title">
          <YTextField map={item.map} field="title" label={t('activities.title')} placeholder={t('activities.titlePlaceholder')} multiline />
        </div>
        <span className="activity-row__party">
          <StatusSelect
            compact
            label={t('activities.partyOf', { title: name })}
            value={item.party ?? ''}
            options={ITEM_PARTIES}
            optionLabel={(p) => (p === 'supplier' ? plan.supplier_name : plan.customer_name) || t(`party.${p}`)}
            onChange={(v) => setField(item.map, 'party', v)}
          />
        </span>
        <span className="activity-row__status">
          <StatusSelect
            compact
            label={t('activities.statusOf', { title: name })}
            value={item.rawStatus}
            options={ACTIVITY_STATUSES}
            optionLabel={(s) => statusLabel(t, s)}
            onChange={(v) => setField(item.map, 'status', v)}
          />
        </span>
        <span className="activity-row__actions">
          <ItemDiscussion section={section} itemId={item.id} label={name} votable={proposal} />
          <DeleteItemButton
            label={t('activities.delete', { title: name })}
            confirm={t('activities.confirmDelete', { title: name })}
            onDelete={() => deleteItem(array, item.id)}
          />
        </span>
      </div>
      <div className="activity-row__facts">
        <ItemFactField label={t('activities.goal')}>
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
        </ItemFactField>
        <ItemFactField label={t('activities.owner')}>
          {/* People grouped by company, so the chosen name needs no "(Supplier)" after it. */}
          <select className="input input--compact" aria-label={t('activities.ownerOf', { title: name })} value={item.owner} onChange={(e) => setField(item.map, 'owner', e.target.value)}>
            <option value="">{t('activities.noOwner')}</option>
            {item.owner && !owner && <option value={item.owner}>{t('activities.unknownPerson')}</option>}
            {parties.map(({ party, people }) =>
              people.length ? (
                <optgroup key={party} label={(party === 'supplier' ? plan.supplier_name : plan.customer_name) || t(`party.${party}`)}>
                  {people.map((m) => (
                    <option key={String(m.id)} value={String(m.user.id)}>
                      {m.user.name || m.user.email}
                    </option>
                  ))}
                </optgroup>
              ) : null,
            )}
          </select>
        </ItemFactField>
        <ItemFactField label={t('activities.start')}>
          <DateField compact label={t('activities.startOf', { title: name })} value={item.start} onChange={(v) => setField(item.map, 'start', v)} />
        </ItemFactField>
        <ItemFactField label={t('activities.due')}>
          <DateField compact label={t('activities.dueOf', { title: name })} value={item.due} onChange={(v) => setField(item.map, 'due', v)} />
        </ItemFactField>
      </div>
    </li>
  );
}
