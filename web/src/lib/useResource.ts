import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort } from '../api/client';

export type Resource<T> =
  | { status: 'loading'; data: T | undefined; error: null }
  | { status: 'ready'; data: T; error: null }
  | { status: 'error'; data: T | undefined; error: unknown };

/**
 * Loads data on mount and whenever `deps` change; `reload` fetches again while keeping the
 * current data on screen, and `set` replaces it after a successful write.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<Resource<T>>({ status: 'loading', data: undefined, error: null });
  const [version, setVersion] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const lastVersion = useRef(version);

  useEffect(() => {
    const controller = new AbortController();
    // A reload keeps what is shown; new inputs (another plan, another filter) start blank.
    const keep = lastVersion.current !== version;
    lastVersion.current = version;
    setState((prev) => ({ status: 'loading', data: keep ? prev.data : undefined, error: null }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'ready', data, error: null });
      },
      (error: unknown) => {
        if (!controller.signal.aborted && !isAbort(error)) {
          setState((prev) => ({ status: 'error', data: prev.data, error }));
        }
      },
    );
    return () => controller.abort();
    // `deps` stand in for `load`, which is a new closure on every render.
  }, [...deps, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const set = useCallback((data: T) => setState({ status: 'ready', data, error: null }), []);
  return { ...state, reload, set };
}
