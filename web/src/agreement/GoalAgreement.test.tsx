// @vitest-environment jsdom
import { act } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Agreement } from '../api/discussion';
import type { Party, PlanDetail, Section } from '../api/types';
import { AuthProvider } from '../auth/AuthProvider';
import { I18nProvider } from '../i18n/I18nProvider';
import { AgreementsProvider } from './AgreementsProvider';
import { GoalAgreement } from './GoalAgreement';
import { mountSettled } from '../test/mount';

const section: Section = {
  id: 's1', key: 'goals_operative', title: 'Operative goals', kind: 'goals', horizon: 'operative',
  owner: 'joint', visibility: 'shared', position: 0, help: '', can_write: true, can_manage: false, can_delete: false, owner_options: [], visibility_options: [],
};
const plan: PlanDetail = {
  id: 'p1', title: 'Plan', supplier_name: 'Fjordpack AS', customer_name: 'Nordlys Foods ASA', language: 'en',
  archived_at: null, created_at: '2026-12-01T09:00:00Z', updated_at: '2026-12-01T09:00:00Z', member_count: 2,
  my_membership: { id: 'm1', plan_id: 'p1', party: 'customer', role: 'editor', signatory: true },
  sections: [section], new_section_owners: [], new_section_visibilities: [],
};
const goal = { id: 'g1', title: 'Line trial', description: 'Why', metric: 'Result', target: 'Passed', due: '2027-03-31' };

afterEach(() => {
  vi.unstubAllGlobals();
});

function serve(agreements: unknown) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const path = new URL(request.url, 'http://x').pathname;
      const body =
        path === '/api/auth/me' ? { id: 'u-cato', email: 'cato@example.com', name: 'Cato' }
        : path === '/api/config' ? { allow_signup: true, smtp_enabled: false }
        : path.endsWith('/agreements') ? agreements
        : {};
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
}

async function render() {
  const host = await mountSettled(
    <I18nProvider initial="en">
      <AuthProvider>
        <MemoryRouter>
          <AgreementsProvider plan={plan}>
            <GoalAgreement section={section} goal={goal} />
          </AgreementsProvider>
        </MemoryRouter>
      </AuthProvider>
    </I18nProvider>,
  );
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  return host;
}

const signed = (name: string, party: Party, hash: string) => ({ id: name, signer: { id: `u-${name.toLowerCase()}`, name }, party, hash, signed_at: '2026-12-01T09:00:00Z' });
const agreementRow = (over: Partial<Agreement>): Agreement => ({
  plan_id: 'p1', section_id: 's1', goal_id: 'g1', title: 'Line trial', status: 'pending', agreed_hash: null, current_hash: null,
  agreed_content: null, current_content: null, agreed_at: null, changed_at: null, changed_by: null, goal_deleted: false,
  reopened_at: null, reopen_reason: null, signatures: [], past_signatures: [], ...over,
});
const listOf = (...items: Agreement[]) => ({ counts: { total: items.length, agreed: 0, pending: 0, changed: 0 }, items });

describe('GoalAgreement', () => {
  it('shows who signed per party and offers the customer signatory to sign', async () => {
    serve(listOf(agreementRow({ status: 'pending', current_hash: 'h1', current_content: goal, signatures: [signed('Siri', 'supplier', 'h1')] })));
    const el = await render();
    expect(el.querySelector('[data-agreement-status]')?.getAttribute('data-agreement-status')).toBe('pending');
    expect(el.textContent).toContain('Fjordpack AS: signed by Siri');
    expect(el.textContent).toContain('Nordlys Foods ASA: not signed yet');
    expect(el.querySelector('button[aria-label="Sign \\"Line trial\\""]')).not.toBeNull();
  });

  it('shows the agreed text beside the live text once the goal changed', async () => {
    const agreed = { ...goal, target: 'Passed twice' };
    serve(listOf(agreementRow({ status: 'changed', agreed_hash: 'h0', current_hash: 'h1', agreed_content: agreed, current_content: goal, signatures: [signed('Siri', 'supplier', 'h0'), signed('Cato', 'customer', 'h0')] })));
    const el = await render();
    expect(el.querySelector('.agreement-badge')?.textContent).toContain('Changed since agreement');
    const row = el.querySelector('.agreement-diff__row--changed');
    expect(row?.querySelector('.agreement-diff__before')?.textContent).toBe('Passed twice');
    expect(row?.querySelector('.agreement-diff__after')?.textContent).toBe('Passed');
    expect(el.textContent).toContain('Withdraw my signature');
  });

  it('does not crash on odd server data', async () => {
    serve({ items: [{ section_id: 's1', goal_id: 'g1', status: 'weird', agreed_hash: 7, agreed_content: 'x', signatures: 'nope' }, 'junk', null] });
    const el = await render();
    expect(el.querySelector('[data-agreement-status]')?.getAttribute('data-agreement-status')).toBe('pending');
    expect(el.textContent).toContain('Nordlys Foods ASA: not signed yet');
  });
});
