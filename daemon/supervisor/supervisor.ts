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
import {nearestName} from '../../src/lib/suggest.js';
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
import {instanceKey, ServiceDefinition} from './service-definition.js';
import {ServiceLog} from './service-log.js';
import type {InstanceLogLine, InstanceLogListener} from './service-group.js';
import {ServiceUnit} from './service-unit.js';
import {longestTerminateMs} from './service-run.js';
import {MAX_INSTANCES, splitInstance} from '../../src/protocol/instances.js';
import type {ActionResult, AuditEvent, AuditKind, ConfigChange, ConfigEntry, ConfigSetResult, RemotePresence, ReportedHealth, ServiceSnapshot, SupervisorPersistence} from './types.js';

export interface SupervisorOptions {
  /** Service logs go to `<logsDir>/<namespace>/<name>.log` (rotated to .1, .2 …); instance N ≥ 1's to `<name>#N.log`. */
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
  /** `capsule scale` changed how many instances a service runs: the owner keeps it (see ServicesPlugin). */
  onScaled?: (namespace: string, name: string, instances: number) => void | Promise<void>;
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
    // Configuration is the service's: its events name the service, not instance 0.
    this.configValues = new ServiceConfigValues(options.persistence, (unit, kind, details, actor) => this.emitAudit(unit.definition.serviceTarget, kind, details, unit.secrets(), actor), options.onConfigChange);
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
      project = new ProjectServices(namespace, root, {createUnit: (owner, name, instance, config, dir) => this.createUnit(owner, name, instance, config, dir), claimAdoption: (unit) => this.adoption.claimFor(unit)});
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

