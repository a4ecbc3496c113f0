import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { sameId } from '../api/decode';
import { invitations as invitationsApi, members as membersApi } from '../api/endpoints';
import {
  PARTIES,
  ROLES,
  type CreatedInvitation,
  type Invitation,
  type Member,
  type Party,
  type PlanBase,
  type Role,
} from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { usePlanEvent } from '../collab/planEvents';
import { useI18n, type TFunction } from '../i18n/I18nProvider';
import { absoluteUrl, formatDate, formatDateTime } from '../lib/format';
import { useAction } from '../lib/useAction';
import { useResource } from '../lib/useResource';
import { usePartyName } from './Badges';
import { CopyButton } from './CopyButton';
import { ErrorMessage, fieldErrorOf, Loading, LoadFailed } from './Feedback';
import { CheckboxField, SelectField, TextField } from './Fields';

/**
 * Who is in the plan, and who invited them, for every member; facilitators also manage the
 * people they may manage and invite. Only what the server allows is offered: each member row
 * and the member list carry the reader's rights, computed by the server's policy.
 */
export function PeoplePanel({ plan }: { plan: PlanBase }) {
  const { t } = useI18n();
  const membersRes = useResource((signal) => membersApi.listWithRights(plan.id, { signal }), [plan.id]);
  const inviteParties = membersRes.data?.invite_parties ?? [];
  const canInvite = inviteParties.length > 0;
  const invitesRes = useResource(
    (signal) => (canInvite ? invitationsApi.list(plan.id, { signal }) : Promise.resolve([])),
    [plan.id, canInvite],
  );
  // Someone accepts an invitation or another facilitator changes a member: show it without a reload.
  const memberEvent = (type: string) => type.startsWith('member.');
  usePlanEvent(memberEvent, membersRes.reload);
  usePlanEvent(memberEvent, invitesRes.reload);

  return (
    <div className="people">
      <section className="panel" aria-labelledby="members-title">
        <h2 id="members-title">{t('people.members')}</h2>
        {membersRes.status === 'loading' && !membersRes.data && <Loading />}
        {membersRes.status === 'error' && <LoadFailed error={membersRes.error} onRetry={membersRes.reload} />}
        {membersRes.data && (
          <MembersTable plan={plan} members={membersRes.data.items} onChanged={membersRes.reload} />
        )}
      </section>

      {canInvite && (
        <section className="panel" aria-labelledby="invite-title">
          <h2 id="invite-title">{t('people.invite')}</h2>
          <InviteForm plan={plan} parties={inviteParties} onCreated={invitesRes.reload} />
        </section>
      )}

      {canInvite && (
        <section className="panel" aria-labelledby="pending-title">
          <h2 id="pending-title">{t('people.pending')}</h2>
          {invitesRes.status === 'loading' && !invitesRes.data && <Loading />}
          {invitesRes.status === 'error' && <LoadFailed error={invitesRes.error} onRetry={invitesRes.reload} />}
          {invitesRes.data && <PendingInvitations plan={plan} invitations={invitesRes.data} onChanged={invitesRes.reload} />}
        </section>
      )}
    </div>
  );
}

