import {z} from 'zod';
import {ErrorPayload, Text} from './common.js';
import {ITEM_KINDS} from './targets.js';
import {SandboxStatus} from './daemon.js';
import {TaskSummary} from './runs.js';
import {ScheduleSummary} from './schedules.js';
import {ServiceSummary} from './services.js';

export const ProjectSummary = z.object({
  namespace: z.string(),
  root: z.string(),
  /** `loading`: the daemon has just started and this project's first load is under way (its tasks, schedules and services are not listed yet). */
  status: z.enum(['ok', 'error', 'loading']),
  /** Why the project did not load: config errors, a module that threw at import. */
  error: ErrorPayload.nullable(),
  version: z.string().nullable(),
  description: z.string().nullable(),
  tasks: z.array(TaskSummary),
  schedules: z.array(ScheduleSummary),
  services: z.array(ServiceSummary),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

/** A registered project, by its namespace or by its directory (the one way to name one of two directories claiming a namespace). */
const ProjectTarget = z.union([z.strictObject({namespace: Text}), z.strictObject({root: Text})]);
export type ProjectTarget = z.infer<typeof ProjectTarget>;
const Removed = z.object({namespace: z.string(), root: z.string()});

export const projectMethods = {
  'project.add': {params: z.strictObject({root: Text}), result: ProjectSummary},
  'project.remove': {params: ProjectTarget, result: Removed},
  'project.reload': {params: ProjectTarget, result: ProjectSummary},
  /** `sandbox`: as in daemon.status, so that a tree with sandboxed tasks says when they cannot run. */
  'project.list': {params: z.strictObject({namespace: Text.optional()}), result: z.object({projects: z.array(ProjectSummary), sandbox: SandboxStatus.nullable().optional()})},
  /** What a name typed without its namespace means (src/protocol/targets.ts resolveBareName); `root`: the project directory it was typed in. */
  'project.resolve': {
    params: z.strictObject({name: Text, kinds: z.array(z.enum(ITEM_KINDS)), namespaces: z.boolean(), root: Text.optional()}),
    result: z.object({target: z.string(), kind: z.enum([...ITEM_KINDS, 'namespace'])}),
  },
};

/** Pushed on the `project` topic whenever a project is added, reloaded, changes or goes away. */
export const projectEvents = {
  'project.updated': ProjectSummary,
  'project.removed': Removed,
};
