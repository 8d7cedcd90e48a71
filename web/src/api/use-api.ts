import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from './api.client';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Fetches again (the data shown stays until the new answer comes). */
  reload: () => void;
}

/** GETs `path` (nothing while it is null) and again on reload(); aborted when the path changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api<T>(path, { signal: abort.signal }).then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => {
        if (!abort.signal.aborted)
          setState((s) => ({ ...s, error: asError(error), loading: false }));
      },
    );
    return () => abort.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
