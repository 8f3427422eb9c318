import {readFile, stat} from 'node:fs/promises';
import {basename, isAbsolute, join, relative, resolve} from 'node:path';
import {parse} from 'smol-toml';
import {loadProjectConfig, type ProjectConfig} from '../../src/config/index.js';
import {CapsuleError, toCapsuleError, type ErrorPayload} from '../../src/lib/errors.js';
import {didYouMean} from '../../src/lib/suggest.js';
import type {Events, ProjectSummary} from '../../src/protocol/index.js';
import type {Logger} from '../core/logger.js';
import {compareStrings} from '../../src/lib/compare.js';

export interface PersistedProject {
  root: string;
  addedAt: string;
}

/**
 * What each subsystem (runner, scheduler, supervisor) does when a project loads or goes
 * away. `load` may throw (a task module that fails at import): the project is then listed
 * with that error and every subsystem unloads it.
 */
export interface ProjectPlugin {
  load(project: ProjectConfig): Promise<void>;
  unload(namespace: string): Promise<void>;
  /** Fills its part of the summary (tasks, schedules or services). */
  describe(project: ProjectConfig, summary: ProjectSummary): void;
  /** After `project remove`: drop what was kept across reloads (pause state, stored config). */
  forget?(namespace: string): Promise<void>;
}

interface Entry {
  root: string;
  namespace: string;
  config: ProjectConfig | null;
  error: ErrorPayload | null;
}

export interface RegistryOptions {
  persisted: PersistedProject[];
  persist(projects: PersistedProject[]): Promise<void>;
  plugins: ProjectPlugin[];
  logger: Logger;
  onChange<E extends 'project.updated' | 'project.removed'>(event: E, data: Events[E]): void;
}

/** The registered projects, keyed by root: valid ones by namespace, invalid ones still listed with their error. */
export class ProjectRegistry {
  private readonly entries = new Map<string, Entry>();
  private persisted: PersistedProject[];

  constructor(private readonly options: RegistryOptions) {
    this.persisted = [...options.persisted];
  }

  /** Loads every persisted project; one failing never stops the others. */
  async loadAll(): Promise<void> {
    for (const {root} of this.persisted) await this.load(root);
  }

  async add(dir: string): Promise<ProjectSummary> {
    const root = resolve(dir);
    await assertProjectDir(root);
    if (!this.persisted.some((project) => project.root === root)) {
      this.persisted.push({root, addedAt: new Date().toISOString()});
      await this.options.persist(this.persisted);
    }
    return this.load(root);
  }

  async reload(namespace: string): Promise<ProjectSummary> {
    return this.load(this.find(namespace).root);
  }

  async reloadRoot(root: string): Promise<void> {
    if (this.entries.has(root)) await this.load(root);
  }

  async remove(namespace: string): Promise<{namespace: string; root: string}> {
    const entry = this.find(namespace);
    await this.unloadPlugins(entry);
    for (const plugin of this.options.plugins) await plugin.forget?.(entry.namespace);
    this.entries.delete(entry.root);
    this.persisted = this.persisted.filter((project) => project.root !== entry.root);
    await this.options.persist(this.persisted);
    const removed = {namespace: entry.namespace, root: entry.root};
    this.options.onChange('project.removed', removed);
    return removed;
  }

  list(namespace?: string): ProjectSummary[] {
    const entries = namespace === undefined ? [...this.entries.values()] : [this.find(namespace)];
    return entries.sort((a, b) => compareStrings(a.namespace, b.namespace)).map((entry) => this.summarize(entry));
  }

  get size(): number {
    return this.entries.size;
  }

  roots(): string[] {
    return [...this.entries.keys()];
  }

  hasConfig(namespace: string): boolean {
    return [...this.entries.values()].some((entry) => entry.namespace === namespace && entry.config !== null);
  }

  /** The project's running definition: the last one that loaded. */
  config(namespace: string): ProjectConfig {
    const entry = this.find(namespace);
    if (!entry.config) throw new CapsuleError('config_invalid', `project "${namespace}" did not load: ${entry.error?.message}`, {hint: entry.error?.hint ?? `fix ${join(entry.root, 'capsule.toml')}, then \`capsule project reload ${namespace}\``});
    return entry.config;
  }

  /** At shutdown: the subsystems stop themselves; unloading here would cancel queued runs that a restart must recover. */
  close(): void {
    this.entries.clear();
  }

  private find(namespace: string): Entry {
    for (const entry of this.entries.values()) if (entry.namespace === namespace) return entry;
    const suggestion = didYouMean(namespace, [...this.entries.values()].map((entry) => entry.namespace));
    throw new CapsuleError('not_found', `no project named "${namespace}"`, {
      hint: suggestion ? `did you mean "${suggestion}"?` : 'see `capsule project list`, or register it with `capsule project add DIR`',
    });
  }

