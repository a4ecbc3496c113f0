// @vitest-environment jsdom
import { act, useState } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlanDetail, Section } from '../api/types';
import { AuthProvider } from '../auth/AuthProvider';
import type { PlanLinks } from '../collab/pool';
import { I18nProvider } from '../i18n/I18nProvider';
import { PlanContext } from '../sections/hooks';
import { DiscussionContext, type CommentTarget, type DiscussionValue } from './context';
import { VotesCache } from './votes';
import { CommentsSide, CommentsToggle } from './Workspace';
import { mountSettled } from '../test/mount';

const section: Section = {
  id: 's1', key: 'goals', title: 'Operative goals', kind: 'goals', horizon: 'operative', owner: 'joint', visibility: 'shared', position: 0, help: '',
  can_write: true, can_manage: false, can_delete: false, owner_options: [], visibility_options: [],
};
const plan = {
  id: 'p1', title: 'Plan', supplier_name: 'Fjordpack AS', customer_name: 'Nordlys Foods ASA', language: 'en',
  archived_at: null, created_at: '2026-12-01T09:00:00Z', updated_at: '2026-12-01T09:00:00Z', member_count: 1,
  my_membership: { id: 'm-kari', plan_id: 'p1', party: 'supplier', role: 'facilitator', signatory: true },
  sections: [section],
} as unknown as PlanDetail;
const links = { get: () => undefined, subscribe: () => () => undefined, getVersion: () => 0 } as unknown as PlanLinks;

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The workspace's discussion state, as the provider keeps it, without the network. */
function Harness() {
  const [panelOpen, setPanelOpen] = useState(false);
  const [target, setTarget] = useState<CommentTarget | null>(null);
  const value: DiscussionValue = {
    counts: null, canComment: true, panelOpen, setPanelOpen, target,
    openComments: (next) => {
      setTarget(next);
      setPanelOpen(true);
    },
    activeThread: null, setActiveThread: () => undefined, focusThreadId: null, setFocusThreadId: () => undefined,
    votes: new VotesCache(async () => []),
  };
  return (
    <DiscussionContext.Provider value={value}>
      <CommentsToggle section={section} />
      <CommentsSide section={section} />
    </DiscussionContext.Provider>
  );
}

async function render() {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const path = new URL(request.url, 'http://x').pathname;
      const body = path === '/api/auth/me' ? { id: 'u-kari', email: 'kari@example.com', name: 'Kari' } : path === '/api/config' ? { allow_signup: true, smtp_enabled: false } : path.endsWith('/threads') ? { items: [] } : {};
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  const host = await mountSettled(
    <MemoryRouter>
      <I18nProvider initial="en">
        <AuthProvider>
          <PlanContext.Provider value={{ plan, links, members: [], canWrite: () => true }}>
            <Harness />
          </PlanContext.Provider>
        </AuthProvider>
      </I18nProvider>
    </MemoryRouter>,
  );
  return host;
}

const press = (target: Element, key: string) =>
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  });

describe('the comments panel and Esc', () => {
  it('closes on Esc from inside the panel, and focus goes back to its button', async () => {
    const el = await render();
    const toggle = el.querySelector<HTMLButtonElement>('.comments-toggle')!;
    act(() => toggle.click());
    const panel = el.querySelector('[data-testid="comments-panel"]');
    expect(panel).not.toBeNull();
    const textarea = panel!.querySelector('textarea')!;
    textarea.focus();
    press(textarea, 'Escape');
    expect(el.querySelector('[data-testid="comments-panel"]')).toBeNull();
    expect(document.activeElement).toBe(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
  });

  it('closes on Esc pressed anywhere on the page, and other keys leave it open', async () => {
    const el = await render();
    act(() => el.querySelector<HTMLButtonElement>('.comments-toggle')!.click());
    press(document.body, 'Enter');
    press(document.body, 'a');
    expect(el.querySelector('[data-testid="comments-panel"]')).not.toBeNull();
    press(document.body, 'Escape');
    expect(el.querySelector('[data-testid="comments-panel"]')).toBeNull();
  });

  it('leaves the panel open when a field used Esc itself (closing its suggestions)', async () => {
    const el = await render();
    act(() => el.querySelector<HTMLButtonElement>('.comments-toggle')!.click());
    const textarea = el.querySelector('[data-testid="comments-panel"] textarea')!;
    textarea.addEventListener('keydown', (e) => e.preventDefault(), { once: true });
    press(textarea, 'Escape');
    expect(el.querySelector('[data-testid="comments-panel"]')).not.toBeNull();
  });
});
