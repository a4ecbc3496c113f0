import type { Connectivity } from '../collab/status';
import { useT } from '../i18n/I18nProvider';

/** Always on screen in the plan: live, connecting, reconnecting or offline. */
export function ConnectionBadge({ state }: { state: Connectivity }) {
  const t = useT();
  return (
    // What the trouble means for one's edits is said once, on one line, by the OfflineBadge beside it.
    <span className={`connection connection--${state}`} role="status" aria-live="polite" title={t(`connection.${state}Hint`)}>
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__label">{t(`connection.${state}`)}</span>
    </span>
  );
}
