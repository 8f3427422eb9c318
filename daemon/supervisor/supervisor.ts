/**
 * The services of every project: declared by setProjectServices, operated by name, stopped
 * dependents-first. A ServiceUnit owns each service's lifecycle and a ProjectServices the
 * order within a project; this class routes requests and owns what all services share
 * (resource sampling, adoption records, running actions, the audit and state callbacks).
 *
 * An operator's requests (start, stop, restart, config set, actions) take `actor`, who asked:
 * the audit events they cause record it. What the supervisor does of its own accord (a crash's
 * restart, a health change, adoption) records DAEMON_ACTOR.
 */
import {join} from 'node:path';
import type {ConfigValue, ServiceConfig} from '../../src/config/services.js';
import {CapsuleError, alreadyDone} from '../../src/lib/errors.js';
import {didYouMean} from '../../src/lib/suggest.js';
import {AdoptionRegistry, type AdoptionReport} from './adoption.js';
import type {AgentActionRunner} from './agent-action.js';
import {auditEvent} from './audit.js';
import {DAEMON_ACTOR} from '../core/audit-log.js';
import {systemClock, type Clock} from '../core/clock.js';
import {checkDependencies} from './dependency-graph.js';
import {ProjectServices} from './project-services.js';
import {ResourceSampler, SAMPLE_INTERVAL_MS} from './resource-sampler.js';
import {ServiceActions, type RunActionOptions} from './service-actions.js';
import {ServiceConfigValues} from './service-config-values.js';
import {ServiceDefinition} from './service-definition.js';
import {ServiceLog, type LogListener} from './service-log.js';
import {ServiceUnit} from './service-unit.js';
import type {ActionResult, AuditEvent, AuditKind, ConfigChange, ConfigEntry, ConfigSetResult, LogLine, ReportedHealth, ServiceSnapshot, SupervisorPersistence} from './types.js';

export interface SupervisorOptions {
  /** Service logs go to `<logsDir>/<namespace>/<name>.log` (rotated to .1, .2 …). */
  logsDir: string;
  persistence: SupervisorPersistence;
  /** @default systemClock */
  clock?: Clock;
  /** Every start, stop, crash, restart, health change, config change and action. */
  audit?: (event: AuditEvent) => void;
  /** A service's state, health, pid or resource usage changed. */
  onState?: (snapshot: ServiceSnapshot) => void;
  /**
   * Delivers a changed config value to a running service live (through its embedded agent).
   * Resolve true when delivered; otherwise the service is restarted to pick the value up.
   */
  onConfigChange?: (change: ConfigChange) => boolean | Promise<boolean>;
  /** Extra environment for services, probes and actions (the agent's socket path, for one). A service's process also gets its launch's agent token. */
  serviceEnvironment?: (namespace: string, name: string) => Record<string, string>;
  /** Runs the actions embedded agents handle in-process. Without it only command actions run. */
  agentActions?: AgentActionRunner;
  /** @default 2000 */
  sampleIntervalMs?: number;
  /** Directories no service's `watch` looks into: the daemon's home, whose files change at every restart. @default [] */
  unwatched?: readonly string[];
}

