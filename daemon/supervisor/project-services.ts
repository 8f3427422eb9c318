/**
 * The services of one project and the order between them: a new declaration is applied as a
 * diff, starts wait for dependencies, stops go dependents first. Reloads and whole-project
 * operations run one after another.
 */
import type {ServiceConfig} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {DAEMON_ACTOR} from '../core/audit-log.js';
import {nearestName} from '../../src/lib/suggest.js';
import {dependencyLayers, longestStopMs, stopDependentsFirst} from './dependency-graph.js';
import {definitionFingerprint} from './fingerprint.js';
import {SerialQueue} from '../core/serial-queue.js';
import {splitInstance} from '../../src/protocol/instances.js';
import {ServiceGroup} from './service-group.js';
import type {ServiceUnit, StartCause, StopCause} from './service-unit.js';

export interface ProjectHooks {
  /** One instance of a service. */
  createUnit(project: ProjectServices, name: string, instance: number, config: ServiceConfig, root: string): Promise<ServiceUnit>;
  /** Hands a process left by an earlier daemon to a new unit; true when the unit took it over. */
  claimAdoption(unit: ServiceUnit): Promise<boolean>;
}

/** What a name an operator typed picked out: the service, and all its instances or one. */
export interface Selection {
  group: ServiceGroup;
  units: readonly ServiceUnit[];
}

export class ProjectServices {
  /** Each declared service, by name. */
  readonly units = new Map<string, ServiceGroup>();
  private readonly queue = new SerialQueue();
  private queued = 0;

  constructor(
    readonly namespace: string,
    private rootDir: string,
    private readonly hooks: ProjectHooks,
  ) {}

  get root(): string {
    return this.rootDir;
  }

  async serially(task: () => Promise<void>): Promise<void> {
    this.queued++;
    try {
      await this.queue.run(task);
    } finally {
      this.queued--;
    }
  }

  /** No services and nothing queued: the project can be forgotten. */
  get vacant(): boolean {
    return this.units.size === 0 && this.queued === 0;
  }

  /** The service `name` (`api`; `api#2` names the same service). */
  find(name: string): ServiceGroup {
    const {service} = splitInstance(name);
    const group = this.units.get(service);
    if (group) return group;
    const suggestion = nearestName(service, this.units.keys());
    throw new CapsuleError('not_found', `project ${this.namespace} has no service "${service}"`, {
      hint: suggestion ? `did you mean "${this.namespace}/${suggestion}"?` : `its services: ${[...this.units.keys()].join(', ') || 'none'}`,
    });
  }

  /** `api`: every instance; `api#2`: that one. */
  select(name: string): Selection {
    const group = this.find(name);
    const {instance} = splitInstance(name);
    return {group, units: instance === null ? group.units : [group.instance(instance)]};
  }

  /** The one instance `name` addresses; the service's name alone is its instance 0 (what an embedded agent and config speak to). */
  unit(name: string): ServiceUnit {
    const {group, units} = this.select(name);
    return units.length === 1 ? units[0]! : group.instance(0);
  }

  /** New services start (if autostart), removed ones stop, changed ones restart if they were active. */
  async apply(root: string, services: Record<string, ServiceConfig>): Promise<void> {
    const units = this.units;
    const removed = [...units.keys()].filter((name) => !(name in services));
    const changed = [...units.keys()].filter((name) => name in services && units.get(name)!.fingerprint !== definitionFingerprint(root, services[name]!));
    const added = Object.keys(services).filter((name) => !units.has(name));
    // Their fingerprints match, yet what they watch may differ: that needs no restart.
    const kept = [...units.keys()].filter((name) => name in services && !changed.includes(name));
    const wereActive = new Set(changed.filter((name) => units.get(name)!.isActive()));
    await this.stopInOrder([...removed, ...changed], (name) => (removed.includes(name) ? 'removed' : 'reload'));
    for (const name of removed) {
      await units.get(name)!.close();
      units.delete(name);
    }
    for (const name of changed) units.get(name)!.reconfigure(services[name]!, root);
    for (const name of kept) units.get(name)!.redeclare(services[name]!, root);
    // A new count alone (an edit of `instances`) leaves the instances that stay alone.
    const resized = new Map<string, ServiceUnit[]>();
    for (const [name, group] of units) {
      if (group.count === services[name]!.instances) continue;
      const wasUp = group.isUp() || wereActive.has(name);
      const {added: more} = await this.resize(group, services[name]!.instances, 'scale', DAEMON_ACTOR);
      if (wasUp && !wereActive.has(name)) resized.set(name, more);
    }
    for (const name of added) units.set(name, await this.createGroup(name, services[name]!, root));
    this.rootDir = root;
    for (const name of this.startOrder()) {
      const group = units.get(name)!;
      if (added.includes(name)) {
        const fresh: ServiceUnit[] = [];
        for (const unit of group.units) if (!(await this.hooks.claimAdoption(unit))) fresh.push(unit);
        if (group.config.autostart && fresh.length > 0) await this.requestStart(group, 'autostart', DAEMON_ACTOR, false, fresh);
      }
      if (wereActive.has(name)) await this.requestStart(group, 'reload');
      const more = resized.get(name);
      if (more && more.length > 0) await this.requestStart(group, 'scale', DAEMON_ACTOR, false, more);
    }
  }

