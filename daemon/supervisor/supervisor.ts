/**
 * The services of every project: declared by setProjectServices, started in dependency order,
 * operated by name, and stopped dependents-first. Each service's lifecycle lives in its
 * ServiceUnit; this class routes requests, orders work across services and owns what they
 * share (resource sampling, adoption records, running actions).
 */
import {join} from 'node:path';
import type {ConfigValue, ServiceConfig} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {didYouMean} from '../../src/lib/suggest.js';
import {AdoptionRegistry, stopRecorded, type AdoptionReport} from './adoption.js';
import {auditEvent, osUser} from './audit.js';
import {systemClock, type Clock} from './clock.js';
import {secretValues} from './config-values.js';
import {checkDependencies, dependencyLayers} from './dependency-graph.js';
import {definitionFingerprint} from './fingerprint.js';
import {ResourceSampler, SAMPLE_INTERVAL_MS} from './resource-sampler.js';
import {ServiceConfigValues} from './service-config-values.js';
import {ServiceActions, type RunActionOptions} from './service-actions.js';
import {ServiceLog, type LogListener} from './service-log.js';
import {ServiceUnit, type StartCause, type StopCause} from './service-unit.js';
import type {ActionResult, AuditEvent, AuditKind, ConfigChange, ConfigEntry, ConfigSetResult, LogLine, PersistedProcess, ServiceSnapshot, SupervisorPersistence} from './types.js';

export interface SupervisorOptions {
  /** Service logs go to `<logsDir>/<namespace>/<name>.log` (rotated to .1, .2 …). */
  logsDir: string;
  persistence: SupervisorPersistence;
  /** @default systemClock */
  clock?: Clock;
  /** Every start, stop, crash, restart, health change, config change and action. Must not throw. */
  audit?: (event: AuditEvent) => void;
  /** A service's state, health, pid or resource usage changed. Must not throw. */
  onState?: (snapshot: ServiceSnapshot) => void;
  /**
   * Delivers a changed config value to a running service live (through its embedded agent).
   * Resolve true when delivered; otherwise the service is restarted to pick the value up.
   */
  onConfigChange?: (change: ConfigChange) => boolean | Promise<boolean>;
  /** Extra environment for services, probes and actions (the agent's socket path, for one). */
  serviceEnvironment?: (namespace: string, name: string) => Record<string, string>;
  /** @default 2000 */
  sampleIntervalMs?: number;
  /** Recorded as the actor of audit events. @default the OS user */
  actor?: string;
}

interface Project {
  root: string;
  units: Map<string, ServiceUnit>;
  /** Reloads and whole-project operations of one project run one after another. */
  queue: Promise<void>;
}

/** Service and namespace names become file names: keep them plain. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** How a process left by an earlier daemon is stopped when its service is no longer declared. */
const ORPHAN_STOP = {signal: 'SIGTERM' as NodeJS.Signals, timeoutMs: 10_000};

export class Supervisor {
  private readonly projects = new Map<string, Project>();
  private readonly clock: Clock;
  private readonly actor: string;
  private readonly adoption: AdoptionRegistry;
  private readonly sampler: ResourceSampler;
  private readonly configValues: ServiceConfigValues;
  private readonly actions: ServiceActions;
  private closed = false;

  constructor(private readonly options: SupervisorOptions) {
    this.clock = options.clock ?? systemClock;
    this.actor = options.actor ?? osUser();
    this.adoption = new AdoptionRegistry(options.persistence);
    this.sampler = new ResourceSampler(() => this.allUnits(), this.clock, options.sampleIntervalMs ?? SAMPLE_INTERVAL_MS);
    this.sampler.start();
    this.configValues = new ServiceConfigValues(options.persistence, (unit, kind, details) => this.audit(unit, kind, details), options.onConfigChange);
    this.actions = new ServiceActions(this.clock, (unit, kind, details) => this.audit(unit, kind, details));
  }

  /**
   * Reads the processes an earlier daemon recorded and keeps the live ones for their services.
   * setProjectServices awaits this itself, so a service is never started beside its old copy;
   * call it first to learn what was found.
   */
  adopt(): Promise<AdoptionReport> {
    return this.adoption.load();
  }