/** Service and namespace names become file names: keep them plain. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export class Supervisor {
  private readonly projects = new Map<string, ProjectServices>();
  private readonly clock: Clock;
  private readonly adoption: AdoptionRegistry;
  private readonly sampler: ResourceSampler;
  private readonly configValues: ServiceConfigValues;
  private readonly actions: ServiceActions;
  private closed = false;

  constructor(private readonly options: SupervisorOptions) {
    this.clock = options.clock ?? systemClock;
    this.adoption = new AdoptionRegistry(
      options.persistence,
      (record, cause, forced) => this.emitAudit(`${record.namespace}/${record.name}`, 'stop', {pid: record.pid, cause, forced}, []),
      (record, reason) => this.emitAudit(`${record.namespace}/${record.name}`, 'gone', {pid: record.pid, startedAt: record.startedAt, reason}, []),
    );
    this.sampler = new ResourceSampler(() => this.allUnits(), this.clock, options.sampleIntervalMs ?? SAMPLE_INTERVAL_MS);
    this.sampler.start();
    const audit = (unit: ServiceUnit, kind: AuditKind, details: Record<string, unknown>, actor: string) => this.audit(unit, kind, details, actor);
    this.configValues = new ServiceConfigValues(options.persistence, audit, options.onConfigChange);
    this.actions = new ServiceActions(this.clock, audit, options.agentActions);
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
  settleAdoption(): Promise<string[]> {
    return this.adoption.settle();
  }

  /**
   * Makes `services` the services of `namespace`: new ones start (if autostart), removed ones
   * stop, changed ones restart; an empty record removes the project. Resolves once stops are
   * done and starts are under way (a start waiting for a dependency does not hold it up).
   */
  async setProjectServices(namespace: string, root: string, services: Record<string, ServiceConfig>): Promise<void> {
    this.assertOpen();
    for (const name of [namespace, ...Object.keys(services)]) checkName(name);
    checkDependencies(namespace, services);
    await this.adoption.load();
    let project = this.projects.get(namespace);
    if (!project) {
      project = new ProjectServices(namespace, root, {createUnit: (owner, name, config, dir) => this.createUnit(owner, name, config, dir), claimAdoption: (unit) => this.adoption.claimFor(unit)});
      this.projects.set(namespace, project);
    }
    const target = project;
    await target.serially(() => target.apply(root, services));
    if (target.vacant && this.projects.get(namespace) === target) this.projects.delete(namespace);
  }

  removeProject(namespace: string): Promise<void> {
    const project = this.projects.get(namespace);
    return project ? this.setProjectServices(namespace, project.root, {}) : Promise.resolve();
  }

  /** Starts a service; one that already has a process is refused (`conflict`): nothing was started. */
  async start(namespace: string, name: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot> {
    const project = this.findProject(namespace);
    const unit = project.find(name);
    if (unit.isUp()) {
      const {state, pid} = unit.snapshot();
      throw alreadyDone(`${namespace}/${name} is already ${state} (pid ${pid})`, `restart it with \`capsule restart ${namespace}/${name}\``);
    }
    await project.requestStart(unit, 'operator', actor);
    return unit.snapshot();
  }

  /** Stops a service; one already stopped is refused (`conflict`): nothing was stopped. */
  async stop(namespace: string, name: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot> {
    const unit = this.findProject(namespace).find(name);
    if (unit.state === 'stopped') throw alreadyDone(`${namespace}/${name} is already stopped`, `start it with \`capsule start ${namespace}/${name}\``);
    await unit.stop('operator', actor);
    return unit.snapshot();
  }

  /** Restarts a service, or starts it if it has no process: either way it counts as one restart. */
  async restart(namespace: string, name: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot> {
    const project = this.findProject(namespace);
    const unit = project.find(name);
    await project.restart(unit, actor);
    return unit.snapshot();
  }

  /** Starts every service of the project, dependencies first. */
  async startProject(namespace: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot[]> {
    const project = this.findProject(namespace);
    await project.serially(() => project.startAll('operator', actor));
    return this.snapshot(namespace);
  }

  /** Stops every service of the project, dependents first. */
  async stopProject(namespace: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot[]> {
    const project = this.findProject(namespace);
    await project.serially(() => project.stopAll('operator', actor));
    return this.snapshot(namespace);
  }

  /** Restarts every service of the project: all stop, dependents first, then start, dependencies first; each counts one restart. */
  async restartProject(namespace: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot[]> {
    const project = this.findProject(namespace);
    await project.serially(() => project.restartAll(actor));
    return this.snapshot(namespace);
  }

  snapshot(namespace: string, name: string): ServiceSnapshot;
  snapshot(namespace?: string): ServiceSnapshot[];
  snapshot(namespace?: string, name?: string): ServiceSnapshot | ServiceSnapshot[] {
    if (namespace !== undefined && name !== undefined) return this.findProject(namespace).find(name).snapshot();
    const units = namespace === undefined ? this.allUnits() : (this.projects.get(namespace)?.units.values() ?? []);
    return [...units].map((unit) => unit.snapshot());
  }

  /**
   * Feeds a `heartbeat = true` health probe; called by the embedded agent's connection.
   * `health`, when given, is what the service says of itself: `ok: false` fails the probe.
   */
  heartbeat(namespace: string, name: string, health?: ReportedHealth): void {
    this.findProject(namespace).find(name).heartbeat(health);
  }

  /** The last `tail` lines (default 100, at most MAX_TAIL_LINES), oldest first. */
  logs(namespace: string, name: string, options: {tail?: number} = {}): Promise<LogLine[]> {
    return this.findProject(namespace).find(name).log.tail(options.tail ?? 100);
  }

  /** Calls `listener` with every new line until the returned function is called (or the service goes away). */
  followLogs(namespace: string, name: string, listener: LogListener): () => void {
    return this.findProject(namespace).find(name).log.follow(listener);
  }

  configList(namespace: string, name: string): ConfigEntry[] {
    return this.configValues.list(this.findProject(namespace).find(name));
  }

  configGet(namespace: string, name: string, key: string): ConfigEntry {
    return this.configValues.get(this.findProject(namespace).find(name), key);
  }

  /** SHA-256 of the agent token the service's running process was given; undefined while it has none. */
  agentTokenHash(namespace: string, name: string): string | undefined {
    return this.findProject(namespace).find(name).agentTokenHash;
  }

  /** The values the service runs with, secrets unmasked: only for the service itself (its embedded agent). */
  unmaskedConfigValues(namespace: string, name: string): Record<string, ConfigValue> {
    return this.findProject(namespace).find(name).definition.values();
  }

  /** Validates `value` against the declaration (strings are parsed as the declared type), stores it, and delivers it live or by restart. */
  configSet(namespace: string, name: string, key: string, value: ConfigValue, actor = DAEMON_ACTOR): Promise<ConfigSetResult> {
    return this.configValues.set(this.findProject(namespace).find(name), key, value, actor);
  }

  /** Runs a command action; a non-zero exit is a result, not an error. */
  runAction(namespace: string, name: string, action: string, args: Record<string, string> = {}, options: RunActionOptions = {}): Promise<ActionResult> {
    this.assertOpen();
    return this.actions.run(this.findProject(namespace).find(name), action, args, options);
  }

  /** Stops every service, dependents first in each project, and everything else the supervisor runs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sampler.close();
    // Before anything stops: a file changed during shutdown must not restart a service.
    await Promise.all([...this.allUnits()].map((unit) => unit.stopWatching()));
    await this.actions.close();
    await Promise.all(
      [...this.projects.values()].map((project) =>
        project.serially(async () => {
          await project.stopAll('shutdown');
          await project.close();
        }),
      ),
    );
    this.projects.clear();
  }

  private async createUnit(project: ProjectServices, name: string, config: ServiceConfig, root: string): Promise<ServiceUnit> {
    const namespace = project.namespace;
    const stored = await this.options.persistence.loadConfigValues(namespace, name);
    const stoppedByOperator = await this.options.persistence.loadStoppedByOperator(namespace, name);
    const definition = new ServiceDefinition(namespace, name, {config, root}, stored, () => this.options.serviceEnvironment?.(namespace, name) ?? {});
    const log = new ServiceLog(join(this.options.logsDir, namespace, `${name}.log`), config.logs, this.clock);
    const unit: ServiceUnit = new ServiceUnit(definition, log, {
      clock: this.clock,
      persistence: this.options.persistence,
      stoppedByOperator,
      unwatched: this.options.unwatched ?? [],
      audit: (kind, details, actor) => this.audit(unit, kind, details, actor),
      changed: () => {
        this.notifyState(unit);
        project.unitChanged(unit);
      },
      unsatisfiedDependencies: () => project.unsatisfied(unit),
    });
    return unit;
  }

  private notifyState(unit: ServiceUnit): void {
    try {
      this.options.onState?.(unit.snapshot());
    } catch (error) {
      // The listener is the owner's; its failure must not derail a start or a stop.
      unit.log.note(`onState listener failed: ${(error as Error).message}`);
    }
  }

  private audit(unit: ServiceUnit, kind: AuditKind, details: Record<string, unknown>, actor = DAEMON_ACTOR): void {
    this.emitAudit(unit.definition.target, kind, details, unit.secrets(), actor);
  }

  private emitAudit(target: string, kind: AuditKind, details: Record<string, unknown>, secrets: readonly string[], actor = DAEMON_ACTOR): void {
    try {
      this.options.audit?.(auditEvent(this.clock.now(), actor, kind, target, details, secrets));
    } catch {
      // Same as for onState: the audit sink failing must not derail a stop or a restart.
    }
  }

  private *allUnits(): Iterable<ServiceUnit> {
    for (const project of this.projects.values()) yield* project.units.values();
  }

  private findProject(namespace: string): ProjectServices {
    const project = this.projects.get(namespace);
    if (project) return project;
    const suggestion = didYouMean(namespace, this.projects.keys());
    throw new CapsuleError('not_found', `no project "${namespace}" has services`, {hint: suggestion ? `did you mean "${suggestion}"?` : 'capsule services lists them'});
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
