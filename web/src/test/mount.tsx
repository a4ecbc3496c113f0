import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach } from 'vitest';

// View tests (jsdom) render through React's act(); this tells React they do.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let mounted: { root: Root; host: HTMLElement } | null = null;

afterEach(() => unmount());

function attach(): { root: Root; host: HTMLElement } {
  unmount();
  const host = document.createElement('div');
  document.body.append(host);
  mounted = { root: createRoot(host), host };
  return mounted;
}

/** Renders `node` into a fresh element of the document (the one before is unmounted first,
 * and the last after each test); returns that element. */
export function mount(node: ReactNode): HTMLElement {
  const { root, host } = attach();
  act(() => root.render(node));
  return host;
}

/** `mount`, and waits for what the first render started (effects, fetches) to settle. */
export async function mountSettled(node: ReactNode): Promise<HTMLElement> {
  const { root, host } = attach();
  await act(async () => root.render(node));
  return host;
}

/** Unmounts and removes what `mount` rendered, if anything. */
export function unmount(): void {
  if (mounted === null) return;
  const { root, host } = mounted;
  mounted = null;
  act(() => root.unmount());
  host.remove();
}
