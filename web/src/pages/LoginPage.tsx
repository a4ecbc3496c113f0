import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { auth } from '../api/endpoints';
import { AccountForm, type AccountValues } from '../auth/AccountForm';
import { useAuth } from '../auth/AuthProvider';
import { useT } from '../i18n/I18nProvider';
import { safeNextPath } from '../lib/format';

export function LoginPage() {
  const t = useT();
  const { user, config, setUser } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));

  if (user) return <Navigate to={next} replace />;

  async function signIn({ email, password }: AccountValues) {
    setUser(await auth.login({ email, password }));
    navigate(next, { replace: true });
  }

  const signupHref = next === '/' ? '/signup' : `/signup?next=${encodeURIComponent(next)}`;

  return (
    <div className="auth-page">
      <h1>{t('auth.signInTitle')}</h1>
      <AccountForm fields={['email', 'password']} onSubmit={signIn} submitLabel={t('auth.signIn')} busyLabel={t('auth.signingIn')} />
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
