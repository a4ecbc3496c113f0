import { useEffect, useRef } from 'react';

// Open panels and popups, the latest opened last: Esc closes one at a time, newest first.
const stack: { current: () => void }[] = [];

function onKeyDown(event: KeyboardEvent) {
  // A field that used Esc itself (closing its suggestions) has had it.
  if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing) return;
  const top = stack[stack.length - 1];
  if (!top) return;
  event.preventDefault();
  top.current();
}

/** While `active`, Esc anywhere on the page calls `onEscape` (unless something opened later takes it). */
export function useEscape(active: boolean, onEscape: () => void): void {
  const latest = useRef(onEscape);
  latest.current = onEscape;
  useEffect(() => {
    if (!active) return;
    const entry = { current: () => latest.current() };
    if (stack.length === 0) document.addEventListener('keydown', onKeyDown);
    stack.push(entry);
    return () => {
      stack.splice(stack.indexOf(entry), 1);
      if (stack.length === 0) document.removeEventListener('keydown', onKeyDown);
    };
  }, [active]);
}
