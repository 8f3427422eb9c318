/**
 * The instances of one declared service (`instances = N`): N ServiceUnits, each its own process
 * group, restarts, health and log, which the project starts, stops and orders as one service.
 * The group owns how many there are, who follows their logs, and waiting for one of them to be
 * ready (a rolling reload).
 */
import type {DependencyCondition, ServiceConfig} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {instanceName} from '../../src/protocol/instances.js';
import type {LogLine} from './types.js';
import type {ServiceUnit} from './service-unit.js';

/** A line of a service's log with the instance it is from, as shown (`api`, `api#2`). */
export type InstanceLogLine = LogLine & {name: string};

export type InstanceLogListener = (line: InstanceLogLine) => void;

/** What a rolling reload waits for after an instance's restart. */
export type Readiness = 'ready' | {failed: string};

export class ServiceGroup {
  private readonly members: ServiceUnit[] = [];
  private readonly listeners = new Set<InstanceLogListener>();
  /** Per unit, how to stop following its log for each listener. */
  private readonly unfollow = new Map<ServiceUnit, Map<InstanceLogListener, () => void>>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    private readonly createUnit: (instance: number) => Promise<ServiceUnit>,
  ) {}

  get units(): readonly ServiceUnit[] {
    return this.members;
  }

  get count(): number {
    return this.members.length;
  }

  get config(): ServiceConfig {
    return this.members[0]!.config;
  }

  get fingerprint(): string {
    return this.members[0]!.definition.fingerprint;
  }

  /** Brings the group to `count` instances: new ones are created (not started), the highest go (stop them first). */
  async resize(count: number): Promise<{added: ServiceUnit[]; removed: ServiceUnit[]}> {
    const added: ServiceUnit[] = [];
    while (this.members.length < count) {
      const unit = await this.createUnit(this.members.length);
      this.members.push(unit);
      for (const listener of this.listeners) this.attach(unit, listener);
      added.push(unit);
    }
    const removed = this.members.splice(count);
    await Promise.all(removed.map((unit) => this.release(unit)));
    for (const unit of this.members) unit.setInstances(this.members.length);
    return {added, removed};
  }

  /** The instance `instance`, or a not_found error that names the ones there are. */
  instance(instance: number): ServiceUnit {
    const unit = this.members[instance];
    if (unit) return unit;
    const {namespace} = this.members[0]!.definition;
    throw new CapsuleError('not_found', `${namespace}/${this.name} has no instance #${instance}: it runs ${this.count} (#0 to #${this.count - 1})`, {
      hint: `address one as ${namespace}/${instanceName(this.name, this.count - 1, this.count)}, or all as ${namespace}/${this.name}; \`capsule scale ${namespace}/${this.name} N\` changes how many`,
    });
  }

  /** Some instance has a process. */
  isUp(): boolean {
    return this.members.some((unit) => unit.isUp());
  }

  /** No instance is up, waiting to start or waiting to restart. */
  isIdle(): boolean {
    return this.members.every((unit) => unit.isIdle());
  }

  /** What depends on a service waits for every one of its instances. */
  satisfies(condition: DependencyCondition): boolean {
    return this.members.every((unit) => unit.satisfies(condition));
  }

  /** Some instance is not `stopped`: a reload that changes the definition starts the service again. */
  isActive(): boolean {
    return this.members.some((unit) => unit.state !== 'stopped');
  }

  /** A declaration that differs at most in what it watches (the same fingerprint): the processes run on. */
  redeclare(config: ServiceConfig, root: string): void {
    for (const unit of this.members) unit.redeclare(config, root);
  }

  reconfigure(config: ServiceConfig, root: string): void {
    for (const unit of this.members) unit.reconfigure(config, root);
  }

  recheckDependencies(): void {
    for (const unit of this.members) unit.recheckDependencies();
  }

  /** Follows every instance's log, those added later too, until the returned function is called. */
  followLogs(listener: InstanceLogListener): () => void {
    this.listeners.add(listener);
    for (const unit of this.members) this.attach(unit, listener);
    return () => {
      this.listeners.delete(listener);
      for (const stops of this.unfollow.values()) {
        stops.get(listener)?.();
        stops.delete(listener);
      }
    };
  }

  /** One of the instances changed state: a reload waiting for it looks again. */
  unitChanged(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Resolves once `unit` is ready (healthy, or running when no probe is declared), or says why it
   * will not be: it ended, failed, became unhealthy, or was not ready within `timeoutMs`.
   */
  whenReady(unit: ServiceUnit, timeoutMs: number): Promise<Readiness> {
    return new Promise((resolve) => {
      const finish = (readiness: Readiness) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(readiness);
      };
      const check = () => {
        const verdict = readiness(unit);
        if (verdict !== null) finish(verdict);
      };
      const timer = setTimeout(() => {
        const {state, healthDetail} = unit.snapshot();
        finish({failed: `not ready within ${Math.round(timeoutMs / 1000)}s (${state}${healthDetail ? `: ${healthDetail}` : ''})`});
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Closes every instance's watcher and log. */
  async close(): Promise<void> {
    const members = this.members.splice(0);
    await Promise.all(members.map((unit) => this.release(unit)));
  }

  private attach(unit: ServiceUnit, listener: InstanceLogListener): void {
    const stops = this.unfollow.get(unit) ?? new Map<InstanceLogListener, () => void>();
    this.unfollow.set(unit, stops);
    stops.set(listener, unit.log.follow((line) => listener({...line, name: unit.definition.label})));
  }

  private async release(unit: ServiceUnit): Promise<void> {
    for (const stop of this.unfollow.get(unit)?.values() ?? []) stop();
    this.unfollow.delete(unit);
    await unit.close();
  }
}

/** null while `unit` is on its way (starting, stopping for the restart). */
function readiness(unit: ServiceUnit): Readiness | null {
  const {state, reason, lastExit} = unit.snapshot();
  if (state === 'healthy' || (state === 'running' && unit.config.health === null)) return 'ready';
  if (state === 'starting' || state === 'stopping' || state === 'running') return null;
  const exit = lastExit ? `, ${lastExit.signal ?? `exit ${lastExit.code}`}` : '';
  return {failed: `${state}${reason ? `: ${reason}` : exit}`};
}
