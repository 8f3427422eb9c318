import type {ProjectSummary, SandboxStatus} from '../protocol/index.js';
import {describeSchedule, describeService, describeTask} from './items.js';
import {projectErrorHeadline} from './project-error.js';
import type {Paint} from './style.js';
import {renderTable} from './table.js';
import {buildTree, renderTree} from './tree.js';

export interface RenderOptions {
  width: number;
  paint: Paint;
}

export function renderProjectTree(projects: ProjectSummary[], options: RenderOptions): string {
  if (projects.length === 0) return 'no projects yet: add one with `capsule project add DIR` (or `capsule init` to create one)';
  return renderTree(buildTree(projects), options);
}

/** Said under the list when it holds sandboxed tasks that cannot run on this machine. */
export function renderSandboxNote(projects: ProjectSummary[], sandbox: SandboxStatus | null | undefined, paint: Paint): string | null {
  if (!sandbox || sandbox.available) return null;
  const sandboxed = projects.flatMap((project) => (project.status === 'ok' ? project.tasks.filter((task) => task.isolation === 'sandbox').map((task) => `${project.namespace}/${task.name}`) : []));
  if (sandboxed.length === 0) return null;
  const which = sandboxed.length > 3 ? `${sandboxed.slice(0, 3).join(', ')} and ${sandboxed.length - 3} more` : sandboxed.join(', ');
  return `${paint('red', '!')} sandboxed tasks cannot run here (${which}): ${sandbox.reason}${sandbox.hint === null ? '' : `\n  ${paint('dim', `fix: ${sandbox.hint}`)}`}`;
}

/** One row per task, schedule and service. */
export function renderItemTable(projects: ProjectSummary[], options: RenderOptions): string {
  if (projects.length === 0) return 'no projects yet: add one with `capsule project add DIR` (or `capsule init` to create one)';
  const rows: string[][] = [];
  for (const project of projects) {
    if (project.status === 'error') {
      rows.push([project.namespace, 'project', '-', 'error', `${projectErrorHeadline(project)} · ${project.root}`]);
      continue;
    }
    if (project.status === 'loading') {
      rows.push([project.namespace, 'project', '-', 'loading', `the daemon is loading it · ${project.root}`]);
      continue;
    }
    const items = [
      ...project.tasks.map((task) => ['task', describeTask(task)] as const),
      ...project.schedules.map((schedule) => ['schedule', describeSchedule(schedule)] as const),
      ...project.services.map((service) => ['service', describeService(service)] as const),
    ];
    if (items.length === 0) rows.push([project.namespace, 'project', '-', 'ok', 'nothing declared yet']);
    for (const [kind, line] of items) rows.push([project.namespace, kind, line.label, line.glyph, line.facts.join(' · ')]);
  }
  return renderTable(['NAMESPACE', 'KIND', 'NAME', '', 'DETAILS'], rows, options);
}

export function renderProjectList(projects: ProjectSummary[], options: RenderOptions): string {
  if (projects.length === 0) return 'no projects registered: `capsule project add DIR`';
  const rows = projects.map((project) => [
    project.namespace,
    project.status,
    `${project.tasks.length}/${project.schedules.length}/${project.services.length}`,
    project.root,
    project.status === 'error' ? projectErrorHeadline(project) : '',
  ]);
  return renderTable(['NAMESPACE', 'STATUS', 'T/SCH/SVC', 'ROOT', 'ERROR'], rows, options);
}
