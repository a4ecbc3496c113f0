import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { ErrorMessage, errorText, fieldErrorOf } from '../components/Feedback';
import { TextField } from '../components/Fields';
import { useT } from '../i18n/I18nProvider';
import { useAction } from '../lib/useAction';

/** The server's rule (server/auth/passwords.py MIN_LENGTH). */
export const PASSWORD_MIN_LENGTH = 10;

/** `password` signs in with the current one; `newPassword` chooses one (with the length rule). */
export type AccountField = 'name' | 'email' | 'password' | 'newPassword';

export interface AccountValues {
  name: string;
  email: string;
  password: string;
}

interface Props {
  fields: AccountField[];
  /** Called with the trimmed name and email; a rejection is shown at the fields it names. */
  onSubmit: (values: AccountValues) => Promise<unknown>;
  submitLabel: string;
  busyLabel: string;
  passwordLabel?: string;
  className?: string;
  /** Shown above the fields. */
  children?: ReactNode;
  /** Shown below the submit button, inside the form. */
  footer?: ReactNode;
}

/** The one account form: sign in, sign up, join by invitation, ask for and choose a new password. */
export function AccountForm({ fields, onSubmit, submitLabel, busyLabel, passwordLabel, className = 'form panel', children, footer }: Props) {
  const t = useT();
  const [values, setValues] = useState<AccountValues>({ name: '', email: '', password: '' });
  const { busy, error, run } = useAction();
  // Checked here before the server is asked, so the reason reads in the page's language at
  // the field (the browser's own bubble would be in the browser's language).
  const [local, setLocal] = useState<Partial<Record<'name' | 'email' | 'password', string>>>({});
  const set = (key: keyof AccountValues) => (value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    setLocal((l) => ({ ...l, [key]: undefined }));
  };

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof local = {};
    if (fields.includes('name') && !values.name.trim()) found.name = t('validation.missing');
    if (fields.includes('email') && !values.email.trim()) found.email = t('validation.missing');
    if (fields.includes('password') && !values.password) found.password = t('validation.missing');
    if (fields.includes('newPassword') && values.password.length < PASSWORD_MIN_LENGTH) {
      found.password = values.password ? t('error.password_too_short') : t('validation.missing');
    }
    setLocal(found);
    const first = Object.keys(found)[0];
    if (first) {
      event.currentTarget.querySelector<HTMLInputElement>(`input[name="${first}"]`)?.focus();
      return;
    }
    void run(() => onSubmit({ name: values.name.trim(), email: values.email.trim(), password: values.password }));
  }

  // The server's reasons a new password is refused belong at the password field too.
  const passwordRefusal = error instanceof ApiError && error.code.startsWith('password_') ? errorText(error, t) : undefined;
  const errorAt = (key: 'name' | 'email' | 'password') =>
    local[key] ?? fieldErrorOf(error, key, t) ?? (key === 'password' ? passwordRefusal : undefined);

  const field = (kind: AccountField, index: number) => {
    const autoFocus = index === 0;
    switch (kind) {
      case 'name':
        return (
          <TextField key={kind} label={t('auth.name')} name="name" autoComplete="name" required autoFocus={autoFocus}
            value={values.name} onChange={set('name')} error={errorAt('name')} />
        );
      case 'email':
        return (
          <TextField key={kind} label={t('auth.email')} type="email" name="email" autoComplete="email" required autoFocus={autoFocus}
            value={values.email} onChange={set('email')} error={errorAt('email')} />
        );
      case 'password':
        return (
          <TextField key={kind} label={passwordLabel ?? t('auth.password')} type="password" name="password" autoComplete="current-password"
            required autoFocus={autoFocus} value={values.password} onChange={set('password')} error={errorAt('password')} />
        );
      case 'newPassword':
        return (
          <TextField key={kind} label={passwordLabel ?? t('auth.password')} type="password" name="password" autoComplete="new-password"
            required minLength={PASSWORD_MIN_LENGTH} autoFocus={autoFocus} hint={t('auth.passwordRule')} value={values.password}
            onChange={set('password')} error={errorAt('password')} />
        );
    }
  };

  return (
    <form className={className} onSubmit={submit} noValidate>
      {children}
      {fields.map(field)}
      {!passwordRefusal && <ErrorMessage error={error} fields={fields.map((f) => (f === 'newPassword' ? 'password' : f))} />}
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
      {footer}
    </form>
  );
}