  /**
   * Loads (or reloads) a project. Plugins apply a reload as a diff, so unchanged services keep
   * running. A reload that fails keeps the last good definition running and lists the project
   * with its error: a typo saved in an editor must not stop a project's services.
   */
  private async load(root: string): Promise<ProjectSummary> {
    const previous = this.entries.get(root);
    const entry: Entry = {root, namespace: previous?.namespace ?? basename(root), config: previous?.config ?? null, error: null};
    try {
      const config = await loadProjectConfig(root);
      const clash = [...this.entries.values()].find((other) => other.root !== root && other.namespace === config.project.name);
      if (clash) {
        throw new CapsuleError('conflict', `namespace "${config.project.name}" is used by both ${clash.root} and ${root}`, {
          hint: `rename [project] name in one of the two capsule.toml files, or \`capsule project remove ${config.project.name}\` first`,
        });
      }
      if (previous?.config && previous.namespace !== config.project.name) await this.unloadPlugins(previous);
      entry.namespace = config.project.name;
      this.entries.set(root, entry);
      await this.loadPlugins(config, entry.config);
      entry.config = config;
    } catch (error) {
      if (!entry.config) entry.namespace = (await namespaceHint(root)) ?? entry.namespace;
      entry.error = withConsequence(toCapsuleError(error).toPayload(), root, entry.config !== null);
      this.entries.set(root, entry);
      this.options.logger.warn(`project ${root} did not load: ${entry.error.message}\nhint: ${entry.error.hint}`);
    }
    const summary = this.summarize(entry);
    this.options.onChange('project.updated', summary);
    return summary;
  }

  /**
   * Every plugin takes the new definition, or none does: if one refuses it, those that took it
   * go back to the last good definition (or unload, on a first load), so a half-applied project
   * never runs tasks that `list` does not show.
   */
  private async loadPlugins(config: ProjectConfig, lastGood: ProjectConfig | null): Promise<void> {
    const applied: ProjectPlugin[] = [];
    try {
      for (const plugin of this.options.plugins) {
        applied.push(plugin);
        await plugin.load(config);
      }
    } catch (error) {
      for (const plugin of applied.reverse()) {
        const restore = lastGood ? plugin.load(lastGood) : plugin.unload(config.project.name);
        await restore.catch((failure: unknown) => this.options.logger.error(`restoring ${config.project.name} after a failed load`, failure));
      }
      throw error;
    }
  }

  private async unloadPlugins(entry: Entry): Promise<void> {
    if (!entry.config) return;
    for (const plugin of this.options.plugins) {
      await plugin.unload(entry.namespace).catch((error: unknown) => this.options.logger.error(`unloading ${entry.namespace}`, error));
    }
  }

  private summarize(entry: Entry): ProjectSummary {
    const summary: ProjectSummary = {
      namespace: entry.namespace,
      root: entry.root,
      status: entry.error ? 'error' : 'ok',
      error: entry.error,
      version: entry.config?.project.version ?? null,
      description: entry.config?.project.description ?? null,
      tasks: [],
      schedules: [],
      services: [],
    };
    if (entry.config) for (const plugin of this.options.plugins) plugin.describe(entry.config, summary);
    return summary;
  }
}

/**
 * Adds to a failed load's hint what runs meanwhile, so the CLI (which prints the error) and the
 * daemon's log (which prints it too) say the same: the last good definition, or nothing.
 */
function withConsequence(error: ErrorPayload, root: string, hasLastGood: boolean): ErrorPayload {
  const file = (error.details as {file?: unknown} | undefined)?.file;
  const what = typeof file === 'string' ? (isAbsolute(file) ? relative(root, file) : file) : 'the project';
  const consequence = hasLastGood ? `keeping the last good version of ${what} until it is fixed` : 'nothing of the project runs until it loads';
  return {...error, hint: error.hint === undefined ? consequence : `${error.hint}; ${consequence}`};
}

async function assertProjectDir(root: string): Promise<void> {
  try {
    await stat(join(root, 'capsule.toml'));
  } catch {
    throw new CapsuleError('bad_input', `${root} has no capsule.toml`, {hint: `create one with \`capsule init ${root}\``});
  }
}

/** The namespace an invalid file was going for, so its error is listed under a recognisable name. */
async function namespaceHint(root: string): Promise<string | null> {
  try {
    const name = (parse(await readFile(join(root, 'capsule.toml'), 'utf8')) as {project?: {name?: unknown}}).project?.name;
    return typeof name === 'string' && name !== '' ? name : null;
  } catch {
    return null;
  }
}
