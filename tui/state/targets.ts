import type {RunRecord} from '../../src/protocol/index.js';
import type {SelectedItem} from './item.js';
import type {LogTarget} from './log.js';
import type {BoardScope} from './view.js';

/** Whose log the pane shows: the picked run, else the selected task's latest run (a schedule's: its task's), else the service or session. */
export function logTargetFor(item: SelectedItem | null, run: RunRecord | null): LogTarget | null {
  if (run) return {kind: 'run', runId: run.id};
  if (item?.kind === 'task') return {kind: 'task', namespace: item.namespace, task: item.task.name};
  if (item?.kind === 'schedule') return {kind: 'task', namespace: item.namespace, task: item.schedule.task};
  if (item?.kind === 'service') return {kind: 'service', namespace: item.namespace, name: item.service.name};
  if (item?.kind === 'session') return {kind: 'session', id: item.session.id};
  return null;
}

/** The log pane's title. */
export function logSubject(item: SelectedItem | null, run: RunRecord | null, runId: string | null): string | null {
  if (run) return `${run.namespace}/${run.task} ${run.id}`;
  if (item?.kind === 'service') return `${item.namespace}/${item.service.name}`;
  if (item?.kind === 'session') return `${item.session.id} (its snippets' output from now on)`;
  if (item?.kind === 'task' || item?.kind === 'schedule') return `${item.namespace}/${item.kind === 'task' ? item.task.name : item.schedule.task}${runId ? ` ${runId}` : ' (latest run)'}`;
  return null;
}

/** What `b` opens: the selected task's runs, else its namespace's (none for sessions and nodes, whose runs are not here). */
export function boardScopeOf(item: SelectedItem | null): BoardScope | null {
  if (item === null || item.kind === 'sessions' || item.kind === 'session' || item.kind === 'nodes' || item.kind === 'node' || item.kind === 'remote') return null;
  return {namespace: item.namespace, task: item.kind === 'task' ? item.task.name : null};
}
