import type { Connectivity } from '../collab/status';
import type { PlanLinks } from '../collab/pool';
import { useLinksVersion } from '../sections/hooks';
import { useT } from '../i18n/I18nProvider';

/**
 * Next to the connection badge: when the connection is gone, or edits have not reached the
 * server yet, say plainly that they are kept on this device and sent later.
 */
export function OfflineBadge({ links, connectivity }: { links: PlanLinks; connectivity: Connectivity }) {
  const t = useT();
  useLinksVersion(links);
  const pending = links.pendingCount();
  const cut = connectivity === 'offline' || connectivity === 'reconnecting';
  if (!cut && pending === 0) return null;
  const hint =
    pending === 0 ? t('offline.savedHint') : pending === 1 ? t('offline.pendingOne') : t('offline.pendingMany', { count: pending });
  // One line beside the badge (the header must not grow); the whole text is in the title.
  return (
    <span className="offline-badge" role="status" data-testid="offline-badge" title={`${t('offline.saved')}. ${hint}`}>
      {/* With edits waiting, that line says it all; the label stays for screen readers. */}
      <span className={pending === 0 ? 'offline-badge__label' : 'visually-hidden'}>{t('offline.saved')}</span>
      <span className="offline-badge__hint">{hint}</span>
    </span>
  );
}
