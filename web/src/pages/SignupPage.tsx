import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { auth } from '../api/endpoints';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage, fieldErrorOf, Loading } from '../components/Feedback';
import { TextField } from '../components/Fields';
import { useT } from '../i18n/I18nProvider';
import { safeNextPath } from '../lib/format';

export function SignupPage() {
  const t = useT();
  const { user, config, configLoaded, setUser, refresh } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (user) return <Navigate to={next} replace />;

  const loginHref = next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;

  if (!configLoaded) return <Loading />;

  if (!config.allow_signup) {
    return (
      <div className="auth-page">
        <h1>{t('auth.signUpTitle')}</h1>
        <p>{t('auth.signupClosed')}</p>
        <p>
          <Link to={loginHref}>{t('auth.signInLink')}</Link>
        </p>
      </div>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const created = await auth.signup({ name: name.trim(), email: email.trim(), password });
      if (created) setUser(created);
      else await refresh();
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
      setSubmitting(false);
    }
  }

  return (
    <div className="auth-page">
      <h1>{t('auth.signUpTitle')}</h1>
      <form className="form panel" onSubmit={submit}>
        <TextField
          label={t('auth.name')}
          name="name"
          autoComplete="name"
          required
          autoFocus
          value={name}
          onChange={setName}
          error={fieldErrorOf(error, 'name')}
        />
        <TextField
          label={t('auth.email')}
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={setEmail}
          error={fieldErrorOf(error, 'email')}
        />
        <TextField
          label={t('auth.password')}
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint={t('auth.passwordRule')}
          value={password}
          onChange={setPassword}
          error={fieldErrorOf(error, 'password')}
        />
        <ErrorMessage error={error} fields={['name', 'email', 'password']} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={submitting}>
            {submitting ? t('auth.creatingAccount') : t('auth.createAccount')}
          </button>
        </div>
      </form>
      <p>
        {t('auth.haveAccount')} <Link to={loginHref}>{t('auth.signInLink')}</Link>
      </p>
    </div>
  );
}
