import {UNFINISHED_RUN_STATUSES, type NodeInfo, type ProjectService, type ProjectSummary, type ScheduleSummary, type ServiceSummary, type SessionSummary, type TaskSummary, type UnfinishedRunStatus} from '../../src/protocol/index.js';
import {describeSchedule, describeService, describeSession, describeTask, relativeTime} from '../../src/render/items.js';
import {projectMark} from '../../src/render/project-error.js';
import type {StyleName} from '../../src/render/style.js';
import type {ClusterView} from './data.js';
import type {TaskActivity} from './runs.js';
import {selectionKey, type ItemGroup, type Selection} from './selection.js';

/** What a row shows the facts of. */
export type RowSubject =
  | {kind: 'project'; project: ProjectSummary}
  | {kind: 'group'; count: number}
  | {kind: 'task'; namespace: string; task: TaskSummary}
  | {kind: 'schedule'; schedule: ScheduleSummary}
  | {kind: 'service'; service: ServiceSummary}
  | {kind: 'nodes'; nodes: NodeInfo[]}
  | {kind: 'node'; node: NodeInfo}
  | {kind: 'remote'; service: ProjectService}
  | {kind: 'sessions'; sessions: SessionSummary[]}
  | {kind: 'session'; session: SessionSummary};

/** One line of the tree. Only its structure: glyph and facts are worked out for the rows in view (describeRow). */
export interface TreeRow {
  key: string;
  selection: Selection;
  depth: 0 | 1 | 2;
  label: string;
  subject: RowSubject;
  /** Whether a project or group row is folded; null for items, which do not fold. */
  folded: boolean | null;
}

export interface RowLine {
  glyph: string;
  tone: StyleName | null;
  facts: string[];
}

export interface TreeOptions {
  /** Keys of folded project and group rows. */
  collapsed: ReadonlySet<string>;
  /** Case-insensitive text matched against "ns/name"; folding is ignored while it is set. */
  filter: string;
}

// A project's rows are rebuilt only when its summary (or the folding and filter) changes:
// an update to one service of one project re-does that project's rows, not the whole tree.
const cache = new WeakMap<ProjectSummary, {signature: string; rows: TreeRow[]}>();

/** The visible rows of namespace → tasks / schedules / services, in display order, then the other nodes (with a backend), then the code sessions. */
export function buildRows(projects: ProjectSummary[], options: TreeOptions, sessions: readonly SessionSummary[] = [], cluster: ClusterView | null = null): TreeRow[] {
  const filter = options.filter.trim().toLowerCase();
  const listed = new Set<string>();
  const rows = projects.flatMap((project) => {
    // A second directory under a namespace (refused it) gets a row of its own, told apart by its root.
    const selection: Selection = listed.has(project.namespace) ? {kind: 'project', namespace: project.namespace, root: project.root} : {kind: 'project', namespace: project.namespace};
    listed.add(project.namespace);
    const folded = filter === '' ? [selectionKey(selection), ...GROUPS.map((group) => `${project.namespace}/${group}`)].filter((key) => options.collapsed.has(key)) : [];
    const signature = `${selectionKey(selection)}\u0000${filter}\u0000${folded.join('\u0000')}`;
    const known = cache.get(project);
    if (known?.signature === signature) return known.rows;
    const rows = projectRows(project, selection, new Set(folded), filter);
    cache.set(project, {signature, rows});
    return rows;
  });
  const nodes = cluster === null || cluster.nodes.length === 0 ? [] : nodeRows(cluster, options.collapsed, filter);
  return rows.concat(nodes, sessions.length === 0 ? [] : sessionRows(sessions, options.collapsed, filter));
}

const NODES: Selection = {kind: 'nodes'};

/** A heading, a row per other node, and under each its services (matched by node, namespace and name while a filter is set). */
function nodeRows(cluster: ClusterView, collapsed: ReadonlySet<string>, filter: string): TreeRow[] {
  const key = selectionKey(NODES);
  const heading: TreeRow = {key, selection: NODES, depth: 0, label: 'nodes', subject: {kind: 'nodes', nodes: cluster.nodes}, folded: filter === '' && collapsed.has(key)};
  if (heading.folded) return [heading];
  const rows: TreeRow[] = [];
  for (const node of cluster.nodes) {
    const services = cluster.services.filter((service) => service.node === node.name && (filter === '' || `${node.name} ${service.namespace}/${service.name}`.toLowerCase().includes(filter)));
    if (filter !== '' && services.length === 0 && !node.name.toLowerCase().includes(filter)) continue;
    const selection: Selection = {kind: 'node', node: node.name};
    const nodeKey = selectionKey(selection);
    const folded = filter === '' && collapsed.has(nodeKey);
    rows.push({key: nodeKey, selection, depth: 1, label: node.name, subject: {kind: 'node', node}, folded});
    if (folded) continue;
    for (const service of services) {
      const remote: Selection = {kind: 'remote', node: node.name, namespace: service.namespace, name: service.name};
      rows.push({key: selectionKey(remote), selection: remote, depth: 2, label: `${service.namespace}/${service.name}`, subject: {kind: 'remote', service}, folded: null});
    }
  }
  return rows.length === 0 ? [] : [heading, ...rows];
}

const SESSIONS: Selection = {kind: 'sessions'};

