import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { isMessageKey } from '../i18n/translate';
import { useT, type TFunction } from '../i18n/I18nProvider';

/** Plain-words text for any error a call can throw. */
export function errorText(error: unknown, t: TFunction): string {
  if (!(error instanceof ApiError)) return t('error.unexpected');
  if (error.status === 429 && error.retryAfter) {
    return t('error.too_many_attempts_wait', { seconds: error.retryAfter });
  }
  const key = `error.${error.code}`;
  if (isMessageKey(key)) return t(key);
  if (error.detail) return error.detail;
  if (error.fieldErrors.length) return t('error.check_fields');
  return t('error.unknown', { status: error.status });
}

export function fieldErrorOf(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldError(field) : undefined;
}

/**
 * An error shown next to the form or panel it belongs to. Field errors for `fields`
 * are expected to be shown at the fields themselves; the rest are listed here.
 */
export function ErrorMessage({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  const t = useT();
  if (!error) return null;
  const loose = error instanceof ApiError ? error.fieldErrors.filter((e) => !fields.includes(e.field)) : [];
  return (
    <div className="alert alert--error" role="alert">
      <p>{errorText(error, t)}</p>
      {loose.length > 0 && (
        <ul>
          {loose.map((e, i) => (
            <li key={i}>{e.field ? `${e.field}: ${e.message}` : e.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A load that failed: what went wrong, and a button to ask again. */
export function LoadFailed({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const t = useT();
  if (error == null) return null;
  return (
    <div>
      <ErrorMessage error={error} />
      <button type="button" className="button button--small" onClick={onRetry}>
        {t('common.retry')}
      </button>
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </p>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert alert--${tone}`} role="status">
      {children}
    </div>
  );
}
