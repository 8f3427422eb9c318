import {readFile, stat} from 'node:fs/promises';
import {basename, isAbsolute, join, relative, resolve} from 'node:path';
import {parse} from 'smol-toml';
import {loadProjectConfig, type ProjectConfig} from '../../src/config/index.js';
import {formatConfigIssue, type ConfigIssue} from '../../src/config/issues.js';
import {CapsuleError, toCapsuleError, type ErrorPayload} from '../../src/lib/errors.js';
import {nearestName} from '../../src/lib/suggest.js';
import type {Events, ProjectSummary, ProjectTarget} from '../../src/protocol/index.js';
import {SerialQueue} from '../core/serial-queue.js';
import {Slots} from '../executor/slots.js';
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
  /** After `project remove`: drop what was kept across reloads (pause state, stored config, the stored discovery of `root`). */
  forget?(namespace: string, root: string): Promise<void>;
  /**
   * What it runs for one namespace must not run beside the same for another (services bind
   * ports and write files): on a rename, the old namespace's go just before this plugin loads
   * the new one's, rather than once the whole new definition has loaded.
   */
  readonly exclusive?: boolean;
}

interface Entry {
  root: string;
  /** What it is listed under: the namespace it runs as, or the one its file asks for. */
  namespace: string;
  /** The running definition: the last one that loaded. An entry with one holds its namespace. */
  config: ProjectConfig | null;
  error: ErrorPayload | null;
  /** The namespace its capsule.toml asks for while another directory holds it; it is loaded again when that one lets go. */
  waitingFor: string | null;
  /** The namespace a load under way claims: no other directory may take it meanwhile. */
  claiming: string | null;
  /** Settles when its first load (and the start-up's settling of it) is done; null once it has. */
  loading: Promise<void> | null;
}

export interface LoadAllOptions {
  /** At most this many projects load at once. */
  parallel: number;
  /** Run after each project's first load, before requests about it are let through (run recovery). */
  settle(summary: ProjectSummary): Promise<void>;
}

export interface RegistryOptions {
  persisted: PersistedProject[];
  persist(projects: PersistedProject[]): Promise<void>;
  plugins: ProjectPlugin[];
  logger: Logger;
  onChange<E extends 'project.updated' | 'project.removed'>(event: E, data: Events[E]): void;
}

/**
 * The registered projects, keyed by root: valid ones by namespace, invalid ones still listed
 * with their error. A namespace belongs to the directory that holds it (loaded under it) and
 * a second directory asking for it is refused, never the first: at start-up, in the order
 * they were registered.
 */
export class ProjectRegistry {
  private readonly entries = new Map<string, Entry>();
  private persisted: PersistedProject[];
  /**
   * Adds, reloads and removals one at a time: two first loads of one namespace must not both pass
   * the clash check. Start-up's loads run beside each other instead (`loadAll`): a load claims its
   * name (`claiming`) before it awaits anything, and directories asking for one name load in turn.
   */
  private readonly queue = new SerialQueue();
  private stoppedLoading = false;
  /** What registerAll listed for loadAll: `done` settles the placeholder's wait once its load ends. */
  private readonly firstLoads: {root: string; namespace: string; done: () => void}[] = [];

  constructor(private readonly options: RegistryOptions) {
    this.persisted = [...options.persisted];
  }

  /**
   * Lists every persisted project as `loading`, under the name its capsule.toml asks for (the
   * cheap part: a request about one can be told apart from a typo before any has loaded); then
   * `loadAll` loads them.
   */
  async registerAll(): Promise<void> {
    const roots = this.persisted.map((project) => project.root);
    const names = await Promise.all(roots.map(async (root) => (await namespaceHint(root)) ?? basename(root)));
    roots.forEach((root, index) => {
      let done!: () => void;
      const loading = new Promise<void>((resolve) => (done = resolve));
      this.firstLoads.push({root, namespace: names[index]!, done});
      this.entries.set(root, {root, namespace: names[index]!, config: null, error: null, waitingFor: null, claiming: null, loading});
    });
  }

  /**
   * Loads the projects `registerAll` listed, `parallel` at a time; one failing never stops the
   * others, and a request about one waits for that one only (`loaded`). Directories asking for
   * the same namespace load one after the other, in the order they were registered, so the first
   * keeps it, as loading one by one did. Resolves once all have loaded, or `stopLoading`.
   */
  async loadAll({parallel, settle}: LoadAllOptions): Promise<void> {
    const slots = new Slots(parallel);
    const loadOne = async (root: string): Promise<void> => {
      const release = await slots.acquire();
      try {
        if (!this.stoppedLoading) await settle(await this.load(root));
      } catch (error) {
        this.options.logger.error(`loading ${root}`, error);
      } finally {
        release();
        // load() replaced the placeholder (or a remove dropped it): whichever is listed now has loaded.
        const current = this.entries.get(root);
        if (current) current.loading = null;
      }
    };
    const lastOfName = new Map<string, Promise<void>>();
    for (const {root, namespace, done} of this.firstLoads.splice(0)) {
      const loading = (lastOfName.get(namespace) ?? Promise.resolve()).then(() => loadOne(root));
      lastOfName.set(namespace, loading);
      void loading.then(done);
    }
    await Promise.all(lastOfName.values());
  }

