import {z} from 'zod';
import {defaultsSchema} from './defaults.js';
import type {TomlPosition} from './locator.js';
import {dependencyProblems} from './dependencies.js';
import {entryPatternProblem} from './entry-pattern.js';
import type {TaskDefaults} from './task-limits.js';
import {nameSchema} from './names.js';
import {scheduleSchema, type ScheduleConfig} from './schedules.js';
import {serviceSchema, type ServiceConfig} from './services.js';

/**
 * Without `entry`, task modules are the TypeScript and JavaScript files directly in `tasks/`,
 * so a project written in either language needs no extra line; anything else is listed.
 */
export const DEFAULT_ENTRY: readonly string[] = ['tasks/*.ts', 'tasks/*.js'];

export interface ProjectConfig {
  /** Path of the capsule.toml this was read from. */
  file: string;
  /** The project directory: the file's directory. */
  root: string;
  project: {
    /** The namespace: matches NAMESPACE_PATTERN. */
    name: string;
    version: string | null;
    description: string | null;
    /** Globs, relative to `root`, of the modules whose task()/schedule() exports are loaded. */
    entry: string[];
  };
  defaults: TaskDefaults;
  schedules: Record<string, ScheduleConfig>;
  services: Record<string, ServiceConfig>;
  /** Where `[project] name` is written: an error about the namespace (another directory holds it) points there. */
  nameAt: TomlPosition | null;
}

const projectSchema = z
  .strictObject({
    name: nameSchema,
    version: z.string().optional(),
    description: z.string().optional(),
    entry: z
      .array(
        z
          .string()
          .min(1)
          .superRefine((pattern, context) => {
            // An empty one is min(1)'s to report.
            const problem = pattern === '' ? null : entryPatternProblem(pattern);
            if (problem !== null) context.addIssue({code: 'custom', message: problem});
          }),
      )
      .min(1)
      .default(() => [...DEFAULT_ENTRY]),
  })
  .transform((table) => ({name: table.name, version: table.version ?? null, description: table.description ?? null, entry: table.entry}));

/**
 * The whole file. Schedules and services are validated by schemas their own modules own;
 * anything zod accepts as a table schema fits here, transforms and refinements included.
 */
export function createConfigSchema<Schedule extends z.ZodType, Service extends z.ZodType>(tables: {schedule: Schedule; service: Service}, root: string) {
  return z.strictObject({
    project: projectSchema,
    defaults: defaultsSchema(root).prefault({}),
    schedules: z.record(nameSchema, tables.schedule).prefault({}),
    services: z.record(nameSchema, tables.service).prefault({}),
  });
}

/** The file of the project at `root`: `[defaults] allowed_files` are checked against that directory as it is on disk. */
export const configSchema = (root: string) =>
  createConfigSchema({schedule: scheduleSchema, service: serviceSchema}, root).superRefine((config, context) => {
    // Zod refines what parsed so far too: a service that did not parse is reported on its own, and its dependencies once it does.
    if (!Object.values(config.services ?? {}).every((service) => Array.isArray((service as Partial<ServiceConfig> | undefined)?.dependsOn))) return;
    for (const {path, message, suggestion} of dependencyProblems(config.services)) {
      context.addIssue({code: 'custom', path: ['services', ...path], message, params: {suggestion}});
    }
  });
