import { useCallback, useRef, useState } from 'react';

/**
 * Busy and error state around the actions of one control (post, resolve, save): `run` clears
 * the last error, marks busy, awaits the action, calls `onDone` when it succeeded and says
 * whether it did; a failure is kept in `error` for an <ErrorMessage>.
 */
export function useAction(onDone?: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const done = useRef(onDone);
  done.current = onDone;
  const run = useCallback(async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      done.current?.();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
