import { useCallback, useMemo, useState } from 'react';
import type { VoteCounts } from '../api/discussion';
import { votes as votesApi } from '../api/endpoints';
import type { Section } from '../api/types';
import { ChatIcon } from '../components/Icons';
import { usePlanEvent } from '../collab/planEvents';
import { useI18n } from '../i18n/I18nProvider';
import { formatNumber } from '../lib/format';
import { useResource } from '../lib/useResource';
import { usePlanContext } from '../sections/hooks';
import { useDiscussion } from './context';

/** Open threads on an item, as a button that opens them in the comments panel. */
export function CommentButton({ section, itemId, label }: { section: Section; itemId: string; label: string }) {
  const { t, lang } = useI18n();
  const discussion = useDiscussion();
  if (!discussion) return null;
  const open = discussion.counts?.items.get(`${section.id}/${itemId}`) ?? 0;
  const name = open > 0 ? t('comments.itemOpenThreads', { count: formatNumber(open, lang), item: label }) : t('comments.commentOn', { item: label });
  return (
    <button
      type="button"
      className={`button button--small button--ghost comment-button${open > 0 ? ' comment-button--open' : ''}`}
      aria-label={name}
      title={name}
      onClick={() => discussion.openComments({ sectionId: String(section.id), itemId, itemLabel: label, range: null })}
    >
      <ChatIcon /> {open > 0 ? formatNumber(open, lang) : t('comments.comment')}
    </button>
  );
}

export interface Votes {
  get: (itemId: string) => VoteCounts | undefined;
  toggle: (itemId: string) => Promise<void>;
}

/** Support votes of one section's items, kept current from the event stream. */
export function useVotes(section: Section): Votes {
  const { plan } = usePlanContext();
  const res = useResource((signal) => votesApi.list(plan.id, section.id, { signal }), [plan.id, section.id]);
  usePlanEvent((type, data) => type === 'vote.changed' && String(data.section_id) === String(section.id), res.reload);
  const [local, setLocal] = useState(new Map<string, VoteCounts>());
  const byItem = useMemo(() => {
    const map = new Map<string, VoteCounts>();
    for (const v of res.data ?? []) map.set(v.item_id, v);
    for (const [k, v] of local) map.set(k, v);
    return map;
  }, [res.data, local]);
  const toggle = useCallback(
    async (itemId: string) => {
      const mine = byItem.get(itemId)?.mine ?? false;
      const next = await (mine ? votesApi.remove(plan.id, section.id, itemId) : votesApi.add(plan.id, section.id, itemId));
      if (next) setLocal((m) => new Map(m).set(itemId, { ...next, item_id: itemId }));
      res.reload();
    },
    [byItem, plan.id, section.id, res],
  );
  return { get: (itemId) => byItem.get(itemId), toggle };
}

/** "Support" with the count per party; the pressed state says whether I support it. */
export function VoteButton({ votes, itemId, label }: { votes: Votes; itemId: string; label: string }) {
  const { t, lang } = useI18n();
  const { plan } = usePlanContext();
  const discussion = useDiscussion();
  const [error, setError] = useState(false);
  const v = votes.get(itemId);
  const counts = v?.counts ?? { supplier: 0, customer: 0 };
  const canVote = discussion?.canComment ?? false;
  const summary = t('votes.counts', {
    supplier: plan.supplier_name || t('party.supplier'),
    customer: plan.customer_name || t('party.customer'),
    s: formatNumber(counts.supplier, lang),
    c: formatNumber(counts.customer, lang),
  });
  return (
    <span className="votes">
      <button
        type="button"
        className={`button button--small votes__button${v?.mine ? ' votes__button--mine' : ''}`}
        aria-pressed={v?.mine ?? false}
        disabled={!canVote}
        aria-label={t('votes.supportItem', { item: label })}
        onClick={() => {
          setError(false);
          votes.toggle(itemId).catch(() => setError(true));
        }}
      >
        {v?.mine ? t('votes.supported') : t('votes.support')}
      </button>
      <span className="votes__counts" title={summary}>
        <span className="votes__count votes__count--supplier">
          <span className="visually-hidden">{plan.supplier_name || t('party.supplier')}: </span>
          {formatNumber(counts.supplier, lang)}
        </span>
        <span className="votes__count votes__count--customer">
          <span className="visually-hidden">{plan.customer_name || t('party.customer')}: </span>
          {formatNumber(counts.customer, lang)}
        </span>
      </span>
      {error && <span className="field__error">{t('votes.failed')}</span>}
    </span>
  );
}
