import { useCallback, useLayoutEffect, useRef, useState, type MouseEvent } from 'react';

const FIELDS = 'input:not([type="hidden"]):not([disabled]), textarea:not([disabled]), select:not([disabled]), [contenteditable="true"]';

/**
 * "Add" in a list section: the new item is brought into view with focus in its first field
 * as soon as it renders, so the click visibly did something and the next keys type into it.
 * Items are found by `attribute` (e.g. `data-activity-id`) inside `container`.
 */
export function useFocusAdded<E extends HTMLElement = HTMLDivElement>(attribute: string) {
  const container = useRef<E>(null);
  const pending = useRef<string | null>(null);
  const [, rerender] = useState(0);

  useLayoutEffect(() => {
    const id = pending.current;
    if (id === null || !container.current) return;
    const item = [...container.current.querySelectorAll<HTMLElement>(`[${attribute}]`)].find((el) => el.getAttribute(attribute) === id);
    if (!item) return; // not rendered yet (another view, a remote re-render): try after the next render
    pending.current = null;
    // Only as far as needed: a row already in view stays put (and so does the button under the mouse).
    item.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    (item.querySelector<HTMLElement>(FIELDS) ?? item).focus({ preventScroll: true });
  });

  const focus = useCallback((id: string) => {
    pending.current = id;
    rerender((n) => n + 1);
  }, []);

  /**
   * A click handler that creates one item (`create` returns its id) and focuses it. The
   * second click of a double click is ignored: one click makes one row.
   */
  const last = useRef<string | null>(null);
  const adder = useCallback(
    (create: () => string) => (event?: MouseEvent) => {
      if (event && event.detail > 1) {
        // Its mousedown took focus to the button: give it back to the row just added.
        if (last.current !== null) focus(last.current);
        return;
      }
      last.current = create();
      focus(last.current);
    },
    [focus],
  );

  return { container, focus, adder };
}