/** A heading, then a row per session (matched by id or project while a filter is set). */
function sessionRows(sessions: readonly SessionSummary[], collapsed: ReadonlySet<string>, filter: string): TreeRow[] {
  const shown = filter === '' ? [...sessions] : sessions.filter((session) => `${session.id} ${session.project ?? ''}`.toLowerCase().includes(filter));
  if (shown.length === 0) return [];
  const key = selectionKey(SESSIONS);
  const folded = filter === '' && collapsed.has(key);
  const heading: TreeRow = {key, selection: SESSIONS, depth: 0, label: 'sessions', subject: {kind: 'sessions', sessions: shown}, folded};
  if (folded) return [heading];
  return [
    heading,
    ...shown.map((session): TreeRow => {
      const selection: Selection = {kind: 'session', id: session.id};
      return {key: selectionKey(selection), selection, depth: 1, label: session.id, subject: {kind: 'session', session}, folded: null};
    }),
  ];
}

const GROUPS: ItemGroup[] = ['tasks', 'schedules', 'services'];

function projectRows(project: ProjectSummary, selection: Selection, folded: ReadonlySet<string>, filter: string): TreeRow[] {
  const namespace = project.namespace;
  const wholeProject = filter === '' || namespace.toLowerCase().includes(filter);
  const matches = (name: string) => wholeProject || `${namespace}/${name}`.toLowerCase().includes(filter);
  const groups: [ItemGroup, TreeRow[]][] = [
    ['tasks', project.tasks.filter((task) => matches(task.name)).map((task) => itemRow(namespace, 'task', task.name, {kind: 'task', namespace, task}))],
    ['schedules', project.schedules.filter((schedule) => matches(schedule.name)).map((schedule) => itemRow(namespace, 'schedule', schedule.name, {kind: 'schedule', schedule}))],
    ['services', project.services.filter((service) => matches(service.name)).map((service) => itemRow(namespace, 'service', service.name, {kind: 'service', service}))],
  ];
  if (!wholeProject && groups.every(([, items]) => items.length === 0)) return [];
  const key = selectionKey(selection);
  const rows: TreeRow[] = [{key, selection, depth: 0, label: namespace, subject: {kind: 'project', project}, folded: folded.has(key)}];
  if (folded.has(key)) return rows;
  for (const [group, items] of groups) {
    if (items.length === 0) continue;
    const groupSelection: Selection = {kind: 'group', namespace, group};
    const groupKey = selectionKey(groupSelection);
    rows.push({key: groupKey, selection: groupSelection, depth: 1, label: group, subject: {kind: 'group', count: items.length}, folded: folded.has(groupKey)});
    if (!folded.has(groupKey)) rows.push(...items);
  }
  return rows;
}

function itemRow(namespace: string, kind: 'task' | 'schedule' | 'service', name: string, subject: RowSubject): TreeRow {
  const selection: Selection = {kind, namespace, name};
  return {key: selectionKey(selection), selection, depth: 2, label: name, subject, folded: null};
}

/**
 * A row's glyph, tone and facts: what changes (counts, last result, next fire, state); the
 * details pane shows the rest. `activity` is null when the daemon does not list runs.
 */
export function describeRow(row: TreeRow, activity: ReadonlyMap<string, TaskActivity> | null, now: number): RowLine {
  const subject = row.subject;
  switch (subject.kind) {
    case 'project': {
      const {glyph, tone, fact} = projectMark(subject.project);
      return {glyph, tone, facts: fact === null ? [] : [fact]};
    }
    case 'group':
      return {glyph: '', tone: 'dim', facts: [String(subject.count)]};
    case 'task': {
      const line = describeTask(liveTask(subject.task, activity?.get(`${subject.namespace}/${subject.task.name}`), activity !== null), now);
      return {...line, facts: line.facts.slice(1)};
    }
    case 'schedule': {
      const line = describeSchedule(subject.schedule, now);
      return {...line, facts: line.facts.slice(2)};
    }
    case 'service':
    case 'remote':
      return describeService(subject.service);
    case 'nodes': {
      const lost = subject.nodes.filter((node) => node.state === 'lost').length;
      return {glyph: '⬡', tone: 'blue', facts: [String(subject.nodes.length), ...(lost > 0 ? [`${lost} lost`] : [])]};
    }
    case 'node': {
      const {node} = subject;
      const facts = node.state === 'lost' ? [`lost, last heard of ${relativeTime(node.heartbeatAt, now)}`] : [`${node.running}/${node.capacity} running`, `load ${node.load.toFixed(2)}/${node.cores}`];
      return {glyph: '⬡', tone: node.state === 'lost' ? 'red' : 'green', facts};
    }
    case 'sessions': {
      const lost = subject.sessions.filter((session) => session.state === 'lost').length;
      return {glyph: '›_', tone: 'cyan', facts: [String(subject.sessions.length), ...(lost > 0 ? [`${lost} lost`] : [])]};
    }
    case 'session': {
      const line = describeSession(subject.session, now);
      return {glyph: line.glyph, tone: line.tone, facts: line.facts};
    }
  }
}

/** A task summary with the counts and last run the dashboard tracks live, which may be newer than the daemon's summary. */
export function liveTask(task: TaskSummary, activity: TaskActivity | undefined, tracked: boolean): TaskSummary {
  if (!tracked) return task;
  const latest = activity?.latest;
  const lastRun = latest && (!task.lastRun || latest.createdAt >= task.lastRun.createdAt)
    ? {id: latest.id, status: latest.status, finishedAt: latest.finishedAt, createdAt: latest.createdAt}
    : task.lastRun;
  const counts = Object.fromEntries(UNFINISHED_RUN_STATUSES.map((status) => [status, activity?.[status] ?? 0])) as Record<UnfinishedRunStatus, number>;
  return {...task, ...counts, lastRun};
}
