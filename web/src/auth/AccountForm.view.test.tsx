// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { I18nProvider } from '../i18n/I18nProvider';
import { AccountForm } from './AccountForm';
import { mount } from '../test/mount';

function render(onSubmit: () => Promise<unknown>) {
  return mount(
    <I18nProvider initial="nb">
      <AccountForm fields={['name', 'newPassword']} onSubmit={onSubmit} submitLabel="Opprett konto" busyLabel="…" />
    </I18nProvider>,
  );
}

function type(input: HTMLInputElement, value: string) {
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit(el: HTMLElement) {
  await act(async () => {
    el.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

describe('choosing a password', () => {
  it('shows the rule before typing and refuses a short one at the field, in bokmål, without asking the server', async () => {
    const onSubmit = vi.fn(async () => undefined);
    const el = render(onSubmit);
    const password = el.querySelector<HTMLInputElement>('input[name=password]')!;
    expect(el.textContent).toContain('Minst 10 tegn.');
    type(el.querySelector<HTMLInputElement>('input[name=name]')!, 'Petra');
    type(password, 'kort');
    await submit(el);
    expect(onSubmit).not.toHaveBeenCalled();
    expect(el.querySelector('.field__error')?.textContent).toBe('Velg et passord på minst 10 tegn.');
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(password);
  });

  it("puts the server's refusal of a password at the password field, translated", async () => {
    const el = render(async () => {
      throw new ApiError({ status: 400, code: 'password_too_common', detail: 'This password is too common.' });
    });
    type(el.querySelector<HTMLInputElement>('input[name=name]')!, 'Petra');
    type(el.querySelector<HTMLInputElement>('input[name=password]')!, 'passord123');
    await submit(el);
    expect(el.querySelector('.field__error')?.textContent).toBe('Dette passordet står på en liste over vanlige passord. Velg et annet.');
    expect(el.textContent).not.toContain('too common');
  });
});