  /** Stops recorded processes whose service was not declared again (call once every project is loaded); returns their targets. */
  async settleAdoption(): Promise<string[]> {
    await this.adoption.load();
    const settled: string[] = [];
    for (const record of this.adoption.takeUnclaimed()) {
      await this.replaceRecorded(record, ORPHAN_STOP.signal, ORPHAN_STOP.timeoutMs, 'orphaned');
      settled.push(`${record.namespace}/${record.name}`);
    }
    return settled;
  }

  /**
   * Makes `services` the services of `namespace`: new ones start (if autostart), removed ones
   * stop, changed ones restart; an empty record removes the project. Resolves once stops are
   * done and starts are under way (a start waiting for a dependency does not hold it up).
   */
  async setProjectServices(namespace: string, root: string, services: Record<string, ServiceConfig>): Promise<void> {
    this.assertOpen();
    for (const name of [namespace, ...Object.keys(services)]) checkName(name);
    const graph = new Map(Object.entries(services).map(([name, config]) => [name, config.dependsOn]));
    checkDependencies(namespace, graph);
    await this.adoption.load();
    let project = this.projects.get(namespace);
    if (!project) {
      project = {root, units: new Map(), queue: Promise.resolve()};
      this.projects.set(namespace, project);
    }
    const target = project;
    await this.inProject(target, () => this.apply(namespace, target, root, services));
  }

  removeProject(namespace: string): Promise<void> {
    const project = this.projects.get(namespace);
    return project ? this.setProjectServices(namespace, project.root, {}) : Promise.resolve();
  }

  async start(namespace: string, name: string): Promise<ServiceSnapshot> {
    const {project, unit} = this.find(namespace, name);
    await this.requestStart(project, unit, 'operator');
    return unit.snapshot();
  }

  async stop(namespace: string, name: string): Promise<ServiceSnapshot> {
    const {unit} = this.find(namespace, name);
    await unit.stop('operator');
    return unit.snapshot();
  }

  async restart(namespace: string, name: string): Promise<ServiceSnapshot> {
    const {project, unit} = this.find(namespace, name);
    if (unit.isIdle()) await this.requestStart(project, unit, 'operator');
    else await unit.restart('operator');
    return unit.snapshot();
  }

  /** Starts every service of the project, dependencies first. */
  async startProject(namespace: string): Promise<ServiceSnapshot[]> {
    const project = this.findProject(namespace);
    await this.inProject(project, async () => {
      for (const name of dependencyLayers(namespace, dependencyMap(project)).flat()) await this.requestStart(project, project.units.get(name)!, 'operator');
    });
    return this.snapshot(namespace);
  }

  /** Stops every service of the project, dependents first. */
  async stopProject(namespace: string): Promise<ServiceSnapshot[]> {
    const project = this.findProject(namespace);
    await this.inProject(project, () => this.stopInOrder(namespace, project, [...project.units.keys()], () => 'operator'));
    return this.snapshot(namespace);
  }

  async restartProject(namespace: string): Promise<ServiceSnapshot[]> {
    await this.stopProject(namespace);
    return this.startProject(namespace);
  }

  snapshot(namespace: string, name: string): ServiceSnapshot;
  snapshot(namespace?: string): ServiceSnapshot[];
  snapshot(namespace?: string, name?: string): ServiceSnapshot | ServiceSnapshot[] {
    if (namespace !== undefined && name !== undefined) return this.find(namespace, name).unit.snapshot();
    const units = namespace === undefined ? this.allUnits() : [...(this.projects.get(namespace)?.units.values() ?? [])];
    return [...units].map((unit) => unit.snapshot());
  }

  /** Feeds a `heartbeat = true` health probe; called by the embedded agent's connection. */
  heartbeat(namespace: string, name: string): void {
    this.find(namespace, name).unit.heartbeat();
  }

  /** The last `tail` lines (at most MAX_TAIL_LINES), oldest first. */
  logs(namespace: string, name: string, options: {tail?: number} = {}): Promise<LogLine[]> {
    return this.find(namespace, name).unit.log.tail(options.tail ?? 100);
  }

