// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlanBase } from '../api/types';
import { AuthProvider } from '../auth/AuthProvider';
import { I18nProvider } from '../i18n/I18nProvider';
import { PeoplePanel } from './PeoplePanel';
import { mountSettled } from '../test/mount';

const plan: PlanBase = {
  id: 'p1', title: 'Plan', supplier_name: 'Fjordpack AS', customer_name: 'Nordlys Foods ASA', language: 'en',
  archived_at: null, created_at: '2026-12-01T09:00:00Z', updated_at: '2026-12-01T09:00:00Z', member_count: 4,
  my_membership: { id: 'm-kari', plan_id: 'p1', party: 'supplier', role: 'facilitator', signatory: true },
};

const member = (id: string, name: string, party: string, role: string, rights: Record<string, unknown>, invitedBy: unknown = null) => ({
  id, user: { id: `u-${id}`, name, email: `${name.toLowerCase()}@example.com` }, party, role, signatory: false,
  created_at: '2026-12-01T09:00:00Z', invited_by: invitedBy, role_options: [], can_set_signatory: false, can_remove: false, ...rights,
});

const kari = { id: 'u-kari', name: 'Kari', party: 'supplier' };
const cora = { id: 'u-cora', name: 'Cora', party: 'customer' };
const membersAsKari = {
  items: [
    member('kari', 'Kari', 'supplier', 'facilitator', { role_options: ['facilitator'], can_set_signatory: true }),
    member('sven', 'Sven', 'supplier', 'editor', { role_options: ['facilitator', 'editor', 'commenter', 'viewer'], can_set_signatory: true, can_remove: true }, kari),
    member('cora', 'Cora', 'customer', 'facilitator', {}, kari),
    member('berit', 'Berit', 'customer', 'editor', {}, cora),
  ],
  invite_parties: ['supplier'],
};

const asked: string[] = [];

afterEach(() => {
  asked.length = 0;
  vi.unstubAllGlobals();
});

function serve(members: unknown) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const path = new URL(request.url, 'http://x').pathname;
      asked.push(path);
      const body =
        path === '/api/auth/me' ? { id: 'u-kari', email: 'kari@example.com', name: 'Kari' }
        : path === '/api/config' ? { allow_signup: true, smtp_enabled: false }
        : path.endsWith('/members') ? members
        : path.endsWith('/invitations') ? { items: [] }
        : {};
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
}

async function render() {
  const host = await mountSettled(
    <I18nProvider initial="en">
      <AuthProvider>
        <PeoplePanel plan={plan} />
      </AuthProvider>
    </I18nProvider>,
  );
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  return host;
}

const row = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll('tbody tr')].find((tr) => tr.textContent?.includes(name)) as HTMLElement;

describe('PeoplePanel offers only what the server allows', () => {
  it('manages the own party, shows the other party read-only, and says who invited whom', async () => {
    serve(membersAsKari);
    const el = await render();
    // Own party: role choices, signatory and removal.
    expect(row(el, 'Sven').querySelector('select')).not.toBeNull();
    expect(row(el, 'Sven').querySelector('button')?.textContent).toContain('Remove');
    // The other party's people: no controls at all.
    for (const name of ['Cora', 'Berit']) {
      expect(row(el, name).querySelector('select')).toBeNull();
      expect(row(el, name).querySelector('button')).toBeNull();
      expect((row(el, name).querySelector('input[type=checkbox]') as HTMLInputElement).disabled).toBe(true);
    }
    // The last supplier facilitator cannot be demoted or removed.
    expect(row(el, 'Kari').querySelector('select')).toBeNull();
    expect(row(el, 'Kari').querySelector('button')).toBeNull();
    // Who invited whom, and for which party.
    expect(row(el, 'Cora').textContent).toContain('Invited by Kari (Fjordpack AS)');
    expect(row(el, 'Berit').textContent).toContain('Invited by Cora (Nordlys Foods ASA)');
    expect(row(el, 'Kari').textContent).toContain('Created the plan');
    // Invitations only into the supplier party.
    const party = el.querySelector('form select') as HTMLSelectElement;
    expect([...party.options].map((o) => o.value)).toEqual(['supplier']);
  });

  it('shows a member who manages nobody the people without controls or invitations', async () => {
    serve({ items: membersAsKari.items.map((m) => ({ ...m, role_options: [], can_set_signatory: false, can_remove: false })), invite_parties: [] });
    const el = await render();
    expect(el.querySelectorAll('tbody select, tbody button')).toHaveLength(0);
    expect(el.querySelector('form')).toBeNull();
    expect(asked.some((p) => p.endsWith('/invitations'))).toBe(false);
    expect(row(el, 'Sven').textContent).toContain('Invited by Kari');
  });
});