function MembersTable({ plan, members, onChanged }: { plan: PlanBase; members: Member[]; onChanged: () => void }) {
  const { t } = useI18n();
  if (members.length === 0) return <p className="muted">{t('people.noMembers')}</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{t('people.members')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('people.person')}</th>
            <th scope="col">{t('people.party')}</th>
            <th scope="col">{t('people.role')}</th>
            <th scope="col">{t('people.signatory')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('people.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <MemberRow key={String(member.id)} plan={plan} member={member} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Asked = Partial<Pick<Member, 'role' | 'signatory'>>;

/** The asked-for values the server's member does not show yet. */
export function unconfirmed(asked: Asked, member: Member): Asked {
  const left = Object.fromEntries(Object.entries(asked).filter(([key, value]) => member[key as keyof Asked] !== value));
  return Object.keys(left).length === Object.keys(asked).length ? asked : (left as Asked);
}

function withoutKeys(asked: Asked, change: Asked): Asked {
  return Object.fromEntries(Object.entries(asked).filter(([key]) => !(key in change))) as Asked;
}

function MemberRow({ plan, member, onChanged }: { plan: PlanBase; member: Member; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { user, config } = useAuth();
  const partyName = usePartyName();
  const action = useAction(onChanged);
  const { busy, error } = action;
  const isMe = sameId(user?.id, member.user.id);
  const [resetLink, setResetLink] = useState<{ url: string; expires_at: string } | null>(null);
  // Only someone who manages this member may hand them a reset link (the server decides too).
  const canIssueReset =
    !isMe && !config.smtp_enabled && member.can_set_signatory && member.party === plan.my_membership?.party;
  const who = member.user.name || member.user.email;

  // What we asked for shows at once (a controlled control would otherwise jump back until
  // the list is fetched again) and stays until the server's list says the same; an error
  // puts the server's value back. Two quick changes in a row both stay on screen.
  const [asked, setAsked] = useState<Asked>({});
  const shown = { ...member, ...asked };
  useEffect(() => setAsked((prev) => unconfirmed(prev, member)), [member]);

  async function run(call: () => Promise<unknown>, change: Asked = {}) {
    setAsked((prev) => ({ ...prev, ...change }));
    if (!(await action.run(call))) setAsked((prev) => withoutKeys(prev, change));
  }

  function remove() {
    if (window.confirm(t('people.confirmRemove', { name: who }))) {
      void run(() => membersApi.remove(plan.id, member.id));
    }
  }

  function issueReset() {
    if (window.confirm(t('people.confirmIssueReset', { name: who }))) {
      void run(async () => setResetLink(await membersApi.issueReset(plan.id, member.id)));
    }
  }

  return (
    <>
      <tr aria-busy={busy || undefined}>
        <td>
          <div className="person">
            <strong>{member.user.name || t('people.noName')}</strong>
            {isMe && <span className="muted"> ({t('people.you')})</span>}
            <div className="muted">{member.user.email}</div>
            <div className="muted invited-by">{invitedBy(member, plan, t, partyName)}</div>
          </div>
        </td>
        <td>{partyName(plan, member.party)}</td>
        <td>
          {member.role_options.length > 1 ? (
            <>
              <label className="visually-hidden" htmlFor={`role-${member.id}`}>
                {t('people.roleOf', { name: who })}
              </label>
              <select
                id={`role-${member.id}`}
                className="input input--compact"
                value={shown.role}
                disabled={busy}
                onChange={(e) => {
                  const role = e.target.value as Role;
                  void run(() => membersApi.update(plan.id, member.id, { role }), { role });
                }}
              >
                {ROLES.filter((r) => r === shown.role || member.role_options.includes(r)).map((r) => (
                  <option key={r} value={r}>
                    {t(`role.${r}`)}
                  </option>
                ))}
              </select>
            </>
          ) : (
            <span className="member-role">{t(`role.${member.role}`)}</span>
          )}
        </td>
        <td>
          <input
            type="checkbox"
            id={`signatory-${member.id}`}
            checked={shown.signatory}
            disabled={busy || !member.can_set_signatory}
            aria-label={t('people.signatoryOf', { name: who })}
            onChange={(e) => {
              const signatory = e.target.checked;
              void run(() => membersApi.update(plan.id, member.id, { signatory }), { signatory });
            }}
          />
        </td>
        <td>
          {member.can_remove && (
            <button type="button" className="button button--danger button--small" disabled={busy} onClick={remove}>
              {isMe ? t('people.leave') : t('people.remove')}
              <span className="visually-hidden"> {who}</span>
            </button>
          )}
          {/* Servers without email: the member's own facilitator hands over a reset link. */}
          {canIssueReset && (
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              aria-label={t('people.issueResetFor', { name: who })}
              onClick={issueReset}
            >
              {t('people.issueReset')}
            </button>
          )}
        </td>
      </tr>
      {resetLink && (
        <tr>
          <td colSpan={5}>
            <div className="alert alert--success invite-result" role="status">
              <p>{t('people.resetIssued', { name: who, date: formatDateTime(resetLink.expires_at, lang) })}</p>
              <div className="invite-result__row">
                <span className="invite-result__label">{t('people.resetLink')}</span>
                <code className="invite-result__value">{resetLink.url}</code>
                <CopyButton text={resetLink.url} what={t('people.resetLink')} />
              </div>
            </div>
          </td>
        </tr>
      )}
      {error != null && (
        <tr>
          <td colSpan={5}>
            <ErrorMessage error={error} />
          </td>
        </tr>
      )}
    </>
  );
}

/** "Invited by Kari (Fjordpack AS)", or that they created the plan. */
export function invitedBy(
  member: Pick<Member, 'invited_by'>,
  plan: Pick<PlanBase, 'supplier_name' | 'customer_name'>,
  t: TFunction,
  partyName: (plan: Pick<PlanBase, 'supplier_name' | 'customer_name'>, party: Party) => string,
): string {
  const by = member.invited_by;
  if (!by) return t('people.notInvited');
  if (!by.party) return t('people.invitedBy', { name: by.name });
  return t('people.invitedByParty', { name: by.name, party: partyName(plan, by.party) });
}

function InviteForm({ plan, parties, onCreated }: { plan: PlanBase; parties: Party[]; onCreated: () => void }) {
  const { t } = useI18n();
  const partyName = usePartyName();
  const [email, setEmail] = useState('');
  const mine = plan.my_membership?.party;
  const [party, setParty] = useState<Party>(mine && parties.includes(mine) ? mine : parties[0] ?? 'supplier');
  const [role, setRole] = useState<Role>('editor');
  const [signatory, setSignatory] = useState(false);
  const { busy: submitting, error, run } = useAction(onCreated);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  // The button stays reachable (and clickable) with the email empty; submitting says what is missing.
  const [emailProblem, setEmailProblem] = useState<string | undefined>();
  const emailRef = useRef<HTMLInputElement>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    const address = email.trim();
    const problem = !address ? t('people.emailRequired') : !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) ? t('people.emailInvalid') : undefined;
    setEmailProblem(problem);
    if (problem) {
      emailRef.current?.focus();
      return;
    }
    void run(async () => {
      setCreated(await invitationsApi.create(plan.id, { email: email.trim(), party, role, signatory }));
      setEmail('');
      setSignatory(false);
    });
  }

  return (
    <>
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="off"
          required
          value={email}
          onChange={(value) => {
            setEmail(value);
            setEmailProblem(undefined);
          }}
          ref={emailRef}
          error={emailProblem ?? fieldErrorOf(error, 'email', t)}
        />
        <div className="form-row">
          <SelectField
            label={t('people.party')}
            value={party}
            onChange={setParty}
            options={PARTIES.filter((p) => parties.includes(p)).map((p) => ({
              value: p,
              label: `${t(`party.${p}`)} – ${partyName(plan, p)}`,
            }))}
          />
          <SelectField
            label={t('people.role')}
            value={role}
            onChange={setRole}
            options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
            hint={t(`roleHint.${role}`)}
          />
        </div>
        <CheckboxField label={t('people.signatory')} checked={signatory} onChange={setSignatory} hint={t('people.signatoryHint')} />
        <ErrorMessage error={error} fields={['email']} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={submitting}>
            {submitting ? t('people.inviting') : t('people.sendInvite')}
          </button>
        </div>
      </form>

      {created && <InvitationLink invitation={created} message={t('people.inviteCreated', { email: created.email })} />}
    </>
  );
}

/** A link just issued (and, without email, its code): shown once, with copy buttons. */
function InvitationLink({ invitation, message }: { invitation: CreatedInvitation; message: string }) {
  const { t, lang } = useI18n();
  const link = absoluteUrl(invitation.url || (invitation.token ? `/invite/${invitation.token}` : ''), window.location.origin);
  const codeHintId = useId();
  return (
    <div className="alert alert--success invite-result" role="status">
      <p>{message}</p>
      {invitation.emailed && <p>{t('people.inviteEmailed', { email: invitation.email })}</p>}
      {link && (
        <div className="invite-result__row">
          <span className="invite-result__label">{t('people.inviteLink')}</span>
          <code className="invite-result__value">{link}</code>
          <CopyButton text={link} what={t('people.inviteLink')} />
        </div>
      )}
      {invitation.code && (
        <>
          <div className="invite-result__row">
            <span className="invite-result__label">{t('people.inviteCode')}</span>
            <code className="invite-result__value invite-result__code" aria-describedby={codeHintId}>
              {invitation.code}
            </code>
            <CopyButton text={invitation.code} what={t('people.inviteCode')} />
          </div>
          <p className="muted invite-result__hint" id={codeHintId}>
            {t('people.inviteCodeHint')}
          </p>
        </>
      )}
      {invitation.expires_at && <p className="muted">{t('people.expires', { date: formatDate(invitation.expires_at, lang) })}</p>}
    </div>
  );
}

function PendingInvitations({ plan, invitations, onChanged }: { plan: PlanBase; invitations: Invitation[]; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const partyName = usePartyName();
  const [busyId, setBusyId] = useState<string | null>(null);
  const { error, run } = useAction(onChanged);
  // The link is stored hashed and cannot be shown again: "New link" issues another.
  const [issued, setIssued] = useState<CreatedInvitation | null>(null);
  const myParty = plan.my_membership?.party;
  const pending = invitations.filter((inv) => !inv.accepted_at && !inv.revoked_at);

  if (pending.length === 0) return <p className="muted">{t('people.noPending')}</p>;

  async function newLink(invitation: Invitation) {
    if (!window.confirm(t('people.confirmNewLink', { email: invitation.email }))) return;
    setBusyId(String(invitation.id));
    setIssued(null);
    await run(async () => setIssued(await invitationsApi.reissue(plan.id, invitation.id)));
    setBusyId(null);
  }

  async function revoke(invitation: Invitation) {
    if (!window.confirm(t('people.confirmRevoke', { email: invitation.email }))) return;
    setBusyId(String(invitation.id));
    await run(() => invitationsApi.revoke(plan.id, invitation.id));
    setBusyId(null);
  }

  return (
    <>
      <ErrorMessage error={error} />
      <ul className="plain-list">
        {pending.map((inv) => (
          <li key={String(inv.id)} className="pending">
            <div>
              <strong>{inv.email}</strong>
              <div className="muted">
                {partyName(plan, inv.party)} · {t(`role.${inv.role}`)}
                {inv.inviter_party && inv.inviter_party !== inv.party
                  ? ` · ${t('people.invitationByParty', { party: partyName(plan, inv.inviter_party) })}`
                  : ''}
                {inv.signatory ? ` · ${t('people.signatory')}` : ''}
                {inv.expires_at ? ` · ${t('people.expires', { date: formatDate(inv.expires_at, lang) })}` : ''}
              </div>
            </div>
            <div className="pending__actions">
              {/* Only the party that sent it may issue its link again (the server decides too). */}
              {myParty === (inv.inviter_party ?? inv.party) && (
                <button
                  type="button"
                  className="button button--small"
                  disabled={busyId === String(inv.id)}
                  aria-label={t('people.newLinkFor', { email: inv.email })}
                  onClick={() => newLink(inv)}
                >
                  {t('people.newLink')}
                </button>
              )}
              <button
                type="button"
                className="button button--small"
                disabled={busyId === String(inv.id)}
                onClick={() => revoke(inv)}
              >
                {t('people.revoke')}
                <span className="visually-hidden"> {inv.email}</span>
              </button>
            </div>
            {issued && String(issued.id) === String(inv.id) && (
              <InvitationLink invitation={issued} message={t('people.newLinkIssued', { email: issued.email })} />
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
