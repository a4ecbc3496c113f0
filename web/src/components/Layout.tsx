import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth/AuthProvider';
import { useT } from '../i18n/I18nProvider';
import { useAction } from '../lib/useAction';
import { ErrorMessage, Loading } from './Feedback';
import { LanguageSwitcher } from './LanguageSwitcher';
import { NotificationsInbox } from '../discussion/Inbox';

export function Layout() {
  const t = useT();
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const { busy: signingOut, error: signOutError, run } = useAction();

  const signOut = () =>
    run(async () => {
      await logout();
      navigate('/login');
    });

  return (
    <>
      <a className="skip-link" href="#main">
        {t('layout.skipToContent')}
      </a>
      <header className="app-header">
        <Link to="/" className="app-header__brand">
          <span className="brand-mark" aria-hidden="true" />
          JointPlan
        </Link>
        <nav className="app-header__nav" aria-label={t('layout.mainNav')}>
          {user && <Link to="/">{t('layout.myPlans')}</Link>}
        </nav>
        <div className="app-header__tools">
          <LanguageSwitcher />
          {user && (
            <>
              <NotificationsInbox />
              <span className="app-header__user" title={user.email}>
                {user.name || user.email}
              </span>
              <button type="button" className="button button--ghost" onClick={signOut} disabled={signingOut}>
                {signingOut ? t('auth.signingOut') : t('auth.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      {signOutError != null && (
        <div className="container">
          <ErrorMessage error={signOutError} />
        </div>
      )}
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

/** Lets signed-in users through; sends everyone else to sign in and back again after. */
export function RequireAuth() {
  const { user, error } = useAuth();
  const location = useLocation();
  const t = useT();
  if (user === undefined) return <Loading label={t('auth.checking')} />;
  if (user === null) {
    if (error) {
      return (
        <div className="container">
          <ErrorMessage error={error} />
        </div>
      );
    }
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}
