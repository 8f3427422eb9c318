import type {ProjectSummary, TaskSummary} from '../../src/protocol/index.js';
import {describeSchedule, describeService, describeTask} from '../../src/render/items.js';
import type {StyleName} from '../../src/render/style.js';
import type {TaskActivity} from './runs.js';
import {selectionKey, type ItemGroup, type Selection} from './selection.js';

export interface TreeRow {
  key: string;
  selection: Selection;
  depth: 0 | 1 | 2;
  glyph: string;
  tone: StyleName | null;
  label: string;
  facts: string[];
  /** Whether a project or group row is folded; null for items, which do not fold. */
  folded: boolean | null;
}

export interface TreeOptions {
  /** Keys of folded project and group rows. */
  collapsed: ReadonlySet<string>;
  /** Case-insensitive text matched against "ns/name"; folding is ignored while it is set. */
  filter: string;
  /** Live counts from tracked runs; null when the daemon does not list runs. */
  activity: ReadonlyMap<string, TaskActivity> | null;
  now: number;
}

/** The visible rows of namespace → tasks / schedules / services, in display order. */
export function buildRows(projects: ProjectSummary[], options: TreeOptions): TreeRow[] {
  const rows: TreeRow[] = [];
  const filter = options.filter.trim().toLowerCase();
  for (const project of projects) {
    const namespace = project.namespace;
    const wholeProject = filter === '' || namespace.toLowerCase().includes(filter);
    const groups = projectGroups(project, options);
    const shown = groups.map(([group, items]) => [group, wholeProject ? items : items.filter((item) => `${namespace}/${item.label}`.toLowerCase().includes(filter))] as const);
    if (!wholeProject && shown.every(([, items]) => items.length === 0)) continue;
    const projectRow = projectLine(project);
    const folded = filter === '' && options.collapsed.has(projectRow.key);
    rows.push({...projectRow, folded});
    if (folded) continue;
    for (const [group, items] of shown) {
      if (items.length === 0) continue;
      const selection: Selection = {kind: 'group', namespace, group};
      const key = selectionKey(selection);
      const groupFolded = filter === '' && options.collapsed.has(key);
      rows.push({key, selection, depth: 1, glyph: '', tone: 'dim', label: group, facts: [String(items.length)], folded: groupFolded});
      if (!groupFolded) rows.push(...items);
    }
  }
  return rows;
}

function projectLine(project: ProjectSummary): Omit<TreeRow, 'folded'> {
  const selection: Selection = {kind: 'project', namespace: project.namespace};
  const ok = project.status === 'ok';
  return {
    key: selectionKey(selection),
    selection,
    depth: 0,
    glyph: ok ? '◆' : '✗',
    tone: ok ? 'cyan' : 'red',
    label: project.namespace,
    facts: ok ? [] : [`error: ${project.error?.message ?? 'did not load'}`],
  };
}

// The tree shows what changes (counts, last result, next fire, state); the details pane the rest.
function projectGroups(project: ProjectSummary, {activity, now}: TreeOptions): [ItemGroup, TreeRow[]][] {
  const namespace = project.namespace;
  const item = (kind: 'task' | 'schedule' | 'service', name: string, line: {glyph: string; tone: StyleName | null; facts: string[]}): TreeRow => {
    const selection: Selection = {kind, namespace, name};
    return {key: selectionKey(selection), selection, depth: 2, glyph: line.glyph, tone: line.tone, label: name, facts: line.facts, folded: null};
  };
  return [
    ['tasks', project.tasks.map((task) => {
      const line = describeTask(liveTask(task, activity?.get(`${namespace}/${task.name}`), activity !== null), now);
      return item('task', task.name, {...line, facts: line.facts.slice(1)});
    })],
    ['schedules', project.schedules.map((schedule) => {
      const line = describeSchedule(schedule, now);
      return item('schedule', schedule.name, {...line, facts: line.facts.slice(2)});
    })],
    ['services', project.services.map((service) => item('service', service.name, describeService(service)))],
  ];
}

/** A task summary with the counts and last run the dashboard tracks live, which may be newer than the daemon's summary. */
export function liveTask(task: TaskSummary, activity: TaskActivity | undefined, tracked: boolean): TaskSummary {
  if (!tracked) return task;
  const latest = activity?.latest;
  const lastRun = latest && (!task.lastRun || latest.createdAt >= task.lastRun.createdAt)
    ? {id: latest.id, status: latest.status, finishedAt: latest.finishedAt, createdAt: latest.createdAt}
    : task.lastRun;
  return {...task, running: activity?.running ?? 0, queued: activity?.queued ?? 0, lastRun};
}
