import {useMemo, type Dispatch} from 'react';
import type {ConfigEntry, RunRecord} from '../../src/protocol/index.js';
import type {DashboardClient} from '../client.js';
import {NEXT_FIRES} from '../components/ScheduleDetails.js';
import type {DashboardData} from '../state/data.js';
import {taskOf, type SelectedItem} from '../state/item.js';
import type {DataAction} from '../state/reduce.js';
import {runsOf} from '../state/runs.js';
import {useRemote, type Remote} from './useRemote.js';
import {useRunList} from './useRunList.js';

/** Recent runs listed in a task's or schedule's details. */
export const DETAIL_RUNS = 20;

export interface SelectionData {
  /** Recent runs of the selected task (or of the task a selected schedule submits), newest first. */
  runs: RunRecord[];
  next: Remote<{timezone: string; fires: string[]}>;
  config: Remote<ConfigEntry[]>;
}

/** What the details pane shows beyond the tree's summaries, fetched when the selection changes. */
export function useSelectionData(client: DashboardClient | null, data: DashboardData, item: SelectedItem | null, dispatch: Dispatch<DataAction>): SelectionData {
  const ref = taskOf(item);
  const namespace = ref?.namespace ?? null;
  const task = ref?.task ?? null;
  useRunList(client, namespace, task, DETAIL_RUNS, dispatch);

  const runs = useMemo(() => (namespace !== null && task !== null ? runsOf(data.runs, namespace, task).slice(0, DETAIL_RUNS) : []), [data.runs, namespace, task]);

  const schedule = item?.kind === 'schedule' ? item : null;
  const next = useRemote(client, schedule ? `${schedule.namespace}/${schedule.schedule.name}@${schedule.schedule.nextFireAt}@${schedule.schedule.paused}` : null, (connection) =>
    connection.call('schedule.next', {namespace: schedule!.namespace, name: schedule!.schedule.name, count: NEXT_FIRES}),
  );

  const service = item?.kind === 'service' ? item : null;
  const config = useRemote(client, service ? `${service.namespace}/${service.service.name}` : null, async (connection) => {
    const {entries} = await connection.call('service.config.list', {namespace: service!.namespace, name: service!.service.name});
    return entries;
  });

  return {runs, next, config};
}
