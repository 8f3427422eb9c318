import type {ErrorPayload} from '../lib/errors.js';
import type {ScheduleSummary} from './schedules.js';
import type {ServiceSummary} from './services.js';
import type {TaskSummary} from './tasks.js';

export type ProjectStatus = 'ok' | 'error';

export interface ProjectSummary {
  namespace: string;
  root: string;
  status: ProjectStatus;
  /** Why the project did not load: config errors, a module that threw at import. */
  error: ErrorPayload | null;
  version: string | null;
  description: string | null;
  tasks: TaskSummary[];
  schedules: ScheduleSummary[];
  services: ServiceSummary[];
}

export interface ProjectMethods {
  'project.add': {params: {root: string}; result: ProjectSummary};
  'project.remove': {params: {namespace: string}; result: {namespace: string; root: string}};
  'project.reload': {params: {namespace: string}; result: ProjectSummary};
  'project.list': {params: {namespace?: string}; result: {projects: ProjectSummary[]}};
}

/** Pushed on the `projects` topic whenever a project is added, reloaded, changes or goes away. */
export interface ProjectEvents {
  'project.updated': ProjectSummary;
  'project.removed': {namespace: string; root: string};
}
