// Where the discussion meets the plan workspace: the toggle, the panel beside the section and
// the open-thread badges in the section navigator.
import { useEffect } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Section } from '../api/types';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { ChatIcon } from '../components/Icons';
import { useI18n } from '../i18n/I18nProvider';
import { formatNumber } from '../lib/format';
import { useEscape } from '../lib/useEscape';
import { CommentsPanel } from './CommentsPanel';
import { useDiscussion } from './context';

/** "Comments" with the section's open-thread count; opens and closes the panel. */
export function CommentsToggle({ section }: { section: Section }) {
  const { t, lang } = useI18n();
  const discussion = useDiscussion();
  if (!discussion) return null;
  const open = discussion.counts?.sections.get(String(section.id)) ?? 0;
  const showing = discussion.panelOpen;
  return (
    <button
      type="button"
      className={`button button--small comments-toggle${showing ? ' comments-toggle--on' : ''}`}
      aria-pressed={showing}
      aria-controls={showing ? 'comments-panel' : undefined}
      aria-label={open === 1 ? t('comments.toggleLabelOne') : t('comments.toggleLabel', { count: formatNumber(open, lang) })}
      onClick={() =>
        showing ? discussion.setPanelOpen(false) : discussion.openComments({ sectionId: String(section.id), itemId: null, itemLabel: null, range: null })
      }
    >
      <ChatIcon /> {t('comments.title')}
      <span className={`count-badge${open > 0 ? ' count-badge--on' : ''}`} data-testid="section-open-threads">
        {formatNumber(open, lang)}
      </span>
    </button>
  );
}

/** The comments panel as the workspace's third column, while it is open. */
export function CommentsSide({ section }: { section: Section | undefined }) {
  const { t } = useI18n();
  const discussion = useDiscussion();
  const [params, setParams] = useSearchParams();
  const wanted = params.get('thread');

  // Arriving from a notification: open the panel on that thread, then drop it from the address.
  useEffect(() => {
    if (!discussion || !wanted || !section) return;
    discussion.openComments({ sectionId: String(section.id), itemId: null, itemLabel: null, range: null });
    discussion.setFocusThreadId(wanted);
    const next = new URLSearchParams(params);
    next.delete('thread');
    setParams(next, { replace: true });
  }, [wanted, section?.id]);

  // Esc closes the panel; focus goes back to the button that opens it, not to the page's start.
  useEscape(Boolean(discussion?.panelOpen && section), () => {
    discussion?.setPanelOpen(false);
    document.querySelector<HTMLButtonElement>('.comments-toggle')?.focus();
  });

  if (!discussion || !discussion.panelOpen || !section) return null;
  return (
    <div className="comments-side" id="comments-panel">
      <ErrorBoundary
        resetKeys={[section.id]}
        fallback={(_error, retry) => (
          <div className="alert alert--error" role="alert">
            <p>{t('comments.panelBroken')}</p>
            <button type="button" className="button button--small" onClick={retry}>
              {t('common.retry')}
            </button>
          </div>
        )}
      >
        <CommentsPanel key={String(section.id)} section={section} />
      </ErrorBoundary>
    </div>
  );
}

/** The number of open threads on a section, for the navigator. */
export function SectionThreadBadge({ section }: { section: Section }) {
  const { t, lang } = useI18n();
  const discussion = useDiscussion();
  const open = discussion?.counts?.sections.get(String(section.id)) ?? 0;
  if (open <= 0) return null;
  const label = open === 1 ? t('comments.sectionOpenThreadsOne') : t('comments.sectionOpenThreads', { count: formatNumber(open, lang) });
  return (
    <span className="count-badge count-badge--on navigator__threads" title={label}>
      <span aria-hidden="true" data-testid="nav-open-threads">
        {formatNumber(open, lang)}
      </span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}
