import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage, fieldErrorOf, Loading, Notice } from '../components/Feedback';
import { TextField } from '../components/Fields';
import { useT } from '../i18n/I18nProvider';
import { useResource } from '../lib/useResource';

/** "Forgot your password?": an emailed link when the server sends email, otherwise who to ask. */
export function ResetRequestPage() {
  const t = useT();
  const { config, configLoaded } = useAuth();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (!configLoaded) return <Loading />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      await auth.requestReset(email.trim());
      setSentTo(email.trim());
    } catch (err) {
      setError(err);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <div className="auth-page">
      <h1>{t('reset.requestTitle')}</h1>
      {!config.smtp_enabled ? (
        <p>{t('reset.noEmail')}</p>
      ) : sentTo ? (
        <Notice tone="success">{t('reset.sent', { email: sentTo })}</Notice>
      ) : (
        <form className="form panel" onSubmit={submit}>
          <p>{t('reset.requestBody')}</p>
          <TextField
            label={t('auth.email')}
            type="email"
            name="email"
            autoComplete="email"
            required
            autoFocus
            value={email}
            onChange={setEmail}
            error={fieldErrorOf(error, 'email')}
          />
          <ErrorMessage error={error} fields={['email']} />
          <div className="form-actions">
            <button type="submit" className="button button--primary" disabled={submitting}>
              {submitting ? t('reset.sending') : t('reset.send')}
            </button>
          </div>
        </form>
      )}
      <p>
        <Link to="/login">{t('auth.signInLink')}</Link>
      </p>
    </div>
  );
}

/** The page a reset link opens: choose the new password, then on into the app. */
export function ResetPage() {
  const t = useT();
  const { token = '' } = useParams();
  const link = useResource((signal) => auth.openReset(token, { signal }), [token]);

  if (link.status === 'loading') return <Loading />;
  if (link.status === 'error') {
    const gone = link.error instanceof ApiError && link.error.status === 410;
    return (
      <div className="auth-page">
        <h1>{t('reset.goneTitle')}</h1>
        {gone ? <p>{t('reset.goneBody')}</p> : <ErrorMessage error={link.error} />}
        <p>
          <Link to="/reset">{t('reset.askAgain')}</Link>
        </p>
      </div>
    );
  }
  return <ChoosePassword token={token} email={link.data.email} />;
}

function ChoosePassword({ token, email }: { token: string; email: string }) {
  const t = useT();
  const { setUser, refresh } = useAuth();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const user = await auth.completeReset(token, password);
      if (user) setUser(user);
      else await refresh();
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
      setSubmitting(false);
    }
  }

  return (
    <div className="auth-page">
      <h1>{t('reset.chooseTitle')}</h1>
      <form className="form panel" onSubmit={submit}>
        <p>{t('reset.forEmail', { email })}</p>
        {/* Lets password managers file the new password under the right account. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <TextField
          label={t('reset.newPassword')}
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={10}
          autoFocus
          hint={t('auth.passwordRule')}
          value={password}
          onChange={setPassword}
          error={fieldErrorOf(error, 'password')}
        />
        <ErrorMessage error={error} fields={['password']} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={submitting}>
            {submitting ? t('reset.saving') : t('reset.save')}
          </button>
        </div>
      </form>
    </div>
  );
}
