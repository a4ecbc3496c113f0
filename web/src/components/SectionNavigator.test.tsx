// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanBase, Section } from '../api/types';
import { I18nProvider } from '../i18n/I18nProvider';
import type { Lang } from '../i18n/translate';
import { keepRanges, SectionNavigator } from './SectionNavigator';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const plan: PlanBase = {
  id: '1',
  title: 'Plan',
  supplier_name: 'Acme',
  customer_name: 'Nordic Foods',
  language: 'en',
  archived_at: null,
  created_at: '2026-12-01T09:00:00Z',
  updated_at: '2026-12-01T09:00:00Z',
  member_count: 1,
  my_membership: { id: '1', plan_id: '1', party: 'supplier', role: 'editor', signatory: false },
};

const base: Omit<Section, 'id' | 'title'> = {
  key: '',
  kind: 'text',
  horizon: null,
  owner: 'joint',
  visibility: 'shared',
  position: 0,
  help: '',
  can_write: true, can_manage: false, can_delete: false, owner_options: [], visibility_options: [],
};

const sections: Section[] = [
  { ...base, id: '1', title: 'Customer analysis', key: 'analysis', owner: 'customer', can_write: false },
  { ...base, id: '2', title: 'Price', key: 'strategy_price', owner: 'supplier', visibility: 'supplier-only' },
  { ...base, id: '3', title: 'Strategic goals', kind: 'goals', horizon: 'strategic' },
];

let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function render(lang: Lang, selectedId: number | null = 2) {
  act(() => {
    root.render(
      <I18nProvider initial={lang}>
        <MemoryRouter>
          <SectionNavigator plan={plan} sections={sections} selectedId={selectedId} hrefFor={(s) => `?section=${s.id}`} />
        </MemoryRouter>
      </I18nProvider>,
    );
  });
}

describe('SectionNavigator', () => {
  it('groups sections under headings in plan order', () => {
    render('en');
    const headings = [...container.querySelectorAll('h2')].map((h) => h.textContent);
    expect(headings).toEqual(['Analysis', 'Goals', 'Strategies']);
    expect(container.querySelector('h3')?.textContent).toBe('Strategic (3–5 years)');
  });

  it('says in words which sections are read-only or internal', () => {
    render('en');
    const links = [...container.querySelectorAll('a')];
    const analysis = links.find((a) => a.textContent?.includes('Customer analysis'))!;
    const price = links.find((a) => a.textContent?.includes('Price'))!;
    expect(analysis.textContent).toContain('Read only for you');
    expect(analysis.textContent).not.toContain('Internal');
    expect(price.textContent).toContain('Internal: only Acme can see this');
    expect(price.textContent).not.toContain('Read only');
    expect(price.getAttribute('aria-current')).toBe('page');
    expect(price.getAttribute('href')).toBe('/?section=2');
  });

  it('speaks Norwegian when asked', () => {
    render('nb');
    const headings = [...container.querySelectorAll('h2')].map((h) => h.textContent);
    expect(headings).toEqual(['Analyse', 'Mål', 'Strategier']);
    expect(container.textContent).toContain('Skrivebeskyttet for deg');
  });

  it("marks names with the plan's language, for hyphenation in that language", () => {
    render('en');
    const titles = [...container.querySelectorAll('.navigator__title')];
    expect(titles.map((t) => t.getAttribute('lang'))).toEqual(['en', 'en', 'en']);
  });
});

describe('keepRanges', () => {
  it('holds a number range together and leaves the words around it breakable', () => {
    act(() => root.render(<span>{keepRanges('Strategiske mål (3–5 år)')}</span>));
    expect(container.textContent).toBe('Strategiske mål (3–5 år)');
    expect([...container.querySelectorAll('.nowrap')].map((s) => s.textContent)).toEqual(['(3–5']);
  });

  it('leaves a name without a range as it is', () => {
    expect(keepRanges('Kommunikasjonsstrategi')).toEqual(['Kommunikasjonsstrategi']);
  });
});
