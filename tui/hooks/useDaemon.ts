import {useCallback, useEffect, useReducer, useState, type Dispatch} from 'react';
import {CapsuleError, toCapsuleError, type ErrorPayload} from '../../src/lib/errors.js';
import type {Connect, DashboardClient} from '../client.js';
import {EMPTY_DATA, type ClusterView, type DashboardData} from '../state/data.js';
import type {Batch} from '../state/event-batch.js';
import {reduce, type DataAction} from '../state/reduce.js';
import {loadSnapshot} from '../state/snapshot.js';
import {DASHBOARD_TOPICS, useEvents} from './useEvents.js';

/** Waits between reconnection attempts; the last one repeats. */
export const RECONNECT_DELAYS_MS = [200, 500, 1000, 2000];
/** daemon.status (uptime, RSS) is polled this often, and with a backend the other nodes and their services after it. */
export const STATUS_POLL_MS = 1000;
/** A snapshot that failed to load is tried again after this long. */
export const SNAPSHOT_RETRY_MS = 2000;

export interface Connection {
  state: 'connecting' | 'connected' | 'disconnected';
  /** When the current state began (epoch ms). */
  since: number;
  /** Failed attempts since the connection was lost. */
  attempts: number;
  error: ErrorPayload | null;
}

export interface DaemonView {
  connection: Connection;
  client: DashboardClient | null;
  data: DashboardData;
  dispatch: Dispatch<DataAction>;
  /** Why the last snapshot failed to load, if it did. */
  loadError: ErrorPayload | null;
}

/**
 * The daemon as the dashboard sees it: connects (and reconnects by itself whenever the
 * connection drops), subscribes through useEvents, loads the initial state on every
 * connection and applies events on top of it, and polls daemon.status once a second.
 */
export function useDaemon(connect: Connect): DaemonView {
  const [client, setClient] = useState<DashboardClient | null>(null);
  const [connection, setConnection] = useState<Connection>(() => ({state: 'connecting', since: Date.now(), attempts: 0, error: null}));
  const [data, dispatch] = useReducer(reduce, EMPTY_DATA);
  const [generation, setGeneration] = useState(0);
  const [loadError, setLoadError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let current: DashboardClient | null = null;
    let attempts = 0;
    let lostAt = Date.now();
    const attempt = async () => {
      timer = undefined;
      let next: DashboardClient | null = null;
      let error: ErrorPayload | null = null;
      try {
        next = await connect();
      } catch (failure) {
        error = toCapsuleError(failure).toPayload();
      }
      if (stopped) {
        next?.close();
        return;
      }
      if (!next) {
        attempts++;
        setConnection({state: 'disconnected', since: lostAt, attempts, error});
        timer = setTimeout(attempt, RECONNECT_DELAYS_MS[Math.min(attempts, RECONNECT_DELAYS_MS.length) - 1]);
        return;
      }
      attempts = 0;
      current = next;
      const opened = next;
      opened.onClose((closeError) => {
        if (stopped || current !== opened) return;
        current = null;
        lostAt = Date.now();
        dispatch({type: 'desync'});
        setClient(null);
        setConnection({state: 'disconnected', since: lostAt, attempts: 0, error: closeError ? lostConnection(closeError) : null});
        timer = setTimeout(attempt, RECONNECT_DELAYS_MS[0]);
      });
      setConnection({state: 'connected', since: Date.now(), attempts: 0, error: null});
      setClient(opened);
    };
    void attempt();
    return () => {
      stopped = true;
      clearTimeout(timer);
      current?.close();
    };
  }, [connect]);

  const onBatch = useCallback((batch: Batch) => dispatch({type: 'batch', batch}), []);
  const subscribed = useEvents(client, DASHBOARD_TOPICS, onBatch);

  useEffect(() => {
    if (!client || !subscribed) return;
    let cancelled = false;
    let retry: NodeJS.Timeout | undefined;
    dispatch({type: 'desync'});
    loadSnapshot(client).then(
      (snapshot) => {
        if (cancelled) return;
        setLoadError(null);
        dispatch({type: 'snapshot', snapshot});
      },
      (error: unknown) => {
        if (cancelled) return;
        setLoadError(toCapsuleError(error).toPayload());
        retry = setTimeout(() => setGeneration((value) => value + 1), SNAPSHOT_RETRY_MS);
      },
    );
    return () => {
      cancelled = true;
      clearTimeout(retry);
    };
  }, [client, subscribed, generation]);

  useEffect(() => {
    if (data.needsResync) setGeneration((value) => value + 1);
  }, [data.needsResync]);

  useEffect(() => {
    if (!client) return;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = async () => {
      try {
        const status = await client.call('daemon.status', {});
        if (!stopped) dispatch({type: 'status', status});
        const cluster = status.cluster && status.cluster.backend !== 'file' ? await loadCluster(client, status.cluster.node) : null;
        if (!stopped) dispatch({type: 'cluster', cluster});
      } catch {
        // A lost connection is reported by onClose; a failing status call just leaves the old figures.
      }
      if (!stopped) timer = setTimeout(poll, STATUS_POLL_MS);
    };
    timer = setTimeout(poll, STATUS_POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client]);

  return {connection, client, data, dispatch, loadError};
}

/** The other nodes and their services (the daemon lists its own with them): what the tree's nodes group shows. */
async function loadCluster(client: DashboardClient, self: string): Promise<ClusterView> {
  const [{nodes}, {services}] = await Promise.all([client.call('nodes.list', {}), client.call('service.list', {})]);
  return {nodes: nodes.filter((node) => !node.self), services: services.filter((service) => service.node !== undefined && service.node !== self)};
}

/** A socket error (ECONNRESET …) is the daemon going away, not a failure of the dashboard. */
function lostConnection(cause: Error): ErrorPayload {
  return new CapsuleError('daemon_unreachable', `the daemon is unreachable: ${cause.message}`, {hint: 'reconnecting; `capsule daemon start` if it does not come back', cause}).toPayload();
}
