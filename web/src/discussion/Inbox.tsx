// The notifications inbox in the top bar: unread count, the list, mark read, and a way to the thread.
import { useEffect, useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Notification } from '../api/discussion';
import { notifications as notificationsApi, threads as threadsApi } from '../api/endpoints';
import { ErrorMessage, Loading, LoadFailed } from '../components/Feedback';
import { BellIcon } from '../components/Icons';
import { inboxSignal } from '../collab/planEvents';
import { useI18n } from '../i18n/I18nProvider';
import { formatDateTime, formatNumber } from '../lib/format';
import { useResource } from '../lib/useResource';
import { notificationText, readableExcerpt, threadLink } from './inbox';
import { useAction } from '../lib/useAction';
import { useEscape } from '../lib/useEscape';

/** Refreshes the inbox on a new notification in an open plan, on focus, and now and then. */
function useInbox() {
  const res = useResource((signal) => notificationsApi.list({ signal }), []);
  const { reload } = res;
  useEffect(() => {
    const onChanged = () => reload();
    const onVisible = () => {
      if (document.visibilityState === 'visible') reload();
    };
    inboxSignal.addEventListener('changed', onChanged);
    window.addEventListener('focus', onChanged);
    document.addEventListener('visibilitychange', onVisible);
    const timer = window.setInterval(onVisible, 60_000);
    return () => {
      inboxSignal.removeEventListener('changed', onChanged);
      window.removeEventListener('focus', onChanged);
      document.removeEventListener('visibilitychange', onVisible);
      window.clearInterval(timer);
    };
  }, [reload]);
  return res;
}

export function NotificationsInbox() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const inbox = useInbox();
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useAction();
  const panelId = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const unread = inbox.data?.unread ?? 0;
  const items = inbox.data?.items ?? [];

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
  useEscape(open, () => {
    setOpen(false);
    wrap.current?.querySelector<HTMLButtonElement>('.inbox__toggle')?.focus();
  });

  const markRead = (body: { ids?: string[]; all: boolean }) =>
    run(async () => {
      await notificationsApi.markRead(body);
      inbox.reload();
    });

  const go = (n: Notification) =>
    run(async () => {
      if (!n.read_at) void notificationsApi.markRead({ ids: [n.id], all: false }).then(inbox.reload, () => undefined);
      // The notification names the thread; the thread says where it lives (and that I may still read it).
      const thread = await threadsApi.get(n.plan_id, n.thread_id);
      setOpen(false);
      navigate(threadLink(n.plan_id, thread.section_id, thread.id));
    });

  const label = unread > 0 ? t('inbox.labelUnread', { count: formatNumber(unread, lang) }) : t('inbox.label');
  return (
    <div className="inbox" ref={wrap}>
      <button
        type="button"
        className="button button--ghost inbox__toggle"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={label}
        title={label}
        onClick={() => {
          setOpen((o) => !o);
          if (!open) inbox.reload();
        }}
      >
        <BellIcon />
        {unread > 0 && (
          <span className="count-badge count-badge--on inbox__count" data-testid="inbox-unread" aria-hidden="true">
            {formatNumber(unread, lang)}
          </span>
        )}
      </button>
      <div id={panelId} className="inbox__panel" role="region" aria-label={t('inbox.title')} hidden={!open}>
        <div className="inbox__header">
          <h2 className="inbox__title">{t('inbox.title')}</h2>
          <button type="button" className="button button--small" disabled={busy || unread === 0} onClick={() => markRead({ all: true })}>
            {t('inbox.markAllRead')}
          </button>
        </div>
        {error != null && <ErrorMessage error={error} />}
        {inbox.status === 'error' && <LoadFailed error={inbox.error} onRetry={inbox.reload} />}
        {!inbox.data ? (
          inbox.status === 'loading' ? <Loading /> : null
        ) : items.length === 0 ? (
          <p className="muted inbox__empty">{t('inbox.empty')}</p>
        ) : (
          <ul className="inbox__list">
            {items.map((n) => (
              <li key={n.id} className={`inbox__item${n.read_at ? '' : ' inbox__item--unread'}`}>
                <button type="button" className="inbox__open" onClick={() => void go(n)}>
                  <span className="inbox__what">
                    {!n.read_at && <span className="visually-hidden">{t('inbox.unread')}: </span>}
                    {t(notificationText(n.kind), { name: n.actor?.name || t('inbox.someone') })}
                  </span>
                  {n.excerpt && <span className="inbox__excerpt">“{readableExcerpt(n.excerpt)}”</span>}
                  <span className="inbox__where muted">
                    {n.plan_title} · {formatDateTime(n.created_at, lang)}
                  </span>
                </button>
                {!n.read_at && (
                  <button type="button" className="link-button inbox__read" disabled={busy} onClick={() => markRead({ ids: [n.id], all: false })}>
                    {t('inbox.markRead')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