const invitation = (id: string, email: string, party: string, inviterParty: string, extra: Record<string, unknown> = {}) => ({
  id, email, party, role: 'editor', signatory: false, created_at: '2026-12-01T09:00:00Z', expires_at: '2026-12-15T09:00:00Z',
  accepted_at: null, revoked_at: null, inviter_party: inviterParty, ...extra,
});

function serveInvitations(items: unknown[]) {
  const posted: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const path = new URL(request.url, 'http://x').pathname;
      asked.push(path);
      if (request.method === 'POST') posted.push(path);
      const body =
        path === '/api/auth/me' ? { id: 'u-kari', email: 'kari@example.com', name: 'Kari' }
        : path === '/api/config' ? { allow_signup: true, smtp_enabled: false }
        : path.endsWith('/members') ? { ...membersAsKari, invite_parties: ['supplier', 'customer'] }
        : path.endsWith('/invitations') ? { items }
        : path.endsWith('/i-sup/link')
          ? { ...invitation('i-sup', 'ola@fjordpack.example', 'supplier', 'supplier'), token: 'inv_new', url: 'http://x/invite/inv_new', code: '123456', emailed: false }
          : {};
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return posted;
}

const buttonNamed = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent)?.trim() === name) as HTMLButtonElement | undefined;

describe('inviting', () => {
  it('keeps "Create invitation" reachable with the email empty, and says what is missing on submit', async () => {
    const posted = serveInvitations([]);
    const el = await render();
    const submit = buttonNamed(el, 'Create invitation')!;
    expect(submit.disabled).toBe(false);
    expect(submit.tabIndex).toBe(0);
    await act(async () => submit.click());
    const email = el.querySelector<HTMLInputElement>('input[type=email]')!;
    expect(el.textContent).toContain('Enter the email address of the person you invite.');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(email);
    await act(async () => {
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      set.call(email, 'petra');
      email.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => submit.click());
    expect(el.textContent).toContain('This is not an email address.');
    expect(posted).toEqual([]);
  });

  it('issues a pending invitation a new link, only for invitations my party sent, and says what the code is for', async () => {
    const posted = serveInvitations([
      invitation('i-sup', 'ola@fjordpack.example', 'supplier', 'supplier'),
      invitation('i-cus', 'petra@nordlys.example', 'customer', 'customer'),
      invitation('i-used', 'used@fjordpack.example', 'supplier', 'supplier', { accepted_at: '2026-12-02T09:00:00Z' }),
    ]);
    vi.stubGlobal('confirm', () => true);
    const el = await render();
    const pending = [...el.querySelectorAll('.pending')];
    // Used invitations are not pending.
    expect(pending.map((li) => li.querySelector('strong')?.textContent)).toEqual(['ola@fjordpack.example', 'petra@nordlys.example']);
    expect(buttonNamed(el, 'Issue a new invitation link for petra@nordlys.example')).toBeUndefined();
    const again = buttonNamed(el, 'Issue a new invitation link for ola@fjordpack.example')!;
    await act(async () => {
      again.click();
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    expect(posted).toEqual(['/api/plans/p1/invitations/i-sup/link']);
    const result = pending[0]!.querySelector('.invite-result')!;
    expect(result.textContent).toContain('New invitation link for ola@fjordpack.example');
    expect(result.textContent).toContain('http://x/invite/inv_new');
    expect(result.textContent).toContain('123456');
    const code = result.querySelector('.invite-result__code')!;
    const hint = document.getElementById(code.getAttribute('aria-describedby')!)!;
    expect(hint.textContent).toContain('Only needed if they join without a password');
  });
});