  /** Calls `listener` with every new line until the returned function is called (or the service goes away). */
  followLogs(namespace: string, name: string, listener: LogListener): () => void {
    return this.find(namespace, name).unit.log.follow(listener);
  }

  configList(namespace: string, name: string): ConfigEntry[] {
    return this.configValues.list(this.find(namespace, name).unit);
  }

  configGet(namespace: string, name: string, key: string): ConfigEntry {
    return this.configValues.get(this.find(namespace, name).unit, key);
  }

  /** Validates `value` against the declaration (strings are parsed as the declared type), stores it, and delivers it live or by restart. */
  configSet(namespace: string, name: string, key: string, value: ConfigValue): Promise<ConfigSetResult> {
    return this.configValues.set(this.find(namespace, name).unit, key, value);
  }

  /** Runs a command action; a non-zero exit is a result, not an error. */
  runAction(namespace: string, name: string, action: string, args: Record<string, string> = {}, options: RunActionOptions = {}): Promise<ActionResult> {
    this.assertOpen();
    return this.actions.run(this.find(namespace, name).unit, action, args, options);
  }

  /** Stops every service, dependents first in each project, and everything else the supervisor runs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sampler.close();
    await this.actions.close();
    await Promise.all(
      [...this.projects].map(([namespace, project]) =>
        this.inProject(project, async () => {
          await this.stopInOrder(namespace, project, [...project.units.keys()], () => 'shutdown');
          for (const unit of project.units.values()) unit.log.close();
        }),
      ),
    );
    this.projects.clear();
  }

  private async apply(namespace: string, project: Project, root: string, services: Record<string, ServiceConfig>): Promise<void> {
    const units = project.units;
    const removed = [...units.keys()].filter((name) => !(name in services));
    const changed = [...units.keys()].filter((name) => name in services && units.get(name)!.fingerprint !== definitionFingerprint(root, services[name]!));
    const added = Object.keys(services).filter((name) => !units.has(name));
    const wereActive = new Set(changed.filter((name) => units.get(name)!.state !== 'stopped'));
    await this.stopInOrder(namespace, project, [...removed, ...changed], (name) => (removed.includes(name) ? 'removed' : 'reload'));
    for (const name of removed) {
      units.get(name)!.log.close();
      units.delete(name);
    }
    for (const name of changed) units.get(name)!.reconfigure(services[name]!, root);
    for (const name of added) units.set(name, this.createUnit(namespace, name, services[name]!, root, await this.options.persistence.loadConfigValues(namespace, name)));
    project.root = root;
    for (const name of dependencyLayers(namespace, dependencyMap(project)).flat()) {
      const unit = units.get(name)!;
      if (added.includes(name) && !(await this.claimAdoption(unit)) && unit.config.autostart) await this.requestStart(project, unit, 'autostart');
      if (wereActive.has(name)) await this.requestStart(project, unit, 'reload');
    }
    if (units.size === 0) this.projects.delete(namespace);
  }

  /** Hands a process left by an earlier daemon to its service, or stops it when it runs another definition. */
  private async claimAdoption(unit: ServiceUnit): Promise<boolean> {
    const record = this.adoption.claim(unit.namespace, unit.name);
    if (!record) return false;
    if (record.fingerprint === unit.fingerprint && (await unit.adopt(record))) return true;
    await this.replaceRecorded(record, unit.config.stopSignal, unit.config.stopTimeoutMs, 'replaced');
    return false;
  }

  private async replaceRecorded(record: PersistedProcess, signal: NodeJS.Signals, timeoutMs: number, cause: string): Promise<void> {
    const {stopped, forced} = await stopRecorded(record, signal, timeoutMs);
    await this.options.persistence.removeProcess(record.namespace, record.name);
    if (stopped) this.emitAudit(`${record.namespace}/${record.name}`, 'stop', {pid: record.pid, cause, forced}, []);
  }

