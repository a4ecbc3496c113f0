import type { Connectivity } from '../collab/status';
import { useT } from '../i18n/I18nProvider';

/** Always on screen in the plan: live, connecting, reconnecting or offline. */
export function ConnectionBadge({ state }: { state: Connectivity }) {
  const t = useT();
  const trouble = state === 'offline' || state === 'reconnecting';
  return (
    <span className="connection-wrap">
      <span className={`connection connection--${state}`} role="status" aria-live="polite" title={t(`connection.${state}Hint`)}>
        <span className="connection__dot" aria-hidden="true" />
        <span className="connection__label">{t(`connection.${state}`)}</span>
      </span>
      {/* Nobody hovers on a projector: when it matters, say what it means. */}
      {trouble && <span className="connection__hint">{t(`connection.${state}Hint`)}</span>}
    </span>
  );
}
