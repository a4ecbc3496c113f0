import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { auth } from '../api/endpoints';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage, fieldErrorOf } from '../components/Feedback';
import { TextField } from '../components/Fields';
import { useT } from '../i18n/I18nProvider';
import { safeNextPath } from '../lib/format';

export function LoginPage() {
  const t = useT();
  const { user, config, setUser, refresh } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (user) return <Navigate to={next} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const signedIn = await auth.login({ email: email.trim(), password });
      if (signedIn) setUser(signedIn);
      else await refresh();
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
      setSubmitting(false);
    }
  }

  const signupHref = next === '/' ? '/signup' : `/signup?next=${encodeURIComponent(next)}`;

  return (
    <div className="auth-page">
      <h1>{t('auth.signInTitle')}</h1>
      <form className="form panel" onSubmit={submit}>
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
        <TextField
          label={t('auth.password')}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={setPassword}
          error={fieldErrorOf(error, 'password')}
        />
        <ErrorMessage error={error} fields={['email', 'password']} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={submitting}>
            {submitting ? t('auth.signingIn') : t('auth.signIn')}
          </button>
        </div>
      </form>
      <p>
        <Link to="/reset">{t('auth.forgotPassword')}</Link>
      </p>
      {config.allow_signup && (
        <p>
          {t('auth.noAccount')} <Link to={signupHref}>{t('auth.signUpLink')}</Link>
        </p>
      )}
    </div>
  );
}
