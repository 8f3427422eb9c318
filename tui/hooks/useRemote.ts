import {useEffect, useRef, useState} from 'react';
import {toCapsuleError, type ErrorPayload} from '../../src/lib/errors.js';
import type {DashboardClient} from '../client.js';

export interface Remote<T> {
  value: T | null;
  error: ErrorPayload | null;
  loading: boolean;
  /** Loads again (after an action changed what it shows). */
  refresh(): void;
}

/**
 * One daemon answer that depends on the selection (a schedule's next fires, a service's
 * config). Loaded again whenever `key` changes; null `key` (or no client) loads nothing.
 * An answer for a key that is no longer current is dropped.
 */
export function useRemote<T>(client: DashboardClient | null, key: string | null, load: (client: DashboardClient) => Promise<T>): Remote<T> {
  const [state, setState] = useState<{key: string | null; value: T | null; error: ErrorPayload | null}>({key: null, value: null, error: null});
  const [generation, setGeneration] = useState(0);
  const loader = useRef(load);
  useEffect(() => {
    loader.current = load;
  }, [load]);

  useEffect(() => {
    if (!client || key === null) return;
    let current = true;
    loader.current(client).then(
      (value) => current && setState({key, value, error: null}),
      (error: unknown) => current && setState({key, value: null, error: toCapsuleError(error).toPayload()}),
    );
    return () => {
      current = false;
    };
  }, [client, key, generation]);

  const fresh = state.key === key && key !== null;
  return {
    value: fresh ? state.value : null,
    error: fresh ? state.error : null,
    loading: key !== null && !fresh,
    refresh: () => setGeneration((value) => value + 1),
  };
}
