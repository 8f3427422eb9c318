import {useEffect, type Dispatch} from 'react';
import {toCapsuleError} from '../../src/lib/errors.js';
import type {DashboardClient} from '../client.js';
import type {ServerEvent} from '../../src/protocol/index.js';
import {logTargetKey, type LogTarget} from '../state/log.js';
import type {DataAction} from '../state/reduce.js';

/** Lines fetched when the log pane switches to a target; live lines follow from events. */
export const LOG_TAIL_LINES = 200;

/** Points the log pane at `target` and fetches the tail of its log. */
export function useSelectionLog(client: DashboardClient | null, target: LogTarget | null, dispatch: Dispatch<DataAction>): void {
  const key = logTargetKey(target);
  useEffect(() => {
    const current: LogTarget | null = key === null ? null : (JSON.parse(key) as LogTarget);
    dispatch({type: 'logTarget', target: current});
    if (!client || current === null) return;
    let active = true;
    fetchTail(client, current).then(
      ({runId, lines}) => active && dispatch({type: 'logTail', target: current, runId, lines}),
      (error: unknown) => active && dispatch({type: 'logTail', target: current, runId: null, lines: [], error: toCapsuleError(error).message}),
    );
    return () => {
      active = false;
    };
  }, [client, key, dispatch]);
}

async function fetchTail(client: DashboardClient, target: LogTarget): Promise<{runId: string | null; lines: ServerEvent[]}> {
  // A session's output is kept by no one but the caller of each snippet: the pane shows what arrives from now on.
  if (target.kind === 'session') return {runId: null, lines: []};
  if (target.kind === 'service') {
    const result = await client.call('service.logs', {namespace: target.namespace, name: target.name, tail: LOG_TAIL_LINES});
    return {runId: null, lines: result.lines.map((line) => ({event: 'service.log', data: line}))};
  }
  const params = target.kind === 'run' ? {id: target.runId, tail: LOG_TAIL_LINES} : {namespace: target.namespace, task: target.task, tail: LOG_TAIL_LINES};
  const result = await client.call('run.logs', params);
  return {runId: result.runId, lines: result.lines.map((line) => ({event: 'run.log', data: line}))};
}
