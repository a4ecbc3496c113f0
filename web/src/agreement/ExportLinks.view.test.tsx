// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispositionFilename } from '../api/endpoints';
import { I18nProvider } from '../i18n/I18nProvider';
import { ExportLinks } from './ExportLinks';
import { mountSettled } from '../test/mount';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function render(lang: 'en' | 'nb' = 'en') {
  const host = await mountSettled(
    <I18nProvider initial={lang}>
      <ExportLinks planId="p1" label="Export the plan" />
    </I18nProvider>,
  );
  return host;
}

async function click(el: HTMLElement, text: string) {
  const button = [...el.querySelectorAll('button')].find((b) => b.textContent === text)!;
  await act(async () => {
    button.click();
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('ExportLinks', () => {
  it('shows a refused export as a message in words, and saves no file', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(413, { error: 'export_too_large', detail: 'This plan has more text…' })));
    const saved = vi.spyOn(HTMLAnchorElement.prototype, 'click');
    const el = await render();
    await click(el, 'Download PDF');
    expect(el.querySelector('[role=alert]')?.textContent).toContain('too much text for one export');
    expect(saved).not.toHaveBeenCalled();
  });

  it('says so in bokmål when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const el = await render('nb');
    await click(el, 'Last ned Markdown');
    const alert = el.querySelector('[role=alert]')?.textContent ?? '';
    expect(alert.length).toBeGreaterThan(0);
    expect(alert).not.toContain('network_error');
  });

  it('saves a served export under the name the server gave it', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      asked.push(url);
      return new Response('# Plan', {
        status: 200,
        headers: { 'Content-Type': 'text/markdown', 'Content-Disposition': "attachment; filename*=UTF-8''hav-og-hage-2026-12-03.md" },
      });
    }));
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => {} }));
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    const el = await render();
    await click(el, 'Download Markdown');
    expect(asked).toEqual(['/api/plans/p1/export?format=md']);
    expect(names).toEqual(['hav-og-hage-2026-12-03.md']);
    expect(el.querySelector('[role=alert]')).toBeNull();
  });
});

describe('dispositionFilename', () => {
  it('prefers the UTF-8 name and falls back to the plain one', () => {
    expect(dispositionFilename("attachment; filename=\"a.pdf\"; filename*=UTF-8''h%C3%A5p.pdf")).toBe('håp.pdf');
    expect(dispositionFilename('attachment; filename="plan-2026.pdf"')).toBe('plan-2026.pdf');
    expect(dispositionFilename(null)).toBeNull();
  });
});
