import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { auth } from '../api/endpoints';
import { AccountForm, type AccountValues } from '../auth/AccountForm';
import { useAuth } from '../auth/AuthProvider';
import { Loading } from '../components/Feedback';
import { useT } from '../i18n/I18nProvider';
import { safeNextPath } from '../lib/format';

export function SignupPage() {
  const t = useT();
  const { user, config, configLoaded, setUser } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));

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

  async function signUp({ name, email, password }: AccountValues) {
    setUser(await auth.signup({ name, email, password }));
    navigate(next, { replace: true });
  }

  return (
    <div className="auth-page">
      <h1>{t('auth.signUpTitle')}</h1>
      <AccountForm
        fields={['name', 'email', 'newPassword']}
        onSubmit={signUp}
        submitLabel={t('auth.createAccount')}
        busyLabel={t('auth.creatingAccount')}
      />
      <p>
        {t('auth.haveAccount')} <Link to={loginHref}>{t('auth.signInLink')}</Link>
      </p>
    </div>
  );
}
