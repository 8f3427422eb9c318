import {resolve} from 'node:path';
import type {SandboxSpec} from '../sandbox/sandbox-pool.js';
import type {SandboxPolicy} from '../../src/config/sandbox-policy.js';
import {stat} from 'node:fs/promises';
import {basename, dirname, relative} from 'node:path';
import type {ProjectConfig} from '../../src/config/index.js';
import {defaultsSchema} from '../../src/config/defaults.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {nearestName} from '../../src/lib/suggest.js';
import {ADHOC_NAMESPACE} from '../../src/config/adhoc-file.js';
import {isFinalRunStatus, type ProjectSummary, type RunRecord, type RunStatus, type TaskSummary} from '../../src/protocol/index.js';
import type {EventBus} from '../core/event-bus.js';
import type {ProjectPlugin} from '../projects/registry.js';
import type {Discovery, ModuleSnapshot} from '../executor/index.js';
import type {Runner} from '../runner/runner.js';
import {normaliseTask, type TaskSpec} from '../runner/task-spec.js';
import type {RunPort} from './ports.js';

/** How a project's task modules are found and which version of them its runs load. */
export interface TaskModules {
  /**
   * Loads the entry modules as they are on disk (in a worker) and lists their tasks, with the sources they loaded.
   * A project's discovery is stored (`cache`); on its first load (`reuse`) a stored one whose files have not changed is as good.
   */
  discover(root: string, entryGlobs: string[], options?: {cache?: 'reuse' | 'refresh'; sandbox?: SandboxedLoad}): Promise<Discovery>;
  /** Drops the stored discovery of a project directory: it was removed. */
  forgetDiscovery(root: string): Promise<void>;
  /** The namespace's runs load `snapshot` from now on, whatever the files hold later; `merge` adds to what was kept. */
  keep(namespace: string, snapshot: ModuleSnapshot, options?: {merge?: boolean}): void;
  forget(namespace: string): void;
  /** Workers cache imported modules: a reloaded project needs fresh ones. */
  reload(): Promise<void>;
  /** Starts a spare sandbox for a sandboxed task just loaded, if there is room for one, so its first run does not wait for it. */
  warmSandbox(spec: SandboxSpec): void;
}

/** A project whose tasks are sandboxed by default loads its entry modules in a sandbox: their top level is its code too. */
export interface SandboxedLoad {
  namespace: string;
  policy: SandboxPolicy;
  ramBytes: number;
}

// Ad-hoc runs (`capsule run ./file.ts`) live in the namespace of the ad-hoc services, one task per file and export.
export {ADHOC_NAMESPACE};

interface LoadedTasks {
  /** The definition these tasks came from. */
  config: ProjectConfig;
  root: string;
  specs: TaskSpec[];
  /** Each spec's module relative to the root, as listed: worked out once, not on every `list` (a 500-project list spent a fifth of its time in path.relative). */
  modules: string[];
  schedules: {task: string; option: unknown}[];
}

/**
 * Wires the runner into projects: a project's entry modules are loaded (in a worker) to
 * find its task() exports, which become the runner's tasks; run events go to subscribers.
 */
export class TasksPlugin implements ProjectPlugin, RunPort {
  private readonly projects = new Map<string, LoadedTasks>();
  private readonly adhoc = new Map<string, TaskSpec>();
  private readonly loadedBefore = new Set<string>();
  private readonly stopForwarding: () => void;

  constructor(
    readonly runner: Runner,
    private readonly modules: TaskModules,
    bus: EventBus,
  ) {
    this.stopForwarding = runner.on((event) => {
      if (event.type === 'run') bus.publish('run.updated', event.run, [event.run.id]);
      else if (event.type === 'log') bus.publish('run.log', event.line, [event.line.runId]);
      else if (event.type === 'progress') bus.publish('run.progress', event.progress, [event.progress.runId]);
      else bus.publish('run.step', event.step, [event.step.runId]);
    });
  }

  async load(project: ProjectConfig): Promise<void> {
    const namespace = project.project.name;
    // The registry restores the last good definition after a reload this plugin refused: it still runs it.
    if (this.projects.get(namespace)?.config === project) return;
    // Only a first load may take the stored discovery: a reload was asked for because something changed.
    const {defaults} = project;
    const sandbox = defaults.isolation === 'sandbox' ? {namespace, policy: defaults.sandbox, ramBytes: defaults.ramBytes} : undefined;
    const {tasks: discovered, modules} = await this.modules.discover(project.root, project.project.entry, {cache: this.loadedBefore.has(namespace) ? 'refresh' : 'reuse', sandbox});
    const specs = discovered.map((task) => normaliseTask({namespace, root: project.root}, task, project.defaults, process.env));
    this.modules.keep(namespace, modules);
    if (this.loadedBefore.has(namespace)) await this.modules.reload();
    this.loadedBefore.add(namespace);
    this.runner.setProjectTasks(namespace, project.root, specs);
    for (const spec of specs) if (spec.sandbox !== null) this.modules.warmSandbox({root: resolve(project.root), policy: spec.sandbox, ramBytes: spec.limits.ramBytes});
    const schedules = discovered.filter((task) => task.options.schedule !== undefined).map((task) => ({task: task.name, option: task.options.schedule}));
    const listed = specs.map((spec) => relative(project.root, spec.modulePath));
    this.projects.set(namespace, {config: project, root: project.root, specs, modules: listed, schedules});
  }

