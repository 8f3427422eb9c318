import {useEffect, useRef, useState} from 'react';
import type {DashboardClient} from '../client.js';
import {EventBatch, type Batch} from '../state/event-batch.js';

/**
 * Events are applied at most once per interval: at most 10 renders a second come from
 * them, however fast they arrive (keys still render at once, within Ink's MAX_FPS).
 */
export const FLUSH_INTERVAL_MS = 100;

/** Topics carrying every event the dashboard shows (log lines travel on `run` and `service`). */
export const DASHBOARD_TOPICS: readonly string[] = ['project', 'run', 'schedule', 'service', 'session'];

/**
 * Subscribes `client` to `topics` and hands the events over in batches, one flush per
 * FLUSH_INTERVAL_MS at most. Returns whether the subscription of this client is in place.
 * The listener, the pending timer and the subscription go away on unmount or a new client.
 */
export function useEvents(client: DashboardClient | null, topics: readonly string[], onBatch: (batch: Batch) => void): boolean {
  const [subscribed, setSubscribed] = useState<DashboardClient | null>(null);
  const handler = useRef(onBatch);
  useEffect(() => {
    handler.current = onBatch;
  }, [onBatch]);

  useEffect(() => {
    if (!client) return;
    let active = true;
    const batch = new EventBatch();
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (active && !batch.isEmpty) handler.current(batch.take());
    };
    const stopListening = client.onEvent((...event) => {
      if (batch.add(...event) && timer === undefined) timer = setTimeout(flush, FLUSH_INTERVAL_MS);
    });
    client.subscribe([...topics]).then(
      () => active && setSubscribed(client),
      // A failed subscribe means the connection is going away; its onClose takes over.
      () => undefined,
    );
    return () => {
      active = false;
      stopListening();
      clearTimeout(timer);
      client.call('unsubscribe', {topics: [...topics]}).catch(() => undefined);
    };
  }, [client, topics]);

  return client !== null && subscribed === client;
}
