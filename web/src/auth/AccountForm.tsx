import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorMessage, fieldErrorOf } from '../components/Feedback';
import { TextField } from '../components/Fields';
import { useT } from '../i18n/I18nProvider';
import { useAction } from '../lib/useAction';

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
  const set = (key: keyof AccountValues) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(() => onSubmit({ name: values.name.trim(), email: values.email.trim(), password: values.password }));
  }

  const field = (kind: AccountField, index: number) => {
    const autoFocus = index === 0;
    switch (kind) {
      case 'name':
        return (
          <TextField key={kind} label={t('auth.name')} name="name" autoComplete="name" required autoFocus={autoFocus}
            value={values.name} onChange={set('name')} error={fieldErrorOf(error, 'name')} />
        );
      case 'email':
        return (
          <TextField key={kind} label={t('auth.email')} type="email" name="email" autoComplete="email" required autoFocus={autoFocus}
            value={values.email} onChange={set('email')} error={fieldErrorOf(error, 'email')} />
        );
      case 'password':
        return (
          <TextField key={kind} label={passwordLabel ?? t('auth.password')} type="password" name="password" autoComplete="current-password"
            required autoFocus={autoFocus} value={values.password} onChange={set('password')} error={fieldErrorOf(error, 'password')} />
        );
      case 'newPassword':
        return (
          <TextField key={kind} label={passwordLabel ?? t('auth.password')} type="password" name="password" autoComplete="new-password"
            required minLength={10} autoFocus={autoFocus} hint={t('auth.passwordRule')} value={values.password}
            onChange={set('password')} error={fieldErrorOf(error, 'password')} />
        );
    }
  };

  return (
    <form className={className} onSubmit={submit}>
      {children}
      {fields.map(field)}
      <ErrorMessage error={error} fields={fields.map((f) => (f === 'newPassword' ? 'password' : f))} />
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
      {footer}
    </form>
  );
}
