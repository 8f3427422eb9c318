import {useEffect, type Dispatch} from 'react';
import type {DashboardClient} from '../client.js';
import type {DataAction} from '../state/reduce.js';

/**
 * Fetches the newest runs of a namespace or task into the tracked runs when a view needs
 * them (a task's details, the board); events keep them current afterwards. A daemon
 * without run.list leaves the view to the runs seen in events.
 */
export function useRunList(client: DashboardClient | null, namespace: string | null, task: string | null, limit: number, dispatch: Dispatch<DataAction>): void {
  useEffect(() => {
    if (!client || namespace === null) return;
    let active = true;
    client.call('run.list', task === null ? {namespace, limit} : {namespace, task, limit}).then(
      ({runs}) => active && dispatch({type: 'runs', runs}),
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [client, namespace, task, limit, dispatch]);
}
