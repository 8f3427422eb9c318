/**
 * The services of one project and the order between them: a new declaration is applied as a
 * diff, starts wait for dependencies, stops go dependents first. Reloads and whole-project
 * operations run one after another.
 */
import type {ServiceConfig} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {DAEMON_ACTOR} from '../core/audit-log.js';
import {didYouMean} from '../../src/lib/suggest.js';
import {dependencyLayers} from './dependency-graph.js';
import {definitionFingerprint} from './fingerprint.js';
import {SerialQueue} from '../core/serial-queue.js';
import type {ServiceUnit, StartCause, StopCause} from './service-unit.js';

export interface ProjectHooks {
  createUnit(project: ProjectServices, name: string, config: ServiceConfig, root: string): Promise<ServiceUnit>;
  /** Hands a process left by an earlier daemon to a new unit; true when the unit took it over. */
  claimAdoption(unit: ServiceUnit): Promise<boolean>;
}

export class ProjectServices {
  readonly units = new Map<string, ServiceUnit>();
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

  find(name: string): ServiceUnit {
    const unit = this.units.get(name);
    if (unit) return unit;
    const suggestion = didYouMean(name, this.units.keys());
    throw new CapsuleError('not_found', `project ${this.namespace} has no service "${name}"`, {
      hint: suggestion ? `did you mean "${this.namespace}/${suggestion}"?` : `its services: ${[...this.units.keys()].join(', ') || 'none'}`,
    });
  }

  /** New services start (if autostart), removed ones stop, changed ones restart if they were active. */
  async apply(root: string, services: Record<string, ServiceConfig>): Promise<void> {
    const units = this.units;
    const removed = [...units.keys()].filter((name) => !(name in services));
    const changed = [...units.keys()].filter((name) => name in services && units.get(name)!.definition.fingerprint !== definitionFingerprint(root, services[name]!));
    const added = Object.keys(services).filter((name) => !units.has(name));
    // Their fingerprints match, yet what they watch may differ: that needs no restart.
    const kept = [...units.keys()].filter((name) => name in services && !changed.includes(name));
    const wereActive = new Set(changed.filter((name) => units.get(name)!.state !== 'stopped'));
    await this.stopInOrder([...removed, ...changed], (name) => (removed.includes(name) ? 'removed' : 'reload'));
    for (const name of removed) {
      await units.get(name)!.close();
      units.delete(name);
    }
    for (const name of changed) units.get(name)!.reconfigure(services[name]!, root);
    for (const name of kept) units.get(name)!.redeclare(services[name]!, root);
    for (const name of added) units.set(name, await this.hooks.createUnit(this, name, services[name]!, root));
    this.rootDir = root;
    for (const name of this.startOrder()) {
      const unit = units.get(name)!;
      if (added.includes(name) && !(await this.hooks.claimAdoption(unit)) && unit.config.autostart) await this.requestStart(unit, 'autostart');
      if (wereActive.has(name)) await this.requestStart(unit, 'reload');
    }
  }

  /**
   * Starts what `unit` depends on if it is idle, then the unit, which waits for the dependencies'
   * conditions. A dependency an operator stopped is started only when an operator asked for this.
   * `actor` asked for it (the dependencies' starts too).
   */
  async requestStart(unit: ServiceUnit, cause: StartCause, actor = DAEMON_ACTOR, byOperator = cause === 'operator'): Promise<void> {
    await this.startIdleDependencies(unit, actor, byOperator);
    await unit.start(cause, actor, byOperator);
  }

  /** An operator's restart of one service: its idle dependencies start first, as for a start. */
  async restart(unit: ServiceUnit, actor: string): Promise<void> {
    await this.startIdleDependencies(unit, actor, true);
    await unit.restart('operator', actor);
  }

  /** Stops every service, dependents first, then restarts each, dependencies first. */
  async restartAll(actor: string): Promise<void> {
    await this.stopInOrder([...this.units.keys()], () => 'restart', actor);
    for (const name of this.startOrder()) await this.units.get(name)!.restart('operator', actor);
  }

  async startAll(cause: StartCause, actor = DAEMON_ACTOR): Promise<void> {
    for (const name of this.startOrder()) await this.requestStart(this.units.get(name)!, cause, actor);
  }

  stopAll(cause: StopCause, actor = DAEMON_ACTOR): Promise<void> {
    return this.stopInOrder([...this.units.keys()], () => cause, actor);
  }

  private async startIdleDependencies(unit: ServiceUnit, actor: string, byOperator: boolean): Promise<void> {
    for (const dependency of unit.config.dependsOn) {
      const needed = this.units.get(dependency.name)!;
      if (needed.isIdle()) await this.requestStart(needed, 'dependency', actor, byOperator);
    }
  }

  /** The dependencies of `unit` not yet in the state it waits for. */
  unsatisfied(unit: ServiceUnit): string[] {
    return unit.config.dependsOn.filter((dependency) => !this.units.get(dependency.name)?.satisfies(dependency.condition)).map((dependency) => dependency.name);
  }

  /** A unit changed state: the ones waiting for it may start now. */
  unitChanged(changed: ServiceUnit): void {
    for (const unit of this.units.values()) if (unit !== changed) unit.recheckDependencies();
  }

  async close(): Promise<void> {
    await Promise.all([...this.units.values()].map((unit) => unit.close()));
  }

  private startOrder(): string[] {
    return dependencyLayers(this.namespace, new Map([...this.units].map(([name, unit]) => [name, unit.config.dependsOn]))).flat();
  }

  /** Stops `names`, dependents before what they depend on. */
  private async stopInOrder(names: string[], causeOf: (name: string) => StopCause, actor = DAEMON_ACTOR): Promise<void> {
    const subset = new Map(names.map((name) => [name, this.units.get(name)!.config.dependsOn]));
    for (const layer of dependencyLayers(this.namespace, subset).reverse()) {
      await Promise.all(layer.map((name) => this.units.get(name)!.stop(causeOf(name), actor)));
    }
  }
}
