// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlanDetail, Section } from '../api/types';
import { I18nProvider } from '../i18n/I18nProvider';
import type { Lang } from '../i18n/translate';
import { AddSectionForm, FirstStep } from './AddSection';
import { SectionSettings } from './SectionSettings';
import { mount as mountView, unmount } from '../test/mount';

const base: Omit<Section, 'id' | 'title' | 'position'> = {
  key: '', kind: 'text', horizon: null, owner: 'joint', visibility: 'shared', help: '',
  can_write: true, can_manage: true, can_delete: true, owner_options: ['supplier', 'customer', 'joint'], visibility_options: ['shared', 'supplier-only'],
};
const notes: Section = { ...base, id: 's-notes', title: 'Meeting notes', position: 0 };
const goals: Section = { ...base, id: 's-goals', title: 'Goals 2027', kind: 'goals', horizon: 'tactical', position: 1 };
const questions: Section = { ...base, id: 's-questions', title: 'Open questions', position: 2 };
const risks: Section = { ...base, id: 's-risks', title: 'Risks', position: 3 };
const all = [notes, goals, questions, risks];

const plan: PlanDetail = {
  id: 'p1', title: 'Plan', supplier_name: 'Fjordpack AS', customer_name: 'Nordlys Foods ASA', language: 'en',
  archived_at: null, created_at: '2026-12-01T09:00:00Z', updated_at: '2026-12-01T09:00:00Z', member_count: 2,
  my_membership: { id: 'm1', plan_id: 'p1', party: 'supplier', role: 'facilitator', signatory: false },
  sections: all, new_section_owners: ['supplier', 'customer', 'joint'], new_section_visibilities: ['shared', 'supplier-only'],
};

interface Call {
  method: string;
  path: string;
  body: unknown;
}
const calls: Call[] = [];
let host: HTMLElement;

afterEach(() => {
  calls.length = 0;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** The server: records each call and answers `reply` (status and JSON body). */
function serve(reply: (call: Call) => { status: number; body?: unknown } = () => ({ status: 200, body: {} })) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const text = await request.text();
      const call = { method: request.method, path: new URL(request.url, 'http://x').pathname, body: text ? JSON.parse(text) : null };
      calls.push(call);
      const { status, body } = reply(call);
      return new Response(status === 204 ? null : JSON.stringify(body ?? {}), { status, headers: { 'Content-Type': 'application/json' } });
    }),
  );
}

function mount(node: React.ReactNode, lang: Lang = 'en') {
  host = mountView(<I18nProvider initial={lang}>{node}</I18nProvider>);
}

const byLabel = <T extends HTMLElement>(text: string) => {
  const label = [...host.querySelectorAll('label')].find((l) => l.textContent === text);
  if (!label) throw new Error(`no field labelled ${text}`);
  return document.getElementById(label.htmlFor) as T;
};
const button = (name: string) => [...host.querySelectorAll('button')].find((b) => b.textContent?.includes(name)) ?? null;
const optionTexts = (select: HTMLSelectElement) => [...select.options].map((o) => o.textContent);

