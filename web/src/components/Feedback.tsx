import type { ReactNode } from 'react';
import { ApiError, type FieldError } from '../api/client';
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

/**
 * A field's error in the reader's language. The server's validator (pydantic) writes English
 * ("String should have at least 8 characters"); its error type and limits are said again here.
 */
export function fieldErrorText(error: FieldError, t: TFunction): string {
  const p = error.params ?? {};
  const num = (key: string) => (typeof p[key] === 'number' ? (p[key] as number) : Number(p[key]));
  switch (error.type) {
    case undefined:
    case '':
      return error.message;
    case 'missing':
      return t('validation.missing');
    case 'string_too_short':
      return num('min_length') > 1 ? t('validation.tooShort', { min: num('min_length') }) : t('validation.missing');
    case 'string_too_long':
      return t('validation.tooLong', { max: num('max_length') });
    case 'too_short':
      return t('validation.tooFew', { min: num('min_length') });
    case 'too_long':
      return t('validation.tooMany', { max: num('max_length') });
    case 'greater_than_equal':
    case 'greater_than':
      return t('validation.atLeast', { min: String(p.ge ?? p.gt ?? '') });
    case 'less_than_equal':
    case 'less_than':
      return t('validation.atMost', { max: String(p.le ?? p.lt ?? '') });
    case 'literal_error':
    case 'enum':
      return t('validation.choice');
    case 'int_parsing':
    case 'int_type':
    case 'int_from_float':
      return t('validation.number');
    case 'date_from_datetime_parsing':
    case 'date_parsing':
    case 'date_type':
    case 'datetime_parsing':
      return t('validation.date');
  }
  if (/(^|\.)email$/.test(error.field) || /email/i.test(error.message)) return t('validation.email');
  return t('validation.invalid');
}

export function fieldErrorOf(error: unknown, field: string, t: TFunction): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const found = error.fieldErrors.find((e) => e.field === field);
  return found ? fieldErrorText(found, t) : undefined;
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
            <li key={i}>{e.field ? `${e.field}: ${fieldErrorText(e, t)}` : fieldErrorText(e, t)}</li>
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
