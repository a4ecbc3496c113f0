import type { FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { invitations } from '../api/endpoints';
import type { InvitationPreview } from '../api/types';
import { AccountForm } from '../auth/AccountForm';
import { useAuth } from '../auth/AuthProvider';
import { ErrorMessage, Loading, Notice } from '../components/Feedback';
import { useI18n } from '../i18n/I18nProvider';
import { formatDate } from '../lib/format';
import { useAction } from '../lib/useAction';
import { useResource } from '../lib/useResource';

export function InvitePage() {
  const { t } = useI18n();
  const { token = '' } = useParams();
  const preview = useResource((signal) => invitations.preview(token, { signal }), [token]);

  if (preview.status === 'loading') return <Loading />;
  if (preview.status === 'error') {
    const err = preview.error;
    const gone = err instanceof ApiError && (err.status === 410 || err.code === 'invitation_gone');
    const unknown = err instanceof ApiError && err.status === 404;
    return (
      <div className="auth-page">
        <h1>{gone ? t('invite.goneTitle') : unknown ? t('invite.unknownTitle') : t('invite.title')}</h1>
        {gone ? <p>{t('invite.goneBody')}</p> : unknown ? <p>{t('invite.unknownBody')}</p> : <ErrorMessage error={err} />}
        <p>
          <Link to="/">{t('notFound.home')}</Link>
        </p>
      </div>
    );
  }
  return <InviteView token={token} invitation={preview.data} />;
}

function InviteView({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const { t, lang } = useI18n();
  const { user, refresh, logout } = useAuth();
  const navigate = useNavigate();
  const joining = useAction();

  const partyName =
    invitation.party === 'supplier'
      ? invitation.supplier_name || t('party.supplier')
      : invitation.customer_name || t('party.customer');
  const here = `/invite/${encodeURIComponent(token)}`;
  const loginHref = `/login?next=${encodeURIComponent(here)}`;

  async function accept(account?: { name: string; password: string }) {
    const result = await invitations.accept(token, account);
    // Accepting signs a new account in; learn who we are before entering the plan.
    if (!user) await refresh();
    navigate(`/plans/${encodeURIComponent(String(result.membership.plan_id))}`, { replace: true });
  }

  function join(event: FormEvent) {
    event.preventDefault();
    void joining.run(() => accept());
  }

  const emailMismatch = user && invitation.email && user.email.toLowerCase() !== invitation.email.toLowerCase();

  return (
    <div className="auth-page">
      <h1>{t('invite.title')}</h1>
      <div className="panel invite-summary">
        <p>
          {invitation.invited_by
            ? t('invite.invitedBy', { name: invitation.invited_by, plan: invitation.plan_title })
            : t('invite.invitedTo', { plan: invitation.plan_title })}
        </p>
        <p className="plan-card__parties">
          <span className="party-name party-name--supplier">{invitation.supplier_name || t('party.supplier')}</span>
          <span aria-hidden="true"> ↔ </span>
          <span className="party-name party-name--customer">{invitation.customer_name || t('party.customer')}</span>
        </p>
        <p>
          {t('invite.joinAs', { role: t(`role.${invitation.role}`).toLocaleLowerCase(lang), party: partyName })}
          {invitation.signatory && ` ${t('invite.asSignatory')}`}
        </p>
        <p className="muted">{t(`roleHint.${invitation.role}`)}</p>
        {invitation.expires_at && <p className="muted">{t('people.expires', { date: formatDate(invitation.expires_at, lang) })}</p>}
      </div>

      {user ? (
        <form className="form" onSubmit={join}>
          <p>{t('invite.signedInAs', { name: user.name || user.email })}</p>
          {emailMismatch && <Notice tone="warning">{t('invite.emailMismatch', { email: invitation.email })}</Notice>}
          <ErrorMessage error={joining.error} />
          <div className="form-actions">
            <button type="submit" className="button button--primary" disabled={joining.busy}>
              {joining.busy ? t('invite.joining') : t('invite.join')}
            </button>
            {emailMismatch && (
              <button type="button" className="button" onClick={() => void logout()} disabled={joining.busy}>
                {t('invite.useAnotherAccount')}
              </button>
            )}
          </div>
        </form>
      ) : invitation.account_exists ? (
        <div className="panel">
          <p>{t('invite.accountExists', { email: invitation.email })}</p>
          <Link className="button button--primary" to={loginHref}>
            {t('invite.signInToJoin')}
          </Link>
        </div>
      ) : (
        <AccountForm
          fields={['name', 'newPassword']}
          onSubmit={({ name, password }) => accept({ name, password })}
          submitLabel={t('invite.createAndJoin')}
          busyLabel={t('invite.joining')}
          footer={
            <p>
              {t('auth.haveAccount')} <Link to={loginHref}>{t('auth.signInLink')}</Link>
            </p>
          }
        >
          <h2>{t('invite.createAccountTitle')}</h2>
          <p>{t('invite.accountFor', { email: invitation.email })}</p>
        </AccountForm>
      )}
    </div>
  );
}
