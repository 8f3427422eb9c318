import {useCallback, useEffect, useRef, useState} from 'react';
import {CapsuleError, toCapsuleError} from '../../src/lib/errors.js';
import type {DashboardClient} from '../client.js';
import type {StatusMessage} from '../components/StatusLine.js';

export type Outcome = string | {ok: boolean; message: string};

export interface Actions {
  status: StatusMessage | null;
  setStatus(status: StatusMessage | null): void;
  /**
   * Runs one daemon operation, showing `pending` meanwhile and then its outcome (or its
   * error with the hint). Resolves with the error, if any, for callers that show it in place.
   */
  perform(pending: string, work: (client: DashboardClient) => Promise<Outcome>): Promise<CapsuleError | null>;
}

/** The status line, and the one way actions reach the daemon. */
export function useActions(client: DashboardClient | null): Actions {
  const [status, setStatus] = useState<StatusMessage | null>(null);
  const connection = useRef(client);
  const mounted = useRef(true);
  useEffect(() => {
    connection.current = client;
  }, [client]);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const perform = useCallback(async (pending: string, work: (client: DashboardClient) => Promise<Outcome>): Promise<CapsuleError | null> => {
    const show = (next: StatusMessage) => mounted.current && setStatus(next);
    const current = connection.current;
    if (!current) {
      const error = new CapsuleError('daemon_unreachable', 'not connected to the daemon', {hint: 'wait for the dashboard to reconnect, or start it: `capsule daemon start`'});
      show({tone: 'error', text: error.message, hint: error.hint});
      return error;
    }
    show({tone: 'pending', text: pending});
    try {
      const outcome = await work(current);
      show(typeof outcome === 'string' ? {tone: 'ok', text: outcome} : {tone: outcome.ok ? 'ok' : 'error', text: outcome.message});
      return null;
    } catch (error) {
      const failure = toCapsuleError(error);
      show({tone: 'error', text: failure.message, hint: failure.hint});
      return failure;
    }
  }, []);

  return {status, setStatus, perform};
}
