import { useCallback, useSyncExternalStore } from 'react';
import type { VoteCounts } from '../api/discussion';
import { votes as votesApi } from '../api/endpoints';
import type { Section } from '../api/types';
import { ChatIcon } from '../components/Icons';
import { useI18n } from '../i18n/I18nProvider';
import { formatNumber } from '../lib/format';
import { usePlanContext } from '../sections/hooks';
import { useDiscussion } from './context';
import { useAction } from '../lib/useAction';

/** Open threads on an item, as a button that opens them in the comments panel. */
export function CommentButton({ section, itemId, label }: { section: Section; itemId: string; label: string }) {
  const { t, lang } = useI18n();
  const discussion = useDiscussion();
  if (!discussion) return null;
  const open = discussion.counts?.items.get(`${section.id}/${itemId}`) ?? 0;
  const name =
    open === 1
      ? t('comments.itemOpenThreadsOne', { item: label })
      : open > 0
        ? t('comments.itemOpenThreads', { count: formatNumber(open, lang), item: label })
        : t('comments.commentOn', { item: label });
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

/** One item's support votes, kept current from the event stream through the shared cache. */
export function useItemVotes(section: Section, itemId: string) {
  const { plan } = usePlanContext();
  const discussion = useDiscussion();
  const cache = discussion?.votes;
  const sectionId = String(section.id);
  useSyncExternalStore(cache?.subscribe ?? noSubscribe, cache?.getVersion ?? zero);
  const v: VoteCounts = cache?.get(sectionId, itemId) ?? { section_id: sectionId, item_id: itemId, counts: { supplier: 0, customer: 0 }, mine: false };
  const toggle = useCallback(async () => {
    if (!cache) return;
    const current = cache.get(sectionId, itemId);
    const next = await (current.mine ? votesApi.remove(plan.id, sectionId, itemId) : votesApi.add(plan.id, sectionId, itemId));
    if (next) cache.apply(sectionId, itemId, next.counts, next.mine);
  }, [cache, plan.id, sectionId, itemId]);
  return { votes: v, toggle };
}

const noSubscribe = () => () => undefined;
const zero = () => 0;

/** The comment button and, for proposals and goals, the support votes of one item. */
export function ItemDiscussion({ section, itemId, label, votable = false }: { section: Section; itemId: string; label: string; votable?: boolean }) {
  const discussion = useDiscussion();
  if (!discussion || !itemId) return null;
  return (
    <span className="item-discussion">
      {votable && <VoteButton section={section} itemId={itemId} label={label} />}
      <CommentButton section={section} itemId={itemId} label={label} />
    </span>
  );
}

/** "Support" with the count per party; the pressed state says whether I support it. */
export function VoteButton({ section, itemId, label }: { section: Section; itemId: string; label: string }) {
  const { t, lang } = useI18n();
  const { plan } = usePlanContext();
  const discussion = useDiscussion();
  const { busy, error, run } = useAction();
  const { votes: v, toggle } = useItemVotes(section, itemId);
  const counts = v.counts;
  const canVote = discussion?.canComment ?? false;
  const supplier = plan.supplier_name || t('party.supplier');
  const customer = plan.customer_name || t('party.customer');
  const s = formatNumber(counts.supplier ?? 0, lang);
  const c = formatNumber(counts.customer ?? 0, lang);
  return (
    <span className="votes">
      <button
        type="button"
        className={`button button--small votes__button${v.mine ? ' votes__button--mine' : ''}`}
        aria-pressed={v.mine}
        disabled={!canVote || busy}
        aria-label={t('votes.supportItem', { item: label })}
        title={canVote ? undefined : t('votes.viewersCannot')}
        onClick={() => void run(toggle)}
      >
        {v.mine ? t('votes.supported') : t('votes.support')}
      </button>
      {/* One name for the pair ("Support: 1 from …, 0 from …"); on screen, short company names. */}
      <span className="votes__counts" role="img" aria-label={t('votes.counts', { supplier, customer, s, c })} data-testid="vote-counts">
        <span className="votes__count votes__count--supplier" title={supplier}>
          {shortCompany(supplier)} {s}
        </span>
        <span className="votes__count votes__count--customer" title={customer}>
          {shortCompany(customer)} {c}
        </span>
      </span>
      {error != null && (
        <span className="field__error" role="alert">
          {t('votes.failed')}
        </span>
      )}
    </span>
  );
}

const LEGAL_FORM = /\s+(AS|ASA|SA|AB|A\/S|ApS|Oy|Oyj|GmbH|AG|BV|NV|SE|SpA|Ltd\.?|Limited|Inc\.?|LLC|plc)$/i;

/** A company's name without its legal form ("Nordlys Foods ASA" → "Nordlys Foods"). */
export function shortCompany(name: string): string {
  return name.replace(LEGAL_FORM, '') || name;
}