  /**
   * Brings `group` to `count` instances: the highest stop and go, new ones are created and
   * returned, not started.
   */
  async resize(group: ServiceGroup, count: number, cause: StopCause, actor: string): Promise<{added: ServiceUnit[]; removed: ServiceUnit[]}> {
    await Promise.all(group.units.slice(count).map((unit) => unit.stop(cause, actor)));
    return group.resize(count);
  }

  private async createGroup(name: string, config: ServiceConfig, root: string): Promise<ServiceGroup> {
    const group: ServiceGroup = new ServiceGroup(name, (instance) => this.hooks.createUnit(this, name, instance, config, root));
    await group.resize(config.instances);
    return group;
  }

  /**
   * Starts what `unit` depends on if it is idle, then the unit, which waits for the dependencies'
   * conditions. A dependency an operator stopped is started only when an operator asked for this.
   * `actor` asked for it (the dependencies' starts too).
   */
  async requestStart(group: ServiceGroup, cause: StartCause, actor = DAEMON_ACTOR, byOperator = cause === 'operator', units: readonly ServiceUnit[] = group.units): Promise<void> {
    await this.startIdleDependencies(group, actor, byOperator);
    await Promise.all(units.map((unit) => unit.start(cause, actor, byOperator)));
  }

  /** An operator's restart of a service's instances (`units`): its idle dependencies start first, as for a start. */
  async restart(group: ServiceGroup, units: readonly ServiceUnit[], actor: string): Promise<void> {
    await this.startIdleDependencies(group, actor, true);
    await Promise.all(units.map((unit) => unit.restart('operator', actor)));
  }

  /** Stops every service, dependents first, then restarts each, dependencies first. */
  async restartAll(actor: string): Promise<void> {
    await this.stopInOrder([...this.units.keys()], () => 'restart', actor);
    for (const name of this.startOrder()) await Promise.all(this.units.get(name)!.units.map((unit) => unit.restart('operator', actor)));
  }

  async startAll(cause: StartCause, actor = DAEMON_ACTOR): Promise<void> {
    for (const name of this.startOrder()) await this.requestStart(this.units.get(name)!, cause, actor);
  }

  stopAll(cause: StopCause, actor = DAEMON_ACTOR): Promise<void> {
    return this.stopInOrder([...this.units.keys()], () => cause, actor);
  }

  private async startIdleDependencies(group: ServiceGroup, actor: string, byOperator: boolean): Promise<void> {
    for (const dependency of group.config.dependsOn) {
      const needed = this.units.get(dependency.name)!;
      if (needed.isIdle()) await this.requestStart(needed, 'dependency', actor, byOperator);
    }
  }

  /** The dependencies of `unit` not yet in the state it waits for (every instance of each). */
  unsatisfied(unit: ServiceUnit): string[] {
    return unit.config.dependsOn.filter((dependency) => !this.units.get(dependency.name)?.satisfies(dependency.condition)).map((dependency) => dependency.name);
  }

  /** A unit changed state: the ones waiting for it may start now, and a reload waiting for it looks again. */
  unitChanged(changed: ServiceUnit): void {
    const own = this.units.get(changed.definition.name);
    for (const group of this.units.values()) if (group !== own) group.recheckDependencies();
    own?.unitChanged();
  }

  async close(): Promise<void> {
    await Promise.all([...this.units.values()].map((group) => group.close()));
  }

  /** Leaves every process running for the next daemon (live restore). */
  async leaveAll(): Promise<void> {
    await Promise.all([...this.units.values()].flatMap((group) => group.units).map((unit) => unit.leave()));
  }

  private startOrder(): string[] {
    return dependencyLayers(this.namespace, new Map([...this.units].map(([name, unit]) => [name, unit.config.dependsOn]))).flat();
  }

  /** Stops `names`, each once what depends on it has stopped; independent ones together. */
  private async stopInOrder(names: string[], causeOf: (name: string) => StopCause, actor = DAEMON_ACTOR): Promise<void> {
    const subset = new Map(names.map((name) => [name, this.units.get(name)!.config.dependsOn]));
    await stopDependentsFirst(this.namespace, subset, async (name) => {
      await Promise.all(this.units.get(name)!.units.map((unit) => unit.stop(causeOf(name), actor)));
    });
  }

  /**
   * The longest a stop of every service may take: each one's stop_timeout and the SIGKILL wait
   * after it (`ownMs`), along its longest chain of dependents.
   */
  longestStopMs(ownMs: (config: ServiceConfig) => number): number {
    const graph = new Map([...this.units].map(([name, group]) => [name, group.config.dependsOn]));
    return longestStopMs(this.namespace, graph, (name) => ownMs(this.units.get(name)!.config));
  }
}
