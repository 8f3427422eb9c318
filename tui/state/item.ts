import type {NodeInfo, ProjectService, ProjectSummary, ScheduleSummary, ServiceSummary, SessionSummary, TaskSummary} from '../../src/protocol/index.js';
import type {ClusterView} from './data.js';
import type {TaskActivity} from './runs.js';
import type {Selection} from './selection.js';
import {liveTask} from './tree.js';

/** The selected row resolved to its data (a group resolves to its project). */
export type SelectedItem =
  | {kind: 'project'; namespace: string; project: ProjectSummary}
  | {kind: 'task'; namespace: string; project: ProjectSummary; task: TaskSummary}
  | {kind: 'schedule'; namespace: string; project: ProjectSummary; schedule: ScheduleSummary}
  | {kind: 'service'; namespace: string; project: ProjectSummary; service: ServiceSummary}
  | {kind: 'nodes'; nodes: readonly NodeInfo[]}
  | {kind: 'node'; node: NodeInfo; services: ProjectService[]}
  /** Another node's service: shown, and restarted, stopped or started there. */
  | {kind: 'remote'; node: NodeInfo | undefined; service: ProjectService & {node: string}}
  | {kind: 'sessions'; sessions: readonly SessionSummary[]}
  | {kind: 'session'; session: SessionSummary};

export function findItem(
  projects: ProjectSummary[],
  selection: Selection | null,
  activity: ReadonlyMap<string, TaskActivity> | null,
  sessions: readonly SessionSummary[] = [],
  cluster: ClusterView | null = null,
): SelectedItem | null {
  if (selection === null) return null;
  if (selection.kind === 'nodes') return cluster ? {kind: 'nodes', nodes: cluster.nodes} : null;
  if (selection.kind === 'node') {
    const node = cluster?.nodes.find((candidate) => candidate.name === selection.node);
    return node ? {kind: 'node', node, services: cluster!.services.filter((service) => service.node === node.name)} : null;
  }
  if (selection.kind === 'remote') {
    const service = cluster?.services.find((candidate) => candidate.node === selection.node && candidate.namespace === selection.namespace && candidate.name === selection.name);
    return service ? {kind: 'remote', node: cluster!.nodes.find((candidate) => candidate.name === selection.node), service: {...service, node: selection.node}} : null;
  }
  if (selection.kind === 'sessions') return {kind: 'sessions', sessions};
  if (selection.kind === 'session') {
    const session = sessions.find((candidate) => candidate.id === selection.id);
    return session ? {kind: 'session', session} : null;
  }
  const root = selection.kind === 'project' ? selection.root : undefined;
  // Without a root, the first listed under the namespace: the one holding it.
  const project = projects.find((candidate) => (root === undefined ? candidate.namespace === selection.namespace : candidate.root === root));
  if (!project) return null;
  const namespace = project.namespace;
  switch (selection.kind) {
    case 'project':
    case 'group':
      return {kind: 'project', namespace, project};
    case 'task': {
      const task = project.tasks.find((candidate) => candidate.name === selection.name);
      return task ? {kind: 'task', namespace, project, task: liveTask(task, activity?.get(`${namespace}/${task.name}`), activity !== null)} : null;
    }
    case 'schedule': {
      const schedule = project.schedules.find((candidate) => candidate.name === selection.name);
      return schedule ? {kind: 'schedule', namespace, project, schedule} : null;
    }
    case 'service': {
      const service = project.services.find((candidate) => candidate.name === selection.name);
      return service ? {kind: 'service', namespace, project, service} : null;
    }
  }
}

/** The task whose runs a selection lists: the task itself, or the task a schedule submits. */
export function taskOf(item: SelectedItem | null): {namespace: string; task: string} | null {
  if (item?.kind === 'task') return {namespace: item.namespace, task: item.task.name};
  if (item?.kind === 'schedule') return {namespace: item.namespace, task: item.schedule.task};
  return null;
}