  /**
   * Starts a service's instances (`name`: all of them; `api#2`: that one); when every one named
   * already has a process it is refused (`conflict`): nothing was started.
   */
  async start(namespace: string, name: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot[]> {
    const project = this.findProject(namespace);
    const {group, units} = project.select(name);
    refuseRemote(units, 'start');
    const idle = units.filter((unit) => !unit.isUp());
    if (idle.length === 0) {
      const up = units.map((unit) => unit.snapshot());
      const what = up.length === 1 ? `${namespace}/${up[0]!.name} is already ${up[0]!.state} (pid ${up[0]!.pid})` : `every instance of ${namespace}/${name} is already up (pids ${up.map((snapshot) => snapshot.pid).join(', ')})`;
      throw alreadyDone(what, `restart it with \`capsule restart ${namespace}/${name}\``);
    }
    await project.requestStart(group, 'operator', actor, true, idle);
    return units.map((unit) => unit.snapshot());
  }

  /** Stops a service's instances; when every one named is stopped already it is refused (`conflict`): nothing was stopped. */
  async stop(namespace: string, name: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot[]> {
    const {units} = this.findProject(namespace).select(name);
    refuseRemote(units, 'stop');
    if (units.every((unit) => unit.state === 'stopped')) {
      throw alreadyDone(`${namespace}/${units.length === 1 ? units[0]!.definition.label : name} is already stopped`, `start it with \`capsule start ${namespace}/${name}\``);
    }
    await Promise.all(units.map((unit) => unit.stop('operator', actor)));
    return units.map((unit) => unit.snapshot());
  }

  /** Restarts a service's instances (all at once), or starts those with no process: either way each counts one restart. */
  async restart(namespace: string, name: string, actor = DAEMON_ACTOR): Promise<ServiceSnapshot[]> {
    const project = this.findProject(namespace);
    const {group, units} = project.select(name);
    refuseRemote(units, 'restart');
    await project.restart(group, units, actor);
    return units.map((unit) => unit.snapshot());
  }

  /**
   * Restarts the instances one at a time, the next only once the one before is ready again
   * (healthy; running, when no probe is declared). One not ready within `timeoutMs` (or that
   * fails, ends, turns unhealthy) stops the roll with a `failed` error: the instances after it
   * keep their processes. With one instance it is a restart that waits until it is ready.
   */
  async reload(namespace: string, name: string, timeoutMs: number, actor = DAEMON_ACTOR): Promise<ServiceSnapshot[]> {
    this.assertOpen();
    const project = this.findProject(namespace);
    const {group, units} = project.select(name);
    refuseRemote(units, 'reload');
    await project.serially(async () => {
      this.emitAudit(`${namespace}/${name}`, 'reload', {instances: units.length, timeoutMs}, group.units[0]!.secrets(), actor);
      for (const [index, unit] of units.entries()) {
        await unit.restart('reload', actor, true);
        const readiness = await group.whenReady(unit, timeoutMs);
        if (readiness === 'ready') continue;
        const rest = units.slice(index + 1).map((other) => other.definition.label);
        throw new CapsuleError('failed', `reload of ${namespace}/${name} stopped at ${unit.definition.target}: ${readiness.failed}`, {
          hint: `${rest.length > 0 ? `${rest.join(', ')} kept ${rest.length === 1 ? 'its' : 'their'} running process; ` : ''}see \`capsule logs ${unit.definition.target}\`, fix it and reload again`,
        });
      }
    });
    return units.map((unit) => unit.snapshot());
  }

  /**
   * Runs `count` instances of the service: new ones start if the service is up (any instance
   * has a process), the highest stop and go. `count` is kept through `onScaled` by the owner.
   */
  async scale(namespace: string, name: string, count: number, actor = DAEMON_ACTOR): Promise<ServiceSnapshot[]> {
    this.assertOpen();
    if (splitInstance(name).instance !== null) throw new CapsuleError('bad_input', `scale takes a service, got the instance ${namespace}/${name}`, {hint: `scale the service: \`capsule scale ${namespace}/${splitInstance(name).service} ${count}\``});
    if (!Number.isInteger(count) || count < 1 || count > MAX_INSTANCES) {
      throw new CapsuleError('bad_input', `expected 1 to ${MAX_INSTANCES} instances, got ${count}`, {hint: count === 0 ? `to stop every instance: \`capsule stop ${namespace}/${name}\`` : `instances run 1 to ${MAX_INSTANCES} copies`});
    }
    const project = this.findProject(namespace);
    const group = project.find(name);
    refuseRemote(group.units, 'scale');
    await project.serially(async () => {
      const from = group.count;
      if (from === count) throw alreadyDone(`${namespace}/${name} already runs ${count} instance${count === 1 ? '' : 's'}`, 'nothing to scale');
      const wasUp = group.isUp();
      const {added} = await project.resize(group, count, 'scale', actor);
      await this.options.onScaled?.(namespace, name, count);
      this.emitAudit(`${namespace}/${name}`, 'scale', {from, to: count}, group.units[0]!.secrets(), actor);
      if (wasUp && added.length > 0) await project.requestStart(group, 'scale', actor, false, added);
    });
    return group.units.map((unit) => unit.snapshot());
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
    if (namespace !== undefined && name !== undefined) return this.findProject(namespace).unit(name).snapshot();
    const units = namespace === undefined ? this.allUnits() : [...(this.projects.get(namespace)?.units.values() ?? [])].flatMap((group) => group.units);
    return [...units].map((unit) => unit.snapshot());
  }

  /**
   * Feeds a `heartbeat = true` health probe; called by the embedded agent's connection.
   * `health`, when given, is what the service says of itself: `ok: false` fails the probe.
   */
  heartbeat(namespace: string, name: string, health?: ReportedHealth): void {
    this.findProject(namespace).unit(name).heartbeat(health);
  }

  /** A remote service's agent registered from `presence.address`. */
  remoteConnected(namespace: string, name: string, presence: RemotePresence): Promise<void> {
    return this.findProject(namespace).unit(name).remoteConnected(presence);
  }

  /** A remote service's agent is gone; a service no longer declared is passed over. */
  async remoteDisconnected(namespace: string, name: string, reason: string): Promise<void> {
    const unit = this.projects.get(namespace)?.units.get(name)?.units[0];
    await unit?.remoteDisconnected(reason);
  }

  /**
   * The last `tail` lines (default 100, at most MAX_TAIL_LINES), oldest first, each with the
   * instance it is from; of several instances, their lines interleaved by time.
   */
  async logs(namespace: string, name: string, options: {tail?: number} = {}): Promise<InstanceLogLine[]> {
    const tail = options.tail ?? 100;
    const {units} = this.findProject(namespace).select(name);
    const tails = await Promise.all(units.map(async (unit) => (await unit.log.tail(tail)).map((line): InstanceLogLine => ({...line, name: unit.definition.label}))));
    if (tails.length === 1) return tails[0]!;
    // A stable sort: an instance's own lines keep their order when two share a millisecond.
    const merged = tails.flat().sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    return tail === 0 ? [] : merged.slice(-tail);
  }

  /**
   * Empties the logs of one service (each instance's; an instance's name: that one's) or, `name`
   * omitted, of every service of the namespace; audited once per service.
   */
  flushLogs(namespace: string, name: string | undefined, actor = DAEMON_ACTOR): {namespace: string; name: string; bytes: number}[] {
    const project = this.findProject(namespace);
    const selections = name === undefined ? [...project.units.values()].map((group) => group.units) : [project.select(name).units];
    return selections.flatMap((units) => {
      const flushed = units.map((unit) => ({namespace, name: unit.definition.label, bytes: unit.log.empty(`log flushed by ${actor}`)}));
      const bytes = flushed.reduce((sum, each) => sum + each.bytes, 0);
      if (units.length > 0) this.emitAudit(units[0]!.definition.serviceTarget, 'logs.flush', {instances: flushed.map((each) => each.name), bytes}, [], actor);
      return flushed;
    });
  }

  /** Calls `listener` with every new line of every instance (those scaled up later too) until the returned function is called. */
  followLogs(namespace: string, name: string, listener: InstanceLogListener): () => void {
    return this.findProject(namespace).find(name).followLogs(listener);
  }

  /** Where instance `instance` of service `name` writes its output (SupervisorOptions.logsDir). */
  logFile(namespace: string, name: string, instance: number): string {
    return join(this.options.logsDir, namespace, `${instanceKey(name, instance)}.log`);
  }

  /** Config belongs to the service: an instance's name reads its service's. */
  configList(namespace: string, name: string): ConfigEntry[] {
    return this.configValues.list(this.findProject(namespace).unit(name));
  }

  configGet(namespace: string, name: string, key: string): ConfigEntry {
    return this.configValues.get(this.findProject(namespace).unit(name), key);
  }

  /** SHA-256 of the agent token the instance's running process was given (the service's name: instance 0); undefined while it has none. */
  agentTokenHash(namespace: string, name: string): string | undefined {
    return this.findProject(namespace).unit(name).agentTokenHash;
  }

  /** The values the service runs with, secrets unmasked: only for the service itself (its embedded agent). */
  unmaskedConfigValues(namespace: string, name: string): Record<string, ConfigValue> {
    return this.findProject(namespace).unit(name).definition.values();
  }

  /** Validates `value` against the declaration (strings are parsed as the declared type), stores it, and delivers it to every instance, live or by restart. */
  configSet(namespace: string, name: string, key: string, value: ConfigValue, actor = DAEMON_ACTOR): Promise<ConfigSetResult> {
    return this.configValues.set(this.findProject(namespace).find(name).units, key, value, actor);
  }

  configUnset(namespace: string, name: string, key: string, actor = DAEMON_ACTOR): Promise<ConfigSetResult> {
    return this.configValues.unset(this.findProject(namespace).find(name).units, key, actor);
  }

  /** Runs a command action (in the named instance's environment; the service's name: instance 0's); a non-zero exit is a result, not an error. */
  runAction(namespace: string, name: string, action: string, args: Record<string, string> = {}, options: RunActionOptions = {}): Promise<ActionResult> {
    this.assertOpen();
    return this.actions.run(this.findProject(namespace).unit(name), action, args, options);
  }

  /**
   * Stops every service, dependents first in each project, and everything else the supervisor
   * runs. `leaveServices`: their processes are left running for the next daemon to adopt
   * instead (live restore); actions still stop.
   */
  async close({leaveServices = false}: {leaveServices?: boolean} = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sampler.close();
    // Before anything stops: a file changed during shutdown must not restart a service.
    await Promise.all([...this.allUnits()].map((unit) => unit.stopWatching()));
    await this.actions.close();
    await Promise.all(
      [...this.projects.values()].map((project) =>
        project.serially(async () => {
          if (leaveServices) await project.leaveAll();
          else await project.stopAll('shutdown');
          await project.close();
        }),
      ),
    );
    this.projects.clear();
  }

  /**
   * The longest close() may take to stop every service: projects stop together, each along its
   * longest chain of dependents, each service within its stop_timeout and the SIGKILL wait after.
   */
  longestStopMs(): number {
    return Math.max(0, ...[...this.projects.values()].map((project) => project.longestStopMs(longestTerminateMs)));
  }

  private async createUnit(project: ProjectServices, name: string, instance: number, config: ServiceConfig, root: string): Promise<ServiceUnit> {
    const namespace = project.namespace;
    const stored = await this.options.persistence.loadConfigValues(namespace, name);
    const definition = new ServiceDefinition(namespace, name, {config, root}, stored, () => this.options.serviceEnvironment?.(namespace, name) ?? {}, instance);
    const stoppedByOperator = await this.options.persistence.loadStoppedByOperator(namespace, definition.key);
    const log = new ServiceLog(this.logFile(namespace, name, instance), config.logs, this.clock);
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
    for (const project of this.projects.values()) for (const group of project.units.values()) yield* group.units;
  }

  private findProject(namespace: string): ProjectServices {
    const project = this.projects.get(namespace);
    if (project) return project;
    const suggestion = nearestName(namespace, this.projects.keys());
    throw new CapsuleError('not_found', `no project "${namespace}" has services`, {hint: suggestion ? `did you mean "${suggestion}"?` : 'capsule services lists them'});
  }

  private assertOpen(): void {
    if (this.closed) throw new CapsuleError('conflict', 'the supervisor is shutting down', {hint: 'start the daemon again'});
  }
}

/** The daemon owns no process of a remote service: what would act on one is refused, saying what does work. */
function refuseRemote(units: readonly ServiceUnit[], verb: string): void {
  const remote = units.find((unit) => unit.config.remote);
  if (!remote) return;
  const {serviceTarget} = remote.definition;
  throw new CapsuleError('conflict', `${serviceTarget} is a remote service: the daemon does not own its process, so it cannot ${verb} it`, {
    hint: `${verb} it on the machine it runs on; from here, \`capsule action ${serviceTarget} NAME\` and \`capsule config set ${serviceTarget} KEY VALUE\` reach it through its agent`,
  });
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new CapsuleError('config_invalid', `invalid name ${JSON.stringify(name)}: expected letters, digits, - and _ (starting with a letter or digit)`, {hint: 'rename it in capsule.toml'});
  }
}
