import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { AccountForm, type AccountValues } from '../auth/AccountForm';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage, Loading, Notice } from '../components/Feedback';
import { useT } from '../i18n/I18nProvider';
import { useResource } from '../lib/useResource';

/** "Forgot your password?": an emailed link when the server sends email, otherwise who to ask. */
export function ResetRequestPage() {
  const t = useT();
  const { config, configLoaded } = useAuth();
  const [sentTo, setSentTo] = useState<string | null>(null);

  if (!configLoaded) return <Loading />;

  async function request({ email }: AccountValues) {
    await auth.requestReset(email);
    setSentTo(email);
  }

  return (
    <div className="auth-page">
      <h1>{t('reset.requestTitle')}</h1>
      {!config.smtp_enabled ? (
        <p>{t('reset.noEmail')}</p>
      ) : sentTo ? (
        <Notice tone="success">{t('reset.sent', { email: sentTo })}</Notice>
      ) : (
        <AccountForm fields={['email']} onSubmit={request} submitLabel={t('reset.send')} busyLabel={t('reset.sending')}>
          <p>{t('reset.requestBody')}</p>
        </AccountForm>
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
  const { setUser } = useAuth();
  const navigate = useNavigate();

  async function choose({ password }: AccountValues) {
    setUser(await auth.completeReset(token, password));
    navigate('/', { replace: true });
  }

  return (
    <div className="auth-page">
      <h1>{t('reset.chooseTitle')}</h1>
      <AccountForm
        fields={['newPassword']}
        onSubmit={choose}
        passwordLabel={t('reset.newPassword')}
        submitLabel={t('reset.save')}
        busyLabel={t('reset.saving')}
      >
        <p>{t('reset.forEmail', { email })}</p>
        {/* Lets password managers file the new password under the right account. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      </AccountForm>
    </div>
  );
}