  /** Starts what `unit` depends on if it is idle, then the unit, which waits for the dependencies' conditions. */
  private async requestStart(project: Project, unit: ServiceUnit, cause: StartCause): Promise<void> {
    for (const dependency of unit.config.dependsOn) {
      const needed = project.units.get(dependency.name)!;
      if (needed.isIdle()) await this.requestStart(project, needed, 'dependency');
    }
    await unit.start(cause);
  }

  /** Stops `names`, dependents before what they depend on. */
  private async stopInOrder(namespace: string, project: Project, names: string[], causeOf: (name: string) => StopCause): Promise<void> {
    const subset = new Map(names.map((name) => [name, project.units.get(name)!.config.dependsOn]));
    for (const layer of dependencyLayers(namespace, subset).reverse()) {
      await Promise.all(layer.map((name) => project.units.get(name)!.stop(causeOf(name))));
    }
  }

  private createUnit(namespace: string, name: string, config: ServiceConfig, root: string, stored: Record<string, ConfigValue>): ServiceUnit {
    const log = new ServiceLog(join(this.options.logsDir, namespace, `${name}.log`), config.logs, this.clock);
    const unit: ServiceUnit = new ServiceUnit(namespace, name, {config, root}, stored, log, {
      clock: this.clock,
      persistence: this.options.persistence,
      audit: (kind, details) => this.audit(unit, kind, details),
      changed: () => this.unitChanged(unit),
      unsatisfiedDependencies: () => {
        const project = this.projects.get(namespace);
        return unit.config.dependsOn.filter((dependency) => !project?.units.get(dependency.name)?.satisfies(dependency.condition)).map((dependency) => dependency.name);
      },
      extraEnvironment: () => this.options.serviceEnvironment?.(namespace, name) ?? {},
    });
    return unit;
  }

  private unitChanged(unit: ServiceUnit): void {
    try {
      this.options.onState?.(unit.snapshot());
    } catch (error) {
      unit.log.note(`onState handler failed: ${(error as Error).message}`);
    }
    for (const other of this.projects.get(unit.namespace)?.units.values() ?? []) if (other !== unit) other.recheckDependencies();
  }

  private audit(unit: ServiceUnit, kind: AuditKind, details: Record<string, unknown>): void {
    this.emitAudit(unit.target, kind, details, secretValues(unit.config.config, unit.values()));
  }

  private emitAudit(target: string, kind: AuditKind, details: Record<string, unknown>, secrets: readonly string[]): void {
    try {
      this.options.audit?.(auditEvent(this.clock.now(), this.actor, kind, target, details, secrets));
    } catch {
      // The audit sink is the owner's; its failure must not derail a stop or a restart.
    }
  }

  private inProject(project: Project, task: () => Promise<void>): Promise<void> {
    const run = project.queue.then(task);
    project.queue = run.catch(() => undefined);
    return run;
  }

  private *allUnits(): Iterable<ServiceUnit> {
    for (const project of this.projects.values()) yield* project.units.values();
  }

  private findProject(namespace: string): Project {
    const project = this.projects.get(namespace);
    if (project) return project;
    const suggestion = didYouMean(namespace, this.projects.keys());
    throw new CapsuleError('not_found', `no project "${namespace}" has services`, {hint: suggestion ? `did you mean "${suggestion}"?` : 'capsule services lists them'});
  }

  private find(namespace: string, name: string): {project: Project; unit: ServiceUnit} {
    const project = this.findProject(namespace);
    const unit = project.units.get(name);
    if (unit) return {project, unit};
    const suggestion = didYouMean(name, project.units.keys());
    throw new CapsuleError('not_found', `project ${namespace} has no service "${name}"`, {
      hint: suggestion ? `did you mean "${namespace}/${suggestion}"?` : `its services: ${[...project.units.keys()].join(', ')}`,
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new CapsuleError('conflict', 'the supervisor is shutting down', {hint: 'start the daemon again'});
  }
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new CapsuleError('config_invalid', `invalid name ${JSON.stringify(name)}: expected letters, digits, - and _ (starting with a letter or digit)`, {hint: 'rename it in capsule.toml'});
  }
}

function dependencyMap(project: Project) {
  return new Map([...project.units].map(([name, unit]) => [name, unit.config.dependsOn]));
}
