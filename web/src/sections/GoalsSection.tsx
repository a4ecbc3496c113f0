import { useCallback } from 'react';
import type * as Y from 'yjs';
import type { Section } from '../api/types';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { useI18n } from '../i18n/I18nProvider';
import { formatDate } from '../lib/format';
import { addItem, deleteItem, GOAL_STATUSES, moveItem, readGoals, setField, type GoalView } from '../content/model';
import { parseDay } from '../content/timeline';
import { DateField, ItemFallback, SkippedNotice, StatusSelect } from './parts';
import { useItems } from './hooks';
import { useFocusAdded } from './focusAdded';
import { GoalAgreement } from '../agreement/GoalAgreement';
import { YTextField } from './YTextField';
import { ItemDiscussion } from '../discussion/ItemTools';

interface Props {
  section: Section;
  doc: Y.Doc;
  canWrite: boolean;
}

export function GoalsSection({ section, doc, canWrite }: Props) {
  const { t } = useI18n();
  const read = useCallback(readGoals, []);
  const { array, snapshot } = useItems(doc, read);
  const added = useFocusAdded('data-goal-id');
  if (!array || !snapshot) return <ItemFallback />;

  const add = added.adder(() => addItem(array, 'goals', { title: '', description: '', metric: '', target: '', due: '', status: 'proposed' }));

  return (
    <div className="goals" ref={added.container}>
      <SkippedNotice count={snapshot.skipped} />
      {snapshot.items.length === 0 && <p className="empty">{canWrite ? t('goals.emptyWriter') : t('goals.empty')}</p>}
      <ol className="goal-list" aria-label={t('goals.listLabel', { section: section.title })}>
        {snapshot.items.map((goal, index) => (
          <li key={goal.id} className="goal-list__item">
            <ErrorBoundary fallback={() => <ItemFallback />} resetKeys={[goal]}>
              <GoalCard
                goal={goal}
                section={section}
                number={index + 1}
                canWrite={canWrite}
                isFirst={index === 0}
                isLast={index === snapshot.items.length - 1}
                onMove={(offset) => moveItem(array, goal.id, offset)}
                onDelete={() => deleteItem(array, goal.id)}
              />
            </ErrorBoundary>
            <ErrorBoundary fallback={() => null} resetKeys={[goal]}>
              <GoalAgreement section={section} goal={goal} />
            </ErrorBoundary>
          </li>
        ))}
      </ol>
      {canWrite && (
        <button type="button" className="button button--primary" onClick={add}>
          {t('goals.add')}
        </button>
      )}
    </div>
  );
}

interface CardProps {
  goal: GoalView;
  section: Section;
  number: number;
  canWrite: boolean;
  isFirst: boolean;
  isLast: boolean;
  onMove: (offset: number) => void;
  onDelete: () => void;
}

function GoalCard({ goal, section, number, canWrite, isFirst, isLast, onMove, onDelete }: CardProps) {
  const { t, lang } = useI18n();
  const name = goal.title || t('goals.untitled');
  const due = parseDay(goal.due) ? formatDate(goal.due, lang) : goal.due;

  if (!canWrite) {
    return (
      <article className="goal-card" aria-label={t('goals.cardLabel', { number, title: name })} data-goal-id={goal.id}>
        <header className="goal-card__header">
          <span className="goal-card__number" aria-hidden="true">
            {number}
          </span>
          <h3 className="goal-card__title">{name}</h3>
          {goal.status && <span className={`status status--${goal.status}`}>{statusLabel(t, goal.status)}</span>}
        </header>
        <ItemDiscussion section={section} itemId={goal.id} label={name} votable />
        {goal.description && <p className="goal-card__description">{goal.description}</p>}
        <dl className="goal-card__facts">
          <div>
            <dt>{t('goals.metric')}</dt>
            <dd>{goal.metric || '—'}</dd>
          </div>
          <div>
            <dt>{t('goals.target')}</dt>
            <dd>{goal.target || '—'}</dd>
          </div>
          <div>
            <dt>{t('goals.due')}</dt>
            <dd>{due || '—'}</dd>
          </div>
        </dl>
      </article>
    );
  }

  return (
    <article className="goal-card goal-card--editing" aria-label={t('goals.cardLabel', { number, title: name })} data-goal-id={goal.id}>
      <header className="goal-card__header">
        <span className="goal-card__number" aria-hidden="true">
          {number}
        </span>
        <div className="goal-card__title-field">
          <YTextField
            map={goal.map}
            field="title"
            label={t('goals.title')}
            className="goal-card__title-input"
            placeholder={t('goals.titlePlaceholder')}
            multiline
          />
        </div>
      </header>
      <YTextField map={goal.map} field="description" label={t('goals.description')} multiline showLabel placeholder={t('goals.descriptionPlaceholder')} />
      <PlainField map={goal.map} field="metric" label={t('goals.metric')} value={goal.metric} />
      <div className="goal-card__grid">
        <PlainField map={goal.map} field="target" label={t('goals.target')} value={goal.target} />
        <DateField label={t('goals.due')} value={goal.due} onChange={(v) => setField(goal.map, 'due', v)} />
        <StatusSelect
          label={t('goals.status')}
          value={goal.status}
          options={GOAL_STATUSES}
          optionLabel={(s) => statusLabel(t, s)}
          onChange={(v) => setField(goal.map, 'status', v)}
        />
      </div>
      <footer className="goal-card__tools">
        <ItemDiscussion section={section} itemId={goal.id} label={name} votable />
        <button type="button" className="button button--small button--ghost" onClick={() => onMove(-1)} disabled={isFirst} aria-label={t('goals.moveUp', { title: name })} title={t('goals.moveUp', { title: name })}>
          ↑ {t('goals.earlier')}
        </button>
        <button type="button" className="button button--small button--ghost" onClick={() => onMove(1)} disabled={isLast} aria-label={t('goals.moveDown', { title: name })} title={t('goals.moveDown', { title: name })}>
          ↓ {t('goals.later')}
        </button>
        <button
          type="button"
          className="button button--small button--danger-text"
          onClick={() => {
            if (window.confirm(t('goals.confirmDelete', { title: name }))) onDelete();
          }}
          aria-label={t('goals.delete', { title: name })}
        >
          {t('common.delete')}
        </button>
      </footer>
    </article>
  );
}

type T = ReturnType<typeof useI18n>['t'];

export function statusLabel(t: T, status: string): string {
  const known = ['proposed', 'planned', 'agreed', 'in_progress', 'reached', 'done', 'dropped'];
  return known.includes(status) ? t(`status.${status as 'proposed'}`) : status;
}

function PlainField({ map, field, label, value }: { map: Y.Map<unknown>; field: string; label: string; value: string }) {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <input className="input" type="text" value={value} onChange={(e) => setField(map, field, e.target.value)} />
    </label>
  );
}