  /** Once the loads under way end, no more start: a daemon stopping while projects load. */
  stopLoading(): void {
    this.stoppedLoading = true;
  }

  /** Settles once no project listed under `namespace` is still on its first load (at once for an unknown one). */
  async loaded(namespace: string): Promise<void> {
    await Promise.all([...this.entries.values()].filter((entry) => entry.namespace === namespace || entry.claiming === namespace).map((entry) => entry.loading));
  }

  /** Settles once the project in `root` (resolved) has had its first load. */
  async loadedRoot(root: string): Promise<void> {
    await this.entries.get(resolve(root))?.loading;
  }

  /** Settles once every project has had its first load. */
  async allLoaded(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.loading));
  }

  async add(dir: string): Promise<ProjectSummary> {
    const root = resolve(dir);
    await assertProjectDir(root);
    // A directory registered before, still on its first load, keeps the namespace it asks for: this one waits to learn whether it is free.
    const asked = this.entries.has(root) ? null : await namespaceHint(root);
    if (asked !== null) await this.loaded(asked);
    return this.queue.run(async () => {
      if (!this.persisted.some((project) => project.root === root)) {
        this.persisted.push({root, addedAt: new Date().toISOString()});
        await this.options.persist(this.persisted);
      }
      return this.load(root);
    });
  }

  reload(target: ProjectTarget): Promise<ProjectSummary> {
    return this.queue.run(() => this.load(this.resolveTarget(target, 'reload').root));
  }

  async reloadRoot(root: string): Promise<void> {
    // A change seen while the first load runs: that load may have read the file before it changed.
    await this.loadedRoot(root);
    await this.queue.run(async () => {
      if (this.entries.has(root)) await this.load(root);
    });
  }

  remove(target: ProjectTarget): Promise<{namespace: string; root: string}> {
    return this.queue.run(async () => {
      const entry = this.resolveTarget(target, 'remove');
      await this.unloadPlugins(entry);
      for (const plugin of this.options.plugins) await plugin.forget?.(entry.namespace, entry.root);
      this.entries.delete(entry.root);
      this.persisted = this.persisted.filter((project) => project.root !== entry.root);
      await this.options.persist(this.persisted);
      const removed = {namespace: entry.namespace, root: entry.root};
      this.options.onChange('project.removed', removed);
      if (entry.config) await this.loadWaiting(entry.namespace);
      return removed;
    });
  }

  /** Sorted by namespace; under one namespace the directory holding it comes first. */
  list(namespace?: string): ProjectSummary[] {
    const entries = namespace === undefined ? this.ordered() : this.named(namespace);
    return entries.map((entry) => this.summarize(entry));
  }

  /** The running definition of `namespace`: null while it has none (not_found, with the nearest name, if nothing is listed under it). */
  config(namespace: string): ProjectConfig | null {
    return this.named(namespace).find((entry) => entry.config?.project.name === namespace)?.config ?? null;
  }

  get size(): number {
    return this.entries.size;
  }

  /** What to watch for each registered directory: its capsule.toml and the entry globs of its running definition. */
  watchList(): {root: string; entry: string[]}[] {
    return [...this.entries.values()].map((entry) => ({root: entry.root, entry: entry.config?.project.entry ?? []}));
  }

  /** At shutdown: the subsystems stop themselves; unloading here would cancel queued runs that a restart must recover. */
  close(): void {
    this.entries.clear();
  }

  private ordered(): Entry[] {
    const registered = new Map(this.persisted.map((project, index) => [project.root, index]));
    return [...this.entries.values()].sort(
      (a, b) => compareStrings(a.namespace, b.namespace) || Number(b.config !== null) - Number(a.config !== null) || (registered.get(a.root) ?? 0) - (registered.get(b.root) ?? 0),
    );
  }

  /** Every entry listed under `namespace` (two when a directory waits for it); not_found with the nearest namespace if none. */
  private named(namespace: string): Entry[] {
    const entries = this.ordered().filter((entry) => entry.namespace === namespace);
    if (entries.length > 0) return entries;
    const suggestion = nearestName(namespace, [...this.entries.values()].map((entry) => entry.namespace));
    throw new CapsuleError('not_found', `no project named "${namespace}"`, {
      hint: suggestion ? `did you mean "${suggestion}"?` : 'see `capsule project list` (a directory is named as a path, like ./reports), or register it with `capsule project add DIR`',
    });
  }

  /** The one project a reload or remove acts on: a namespace two directories are listed under is refused as ambiguous. */
  private resolveTarget(target: ProjectTarget, verb: 'reload' | 'remove'): Entry {
    if ('root' in target) {
      const entry = this.entries.get(resolve(target.root));
      if (entry) return entry;
      throw new CapsuleError('not_found', `no project is registered in ${resolve(target.root)}`, {hint: 'see `capsule project list` for the registered directories'});
    }
    const entries = this.named(target.namespace);
    if (entries.length === 1) return entries[0]!;
    const which = entries.map((entry) => `${entry.root} (${entry.error ? 'error' : 'ok'})`).join(', ');
    throw new CapsuleError('bad_input', `namespace "${target.namespace}" is listed for ${entries.length} directories: ${which}`, {
      hint: `name the one you mean by its directory, like \`capsule project ${verb} ${entries.at(-1)!.root}\``,
    });
  }

  /**
   * Loads (or reloads) a project. Plugins apply a reload as a diff, so unchanged services keep
   * running. A reload that fails keeps the last good definition running and lists the project
   * with its error: a typo saved in an editor must not stop a project's services. A rename is
   * no exception: the last good definition runs on under its old namespace until the new one
   * has loaded.
   */
  private async load(root: string): Promise<ProjectSummary> {
    const previous = this.entries.get(root);
    const entry: Entry = {root, namespace: previous?.namespace ?? basename(root), config: previous?.config ?? null, error: null, waitingFor: null, claiming: null, loading: previous?.loading ?? null};
    let released: string | null = null;
    try {
      const config = await loadProjectConfig(root);
      const name = config.project.name;
      const holder = [...this.entries.values()].find((other) => other.root !== root && ((other.config !== null && other.namespace === name) || other.claiming === name));
      if (holder) {
        entry.waitingFor = name;
        const issue: ConfigIssue = {file: config.file, line: config.nameAt?.line ?? null, column: config.nameAt?.column ?? null, path: 'project.name', message: `namespace "${name}" is already used by the project in ${holder.root}`, suggestion: null};
        throw new CapsuleError('conflict', formatConfigIssue(issue), {
          hint: `rename [project] name in ${config.file}, or unregister this directory with \`capsule project remove ${root}\``,
          details: {file: config.file, issues: [issue]},
        });
      }
      const renamed = previous?.config && previous.namespace !== name ? {namespace: previous.namespace, config: previous.config} : null;
      // Loads of other projects run meanwhile (start-up loads them in parallel): this one holds the name from now on.
      entry.claiming = name;
      this.entries.set(root, entry);
      await this.loadPlugins(config, renamed ? null : entry.config, renamed);
      if (renamed) {
        // The new namespace runs: the old one's tasks, schedules and services go, and the old name is free for whoever waits for it.
        await this.unloadPlugins(renamed);
        released = renamed.namespace;
      }
      entry.namespace = name;
      entry.config = config;
    } catch (error) {
      if (!entry.config) entry.namespace = (await namespaceHint(root)) ?? entry.namespace;
      entry.error = withConsequence(toCapsuleError(error).toPayload(), root, entry.config !== null);
      this.options.logger.warn(`project ${root} did not load: ${entry.error.message}\nhint: ${entry.error.hint}`);
    }
    // A claim that came to nothing frees the name for a directory refused it meanwhile.
    if (entry.claiming !== null && entry.config === null && released === null) released = entry.claiming;
    entry.claiming = null;
    this.entries.set(root, entry);
    const summary = this.summarize(entry);
    this.options.onChange('project.updated', summary);
    if (released !== null) await this.loadWaiting(released);
    return summary;
  }

  /** After a directory let go of `namespace`: the ones refused it try again, in the order they were registered. */
  private async loadWaiting(namespace: string): Promise<void> {
    const waiting = this.ordered().filter((entry) => entry.waitingFor === namespace);
    for (const entry of waiting) await this.load(entry.root);
  }

  /**
   * Every plugin takes the new definition, or none does: if one refuses it, those that took it
   * go back to the last good definition (or unload, on a first load), so a half-applied project
   * never runs tasks that `list` does not show. On a rename (`renamed`: the namespace and
   * definition running until now) the new namespace loads beside the old one, except for
   * exclusive plugins, which let the old namespace go first (and take it back if refused).
   */
  private async loadPlugins(config: ProjectConfig, lastGood: ProjectConfig | null, renamed: {namespace: string; config: ProjectConfig} | null = null): Promise<void> {
    const applied: ProjectPlugin[] = [];
    try {
      for (const plugin of this.options.plugins) {
        applied.push(plugin);
        if (renamed && plugin.exclusive) await plugin.unload(renamed.namespace);
        await plugin.load(config);
      }
    } catch (error) {
      for (const plugin of applied.reverse()) {
        const restore = lastGood ? plugin.load(lastGood) : plugin.unload(config.project.name).then(() => (renamed && plugin.exclusive ? plugin.load(renamed.config) : undefined));
        await restore.catch((failure: unknown) => this.options.logger.error(`restoring ${renamed?.namespace ?? config.project.name} after a failed load`, failure));
      }
      throw error;
    }
  }

  private async unloadPlugins(entry: {namespace: string; config: ProjectConfig | null}): Promise<void> {
    if (!entry.config) return;
    for (const plugin of this.options.plugins) {
      await plugin.unload(entry.namespace).catch((error: unknown) => this.options.logger.error(`unloading ${entry.namespace}`, error));
    }
  }

  private summarize(entry: Entry): ProjectSummary {
    const summary: ProjectSummary = {
      namespace: entry.namespace,
      root: entry.root,
      status: entry.error ? 'error' : entry.config === null && entry.loading !== null ? 'loading' : 'ok',
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