function type(input: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
function choose(select: HTMLSelectElement, value: string) {
  act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}
async function click(el: HTMLElement | null) {
  if (!el) throw new Error('nothing to click');
  await act(async () => {
    el.click();
    await new Promise((r) => setTimeout(r, 0));
  });
}
async function submit(form: HTMLFormElement) {
  await act(async () => {
    form.requestSubmit();
    await new Promise((r) => setTimeout(r, 0));
  });
}

describe('adding a section', () => {
  it('offers every kind with a guidance line, a horizon only for goals, and the owners and visibilities the server allows', () => {
    serve();
    mount(<AddSectionForm plan={{ ...plan, new_section_visibilities: ['shared', 'customer-only'] }} onAdded={() => {}} />);
    const kind = byLabel<HTMLSelectElement>('Kind');
    expect(optionTexts(kind)).toEqual(['Goals', 'Action plan (activities)', 'Buying center (people)', 'Text']);
    expect(host.querySelector('[data-testid="kind-guide"]')?.textContent).toContain('Goals for one horizon');
    expect(optionTexts(byLabel('Horizon'))).toEqual(['Strategic (3–5 years)', 'Tactical (1–2 years)', 'Operative (this year)']);
    expect(optionTexts(byLabel('Owner'))).toEqual(['Supplier – Fjordpack AS', 'Customer – Nordlys Foods ASA', 'Joint']);
    // Only what the plan says this reader may give: here a customer facilitator's choices.
    expect(optionTexts(byLabel('Visibility'))).toEqual(['Shared with both parties', 'Customer only']);

    choose(kind, 'stakeholders');
    expect(host.querySelector('[data-testid="kind-guide"]')?.textContent).toContain('buying center');
    expect(host.textContent).not.toContain('Horizon');
    choose(kind, 'text');
    expect(host.querySelector('[data-testid="kind-guide"]')?.textContent).toContain('Free text');
  });

  it('sends what was chosen and hands back the new section', async () => {
    const made = { ...base, id: 's-new', title: 'Goals 2028', position: 4 };
    serve(() => ({ status: 201, body: made }));
    const onAdded = vi.fn();
    mount(<AddSectionForm plan={plan} onAdded={onAdded} />);
    expect(button('Add section')?.disabled).toBe(true);
    type(byLabel('Name'), '  Goals 2028 ');
    choose(byLabel('Horizon'), 'operative');
    choose(byLabel('Owner'), 'supplier');
    choose(byLabel('Visibility'), 'supplier-only');
    await submit(host.querySelector('form')!);
    expect(calls).toEqual([
      {
        method: 'POST',
        path: '/api/plans/p1/sections',
        body: { title: 'Goals 2028', kind: 'goals', horizon: 'operative', owner: 'supplier', visibility: 'supplier-only', help: '' },
      },
    ]);
    expect(onAdded).toHaveBeenCalledWith(expect.objectContaining({ id: 's-new' }));
  });

  it('says in words why the server refused, in bokmål too', async () => {
    serve(() => ({ status: 409, body: { error: 'plan_archived', detail: 'The plan is archived; unarchive it to change it.' } }));
    const onAdded = vi.fn();
    mount(<AddSectionForm plan={plan} onAdded={onAdded} />, 'nb');
    type(byLabel('Navn'), 'Notater');
    await submit(host.querySelector('form')!);
    expect(host.querySelector('[role="alert"]')?.textContent).toBe('Planen er arkivert; hent den fram fra arkivet først.');
    expect(onAdded).not.toHaveBeenCalled();
  });
});

describe('a Blank plan', () => {
  it('gives a facilitator the first step', async () => {
    const onAdd = vi.fn();
    mount(<FirstStep mayAdd onAdd={onAdd} />);
    expect(host.querySelector('h2')?.textContent).toBe('This plan is empty');
    await click(button('Add the first section'));
    expect(onAdd).toHaveBeenCalledOnce();
  });

  it('tells everyone else that the facilitators add sections', () => {
    mount(<FirstStep mayAdd={false} onAdd={() => {}} />, 'nb');
    expect(host.textContent).toContain('Fasilitatorene legger dem til');
    expect(host.querySelector('button')).toBeNull();
  });
});

describe('section settings', () => {
  const settings = (section: Section, onChanged = () => {}) =>
    mount(<SectionSettings plan={plan} section={section} sections={all} onChanged={onChanged} />);

  it('renames a section', async () => {
    serve(() => ({ status: 200, body: { ...questions, title: 'Questions for Nordlys' } }));
    const onChanged = vi.fn();
    settings(questions, onChanged);
    const name = byLabel<HTMLInputElement>('Name of the section');
    expect(name.value).toBe('Open questions');
    expect(button('Save name')?.disabled).toBe(true);
    type(name, 'Questions for Nordlys');
    await submit(name.form!);
    expect(calls).toEqual([{ method: 'PATCH', path: '/api/plans/p1/sections/s-questions', body: { title: 'Questions for Nordlys' } }]);
    expect(onChanged).toHaveBeenCalledOnce();
  });

  it('deletes only after a confirmation that names the section', async () => {
    serve(() => ({ status: 204 }));
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    settings(questions);
    await click(button('Delete section'));
    expect(confirm).toHaveBeenLastCalledWith('Delete the section “Open questions” and all its content for everyone? This cannot be undone.');
    expect(calls).toEqual([]);
    await click(button('Delete section'));
    expect(calls).toEqual([{ method: 'DELETE', path: '/api/plans/p1/sections/s-questions', body: null }]);
  });

  it('offers no Delete where the server would refuse it, and says why', () => {
    serve();
    settings({ ...questions, can_delete: false });
    expect(button('Delete section')).toBeNull();
    expect(host.textContent).toContain('only its facilitators can remove it');
  });

  it('moves a section among its neighbours in the navigator, not across groups', async () => {
    serve();
    settings(questions);
    // Neighbours in "Other": notes, questions, risks (the goals section sits in its own group).
    expect(button('Move up')?.disabled).toBe(false);
    await click(button('Move up'));
    expect(calls.at(-1)).toEqual({ method: 'POST', path: '/api/plans/p1/sections/order', body: { section_ids: ['s-questions', 's-goals', 's-notes', 's-risks'] } });
    await click(button('Move down'));
    expect(calls.at(-1)?.body).toEqual({ section_ids: ['s-notes', 's-goals', 's-risks', 's-questions'] });
  });

  it('cannot move the first up or the last down', () => {
    serve();
    settings(notes);
    expect(button('Move up')?.disabled).toBe(true);
    expect(button('Move down')?.disabled).toBe(false);
    unmount();
    settings(goals);
    expect(button('Move up')?.disabled).toBe(true);
    expect(button('Move down')?.disabled).toBe(true);
  });

  it("shows a refusal in the reader's language", async () => {
    serve(() => ({ status: 403, body: { error: 'section_protected', detail: 'The other party owns this section.' } }));
    settings(questions);
    await click(button('Move up'));
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('only its facilitators can change who may see or edit it');
  });
});
