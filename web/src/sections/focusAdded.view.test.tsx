// @vitest-environment jsdom
import { act, type ReactNode } from 'react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { PlanDetail, Section } from '../api/types';
import { AuthProvider } from '../auth/AuthProvider';
import type { PlanLinks } from '../collab/pool';
import { I18nProvider } from '../i18n/I18nProvider';
import { ActivitiesSection } from './ActivitiesSection';
import { GoalsSection } from './GoalsSection';
import { PlanContext } from './hooks';
import { StakeholdersSection } from './StakeholdersSection';
import { mountSettled } from '../test/mount';

const section = (id: string, kind: Section['kind'], title: string): Section => ({
  id, key: id, title, kind, horizon: kind === 'goals' ? 'operative' : null, owner: 'joint', visibility: 'shared', position: 0, help: '',
  can_write: true, can_manage: false, can_delete: false, owner_options: [], visibility_options: [],
});
const goals = section('goals', 'goals', 'Operative goals');
const activities = section('activities', 'activities', 'Action plan');
const people = section('people', 'stakeholders', 'Buying center');

const plan = {
  id: 'p1', title: 'Plan', supplier_name: 'Fjordpack AS', customer_name: 'Nordlys Foods ASA', language: 'en',
  archived_at: null, created_at: '2026-12-01T09:00:00Z', updated_at: '2026-12-01T09:00:00Z', member_count: 1,
  my_membership: { id: 'm-kari', plan_id: 'p1', party: 'supplier', role: 'facilitator', signatory: true },
  sections: [goals, activities, people],
} as unknown as PlanDetail;
const links = { get: () => undefined, subscribe: () => () => undefined, getVersion: () => 0 } as unknown as PlanLinks;

const scrolled: Element[] = [];

beforeAll(() => {
  // jsdom does not lay out, so it has no scrollIntoView: record what would have scrolled.
  Element.prototype.scrollIntoView = function (this: Element) {
    scrolled.push(this);
  };
});

afterEach(() => {
  scrolled.length = 0;
  vi.unstubAllGlobals();
});

async function render(node: ReactNode) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const path = new URL(request.url, 'http://x').pathname;
      const body = path === '/api/auth/me' ? { id: 'u-kari', email: 'kari@example.com', name: 'Kari' } : path === '/api/config' ? { allow_signup: true, smtp_enabled: false } : {};
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  const host = await mountSettled(
    <I18nProvider initial="en">
      <AuthProvider>
        <PlanContext.Provider value={{ plan, links, members: [], canWrite: () => true }}>{node}</PlanContext.Provider>
      </AuthProvider>
    </I18nProvider>,
  );
  return host;
}

function click(button: HTMLElement, detail = 1) {
  act(() => {
    button.dispatchEvent(new MouseEvent('click', { bubbles: true, detail }));
  });
}

function addButton(el: HTMLElement, name: string): HTMLButtonElement {
  const button = [...el.querySelectorAll('button')].find((b) => b.textContent === name);
  if (!button) throw new Error(`no button ${name}`);
  return button;
}

const cases = [
  { name: 'an activity', node: (doc: Y.Doc) => <ActivitiesSection section={activities} doc={doc} canWrite />, add: 'Add activity', row: 'data-activity-id', field: 'TEXTAREA' },
  { name: 'a person', node: (doc: Y.Doc) => <StakeholdersSection section={people} doc={doc} canWrite />, add: 'Add person', row: 'data-person-id', field: 'INPUT' },
  { name: 'a goal', node: (doc: Y.Doc) => <GoalsSection section={goals} doc={doc} canWrite />, add: 'Add goal', row: 'data-goal-id', field: 'TEXTAREA' },
];

describe('adding to a list section', () => {
  for (const c of cases) {
    it(`brings ${c.name} into view with focus in its first field; one click, one row`, async () => {
      const doc = new Y.Doc();
      const el = await render(c.node(doc));
      const button = addButton(el, c.add);
      button.focus();
      // A double click: the first click adds, the second (detail 2) must not add another.
      click(button, 1);
      button.focus(); // the second press of a double click focuses the button again
      click(button, 2);
      const rows = el.querySelectorAll(`[${c.row}]`);
      expect(rows).toHaveLength(1);
      expect(doc.getArray('items').length).toBe(1);
      const row = rows[0] as HTMLElement;
      expect(scrolled).toContain(row);
      const focused = document.activeElement as HTMLElement;
      expect(focused).not.toBe(button);
      expect(row.contains(focused)).toBe(true);
      expect(focused.tagName).toBe(c.field);
      // Its first field: nothing editable comes before it in the row.
      expect(row.querySelector('input, textarea, select')).toBe(focused);

      // A second, separate click makes a second row and moves focus there.
      click(button, 1);
      const after = el.querySelectorAll(`[${c.row}]`);
      expect(after).toHaveLength(2);
      expect(after[1]!.contains(document.activeElement)).toBe(true);
    });
  }

  it('switches the buying center from its board to its list, where the new person can be typed in', async () => {
    const el = await render(<StakeholdersSection section={people} doc={new Y.Doc()} canWrite />);
    expect(el.querySelector('.person-list')).toBeNull();
    click(addButton(el, 'Add person'));
    expect(el.querySelector('.person-list')).not.toBeNull();
    expect((document.activeElement as HTMLInputElement).getAttribute('aria-label')).toBe('Name of Unnamed person');
  });
});