  async forget(_namespace: string, root: string): Promise<void> {
    await this.modules.forgetDiscovery(root);
  }

  async unload(namespace: string): Promise<void> {
    this.projects.delete(namespace);
    this.modules.forget(namespace);
    this.runner.removeProject(namespace);
  }

  describe(project: ProjectConfig, summary: ProjectSummary): void {
    const loaded = this.projects.get(project.project.name);
    summary.tasks = loaded ? loaded.specs.map((spec, index) => this.summarize(project.project.name, loaded.modules[index]!, spec)) : [];
  }

  /** Loads a task file outside any project and returns the ad-hoc task to run. */
  async prepareAdhoc(file: string, taskName?: string): Promise<{namespace: string; task: string}> {
    await assertTaskFile(file);
    const {tasks: discovered, modules} = await this.modules.discover(dirname(file), [basename(file)]);
    if (discovered.length === 0) throw new CapsuleError('bad_input', `${file} exports no task()`, {hint: "export one: export const main = task({}, async (input, ctx) => { ... })"});
    const names = discovered.map((task) => task.name);
    const chosen =
      taskName === undefined ? (discovered.length === 1 ? discovered[0] : discovered.find((task) => task.name === 'main')) : discovered.find((task) => task.name === taskName);
    if (!chosen) {
      const suggestion = taskName === undefined ? undefined : nearestName(taskName, names);
      throw new CapsuleError('bad_input', taskName === undefined ? `${file} declares several tasks (${names.join(', ')}) and none is named main` : `${file} has no task "${taskName}"`, {
        hint: suggestion ? `did you mean --task ${suggestion}?` : `choose one with --task: ${names.join(', ')}`,
      });
    }
    // Each file keeps its own task name, so runs of two files never replace each other's task.
    const name = `${basename(file).replace(/\.[^.]+$/, '')}.${chosen.name}`;
    this.adhoc.set(name, normaliseTask({namespace: ADHOC_NAMESPACE, root: dirname(file)}, {...chosen, name}, defaultsSchema(dirname(file)).parse({}), process.env));
    this.modules.keep(ADHOC_NAMESPACE, modules, {merge: true});
    this.runner.setProjectTasks(ADHOC_NAMESPACE, dirname(file), [...this.adhoc.values()]);
    return {namespace: ADHOC_NAMESPACE, task: name};
  }

  /** Throws not_found, with a suggestion, unless the project declares this task. */
  requireTask(namespace: string, task: string): TaskSpec {
    const specs = namespace === ADHOC_NAMESPACE ? [...this.adhoc.values()] : this.projects.get(namespace)?.specs;
    if (!specs) throw new CapsuleError('not_found', `no project named "${namespace}" with tasks`, {hint: 'see `capsule list --tree`'});
    const spec = specs.find((candidate) => candidate.name === task);
    if (spec) return spec;
    const suggestion = nearestName(task, specs.map((candidate) => candidate.name));
    throw new CapsuleError('not_found', `${namespace} has no task "${task}"`, {hint: suggestion ? `did you mean "${namespace}/${suggestion}"?` : `see \`capsule list ${namespace} --tree\``});
  }

  has(namespace: string, task: string): boolean {
    return this.projects.get(namespace)?.specs.some((spec) => spec.name === task) ?? false;
  }

  submit(namespace: string, task: string, input: unknown, options: {id?: string} = {}): Promise<RunRecord> {
    return this.runner.submit({namespace, task}, input, options);
  }

  status(runId: string): RunStatus | null {
    try {
      return this.runner.get(runId).status;
    } catch {
      return null;
    }
  }

  onFinished(listener: (run: RunRecord) => void): () => void {
    return this.runner.on((event) => {
      if (event.type === 'run' && isFinalRunStatus(event.run.status)) listener(event.run);
    });
  }

  declaredSchedules(namespace: string): {task: string; option: unknown}[] {
    return this.projects.get(namespace)?.schedules ?? [];
  }

  close(): void {
    this.stopForwarding();
  }

  private summarize(namespace: string, module: string, spec: TaskSpec): TaskSummary {
    const stats = this.runner.taskStats(namespace, spec.name);
    return {
      name: spec.name,
      module,
      isolation: spec.isolation,
      ramBytes: spec.limits.ramBytes,
      timeoutMs: spec.limits.timeoutMs,
      computeMs: spec.limits.computeMs,
      maxRetries: spec.maxRetries,
      concurrency: spec.concurrency,
      lock: spec.lock,
      scheduled: stats.scheduled,
      queued: stats.queued,
      running: stats.running,
      sleeping: stats.sleeping,
      waiting: stats.waiting,
      // Kept per task by the store: `list` stays cheap however long the history is.
      lastRun: stats.lastRun,
    };
  }
}

async function assertTaskFile(file: string): Promise<void> {
  const found = await stat(file).then(
    (stats) => stats.isFile(),
    () => false,
  );
  if (!found) throw new CapsuleError('not_found', `task file ${file} not found`, {hint: 'check the path: give the file that declares the task'});
}
