/**
 * One declared service and its lifecycle: start, watch, end, restart per policy, stop. Every
 * change of lifecycle runs through one queue, so an exit arriving while an operator stops
 * the service, or a probe failing during a restart, is handled once and in order.
 */
import {setTimeout as delay} from 'node:timers/promises';
import type {ConfigValue, DependencyCondition, ServiceConfig} from '../../src/config/services.js';
import {formatDuration} from '../../src/lib/duration.js';
import {formatSize} from '../../src/lib/size.js';
import type {Clock} from './clock.js';
import {effectiveValues, secretValues} from './config-values.js';
import {definitionFingerprint} from './fingerprint.js';
import {HealthMonitor} from './health-monitor.js';
import {runProbe} from './health-probes.js';
import {stopProcessGroup} from './process-group.js';
import {liveStartTime} from './proc-stat.js';
import {adoptProcess, spawnService, type ProcessEnd, type ProcessHandle} from './process-handle.js';
import type {ResourceUsage} from './resource-sampler.js';
import {isFailure, RestartPolicy, type EndCause} from './restart-policy.js';
import {commandArgv, serviceCwd, serviceEnvironment} from './service-env.js';
import type {ServiceLog} from './service-log.js';
import type {AuditKind, HealthStatus, PersistedProcess, ProcessExit, ServiceSnapshot, ServiceState, SupervisorPersistence} from './types.js';

export type StartCause = 'autostart' | 'operator' | 'dependency' | 'restart' | 'reload' | 'config';
export type StopCause = 'operator' | 'removed' | 'reload' | 'shutdown' | 'restart' | 'unhealthy' | 'max_memory';

/** How long a stopped group's leader may take to be reported ended after the group is gone. */
const END_REPORT_WAIT_MS = 2_000;

export interface UnitContext {
  readonly clock: Clock;
  readonly persistence: SupervisorPersistence;
  audit(kind: AuditKind, details: Record<string, unknown>): void;
  /** State, health, pid or usage changed. */
  changed(): void;
  /** The dependencies not yet in the state this service waits for. */
  unsatisfiedDependencies(): string[];
  /** Extra environment from the daemon, such as the agent's socket. */
  extraEnvironment(): Record<string, string>;
}

export class ServiceUnit {
  private currentState: ServiceState = 'stopped';
  private handle: ProcessHandle | null = null;
  private monitor: HealthMonitor | null = null;
  private healthStatus: HealthStatus | null;
  private policy: RestartPolicy;
  private cancelRestart: (() => void) | null = null;
  private cancelStable: (() => void) | null = null;
  private nextRestartAt: number | null = null;
  /** Set while a start waits for dependencies. */
  private pendingStart: StartCause | null = null;
  private waitingFor: string[] = [];
  private restarts = 0;
  private lastExit: ProcessExit | null = null;
  private reason: string | null = null;
  private usage: ResourceUsage | null = null;
  private lastHeartbeatAt = 0;
  private recovering = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly namespace: string,
    readonly name: string,
    private definition: {config: ServiceConfig; root: string},
    private stored: Record<string, ConfigValue>,
    readonly log: ServiceLog,
    private readonly context: UnitContext,
  ) {
    this.policy = new RestartPolicy(definition.config, context.clock);
    this.healthStatus = definition.config.health ? 'unknown' : null;
    this.log.setSecrets(secretValues(definition.config.config, this.values()));
  }

  get target(): string {
    return `${this.namespace}/${this.name}`;
  }

  get config(): ServiceConfig {
    return this.definition.config;
  }

  get root(): string {
    return this.definition.root;
  }

  get state(): ServiceState {
    return this.currentState;
  }

  /** The process group to sample, while the service has a process. */
  get pgid(): number | null {
    return this.handle?.pid ?? null;
  }

  get fingerprint(): string {
    return definitionFingerprint(this.root, this.config);
  }

  isUp(): boolean {
    return this.handle !== null;
  }

  /** Neither up, nor waiting to start, nor waiting to restart. */
  isIdle(): boolean {
    return this.handle === null && this.pendingStart === null && this.currentState !== 'backoff';
  }

  satisfies(condition: DependencyCondition): boolean {
    if (condition === 'started') return this.handle !== null;
    return this.currentState === 'healthy' || (this.config.health === null && this.currentState === 'running');
  }

  /** Stored values with defaults, unmasked. */
  values(): Record<string, ConfigValue> {
    return effectiveValues(this.config.config, this.stored);
  }

  storedValues(): Record<string, ConfigValue> {
    return {...this.stored};
  }

  setStoredValues(stored: Record<string, ConfigValue>): void {
    this.stored = stored;
    this.log.setSecrets(secretValues(this.config.config, this.values()));
  }

  /** Takes a new definition; only while the service has no process (stop it first). */
  reconfigure(config: ServiceConfig, root: string): void {
    this.definition = {config, root};
    this.policy = new RestartPolicy(config, this.context.clock);
    this.healthStatus = config.health ? 'unknown' : null;
    this.log.setLimits(config.logs);
    this.log.setSecrets(secretValues(config.config, this.values()));
  }

  start(cause: StartCause): Promise<void> {
    return this.enqueue(async () => {
      if (this.handle !== null || this.pendingStart !== null) return;
      this.cancelRestartTimer();
      this.policy.reset();
      this.reason = null;
      this.pendingStart = cause;
      await this.startWhenReady();
    });
  }

  stop(cause: StopCause): Promise<void> {
    return this.enqueue(() => this.stopNow(cause, true));
  }

  restart(cause: StartCause): Promise<void> {
    return this.enqueue(async () => {
      this.context.audit('restart', {cause, pid: this.handle?.pid ?? null});
      await this.stopNow('restart', false);
      this.policy.reset();
      this.restarts++;
      this.pendingStart = cause;
      await this.startWhenReady();
    });
  }

  /** Takes over a process recorded by an earlier daemon; false when it is no longer that process. */
  adopt(record: PersistedProcess): Promise<boolean> {
    return this.enqueue(async () => {
      if (this.handle !== null || (await liveStartTime(record.pid)) !== record.startTime) return false;
      const environment = await this.environment();
      const handle = adoptProcess(record.pid, record.startTime, Date.parse(record.startedAt), this.context.clock);
      this.handle = handle;
      this.context.audit('adopt', {pid: record.pid});
      this.log.note(`adopted pid ${record.pid}, started by an earlier daemon: its output is not captured until it restarts`);
      this.watch(handle, environment);
      return true;
    });
  }

  /** A dependency changed: start now if this service was waiting and everything it needs is ready. */
  recheckDependencies(): void {
    if (this.pendingStart !== null) this.background(() => this.startWhenReady());
  }

  heartbeat(): void {
    this.lastHeartbeatAt = this.context.clock.now();
  }

  reportUsage(usage: ResourceUsage): void {
    if (this.handle === null) return;
    this.usage = usage;
    this.context.changed();
    const limit = this.config.maxMemoryBytes;
    if (limit !== null && usage.rssBytes > limit) {
      this.recover(this.handle, {kind: 'max_memory'}, `RSS ${formatSize(usage.rssBytes)} is over max_memory ${formatSize(limit)}`);
    }
  }

  snapshot(): ServiceSnapshot {
    const now = this.context.clock.now();
    const handle = this.handle;
    return {
      namespace: this.namespace,
      name: this.name,
      description: this.config.description,
      state: this.currentState,
      health: this.healthStatus,
      healthDetail: this.monitor?.detail ?? null,
      pid: handle?.pid ?? null,
      adopted: handle?.adopted ?? false,
      startedAt: handle ? new Date(handle.startedAt).toISOString() : null,
      uptimeMs: handle ? Math.max(0, now - handle.startedAt) : null,
      restarts: this.restarts,
      lastExit: this.lastExit,
      cpuPercent: this.usage?.cpuPercent ?? null,
      rssBytes: this.usage?.rssBytes ?? null,
      waitingFor: [...this.waitingFor],
      nextRestartAt: this.nextRestartAt === null ? null : new Date(this.nextRestartAt).toISOString(),
      reason: this.reason,
    };
  }

  private async startWhenReady(): Promise<void> {
    const cause = this.pendingStart;
    if (cause === null) return;
    const missing = this.context.unsatisfiedDependencies();
    if (missing.length > 0) {
      const changed = missing.join() !== this.waitingFor.join();
      this.waitingFor = missing;
      if (!this.setState('starting') && changed) this.context.changed();
      return;
    }
    this.pendingStart = null;
    this.waitingFor = [];
    await this.spawn(cause);
  }

  private async spawn(cause: StartCause): Promise<void> {
    this.cancelRestartTimer();
    this.setState('starting');
    let handle: ProcessHandle;
    let env: Record<string, string>;
    try {
      env = await this.environment();
      handle = await spawnService({argv: commandArgv(this.config.command), cwd: serviceCwd(this.root, this.config), env}, this.log, this.context.clock);
    } catch (error) {
      this.reason = `could not start: ${(error as Error).message}`;
      this.log.note(this.reason);
      this.context.audit('crash', {pid: null, error: this.reason});
      this.lastExit = {code: null, signal: null, at: this.isoNow()};
      this.settle({kind: 'exit', code: null, signal: null}, {});
      return;
    }
    this.handle = handle;
    this.usage = null;
    this.reason = null;
    await this.record(handle);
    this.context.audit('start', {pid: handle.pid, cause});
    this.log.note(`started pid ${handle.pid} (${cause})`);
    this.watch(handle, env);
  }

  /** The environment a start (and an exec probe or action) gets; rejects on an unreadable env_file. */
  environment(): Promise<Record<string, string>> {
    return serviceEnvironment({namespace: this.namespace, name: this.name, root: this.root, config: this.config, values: this.values(), extra: this.context.extraEnvironment()});
  }

  private watch(handle: ProcessHandle, env: Record<string, string>): void {
    this.lastHeartbeatAt = this.context.clock.now();
    const health = this.config.health;
    if (health) {
      this.healthStatus = 'unknown';
      const probeContext = {cwd: serviceCwd(this.root, this.config), env, lastHeartbeatAt: () => this.lastHeartbeatAt, now: () => this.context.clock.now()};
      this.monitor = new HealthMonitor(health, this.context.clock, (signal) => runProbe(health, probeContext, signal), (status, detail) => this.onHealth(handle, status, detail));
      this.monitor.start();
      if (!this.setState('starting')) this.context.changed();
    } else {
      this.setState('running');
      this.armStability();
    }
    void handle.ended.then((end) => this.background(() => this.onEnd(handle, end)));
  }

  private onHealth(handle: ProcessHandle, status: HealthStatus, detail: string): void {
    if (handle !== this.handle) return;
    this.context.audit('health', {from: this.healthStatus, to: status, detail});
    this.log.note(`health ${status}: ${detail}`);
    this.healthStatus = status;
    if (status === 'healthy') {
      this.reason = null;
      this.setState('healthy');
      this.armStability();
    } else if (status === 'unhealthy') {
      this.reason = detail;
      this.disarmStability();
      this.setState('unhealthy');
      if (this.config.restart !== 'never') this.recover(handle, {kind: 'unhealthy'}, detail);
    }
  }

  /** The process ended without being asked to. */
  private async onEnd(handle: ProcessHandle, end: ProcessEnd): Promise<void> {
    if (handle !== this.handle) return;
    this.detach(handle);
    this.lastExit = {...end, at: this.isoNow()};
    const cause: EndCause = {kind: 'exit', ...end};
    this.context.audit(isFailure(cause) ? 'crash' : 'exit', {pid: handle.pid, code: end.code, signal: end.signal});
    this.log.note(`pid ${handle.pid} ${describeEnd(end)}`);
    // Whatever it left running in its group goes too, before anything starts again.
    await stopProcessGroup(handle.pid, this.config.stopSignal, this.config.stopTimeoutMs);
    await this.forget();
    this.settle(cause, {});
  }

  /** Stops a live but failing process (unhealthy, over its memory limit), then applies the restart policy. */
  private recover(handle: ProcessHandle, cause: EndCause & {kind: 'unhealthy' | 'max_memory'}, detail: string): void {
    if (this.recovering) return;
    this.recovering = true;
    this.background(async () => {
      if (handle !== this.handle) return;
      this.log.note(`stopping pid ${handle.pid}: ${detail}`);
      const {forced} = await this.terminate(handle);
      this.context.audit('stop', {pid: handle.pid, cause: cause.kind, detail, forced});
      await this.forget();
      this.settle(cause, {detail});
    });
  }

  private async stopNow(cause: StopCause, audit: boolean): Promise<void> {
    this.cancelRestartTimer();
    this.pendingStart = null;
    this.waitingFor = [];
    const handle = this.handle;
    if (handle === null) {
      this.setState('stopped');
      return;
    }
    this.log.note(`stopping pid ${handle.pid} (${cause})`);
    const {forced} = await this.terminate(handle);
    await this.forget();
    if (audit) this.context.audit('stop', {pid: handle.pid, cause, forced, code: this.lastExit?.code ?? null, signal: this.lastExit?.signal ?? null});
    this.log.note(`stopped pid ${handle.pid}${forced ? `: SIGKILL after stop_timeout (${formatDuration(this.config.stopTimeoutMs)})` : ''}`);
    this.setState('stopped');
  }

  /** Stops the whole group and records how the main process ended. */
  private async terminate(handle: ProcessHandle): Promise<{forced: boolean}> {
    this.detach(handle);
    const result = await stopProcessGroup(handle.pid, this.config.stopSignal, this.config.stopTimeoutMs);
    const end = await Promise.race([handle.ended, delay(END_REPORT_WAIT_MS, {code: null, signal: null})]);
    handle.release();
    this.lastExit = {...end, at: this.isoNow()};
    return result;
  }

  /** Applies the restart policy after an unrequested end. */
  private settle(cause: EndCause, details: Record<string, unknown>): void {
    const decision = this.policy.decide(cause);
    if (decision.kind === 'exited') {
      this.setState('exited');
      return;
    }
    if (decision.kind === 'failed') {
      this.reason = decision.reason;
      this.log.note(`failed: ${decision.reason}; start it again once fixed`);
      this.context.audit('failed', {reason: decision.reason});
      this.setState('failed');
      return;
    }
    const because = cause.kind === 'exit' ? (isFailure(cause) ? 'crash' : 'exit') : cause.kind;
    this.context.audit('restart', {cause: because, delayMs: decision.delayMs, attempt: decision.attempt, ...details});
    this.log.note(`restarting in ${formatDuration(decision.delayMs)} (attempt ${decision.attempt})`);
    this.nextRestartAt = this.context.clock.now() + decision.delayMs;
    this.setState('backoff');
    this.cancelRestart = this.context.clock.schedule(decision.delayMs, () => {
      this.cancelRestart = null;
      this.background(async () => {
        if (this.currentState !== 'backoff' || this.handle !== null) return;
        this.restarts++;
        await this.spawn('restart');
      });
    });
  }

  private detach(handle: ProcessHandle): void {
    if (this.handle !== handle) return;
    this.handle = null;
    this.monitor?.stop();
    this.monitor = null;
    this.healthStatus = this.config.health ? 'unknown' : null;
    this.disarmStability();
    this.usage = null;
    this.recovering = false;
  }

  private async record(handle: ProcessHandle): Promise<void> {
    if (handle.startTime === null) return;
    const record = {namespace: this.namespace, name: this.name, pid: handle.pid, startTime: handle.startTime, startedAt: new Date(handle.startedAt).toISOString(), fingerprint: this.fingerprint};
    try {
      await this.context.persistence.saveProcess(record);
    } catch (error) {
      this.log.note(`could not record pid ${handle.pid}; a restarted daemon will not recognise it: ${(error as Error).message}`);
    }
  }

  private async forget(): Promise<void> {
    try {
      await this.context.persistence.removeProcess(this.namespace, this.name);
    } catch (error) {
      this.log.note(`could not clear the recorded pid: ${(error as Error).message}`);
    }
  }

  /** Running (and healthy, when probed) for min_uptime resets the backoff. */
  private armStability(): void {
    this.disarmStability();
    this.cancelStable = this.context.clock.schedule(this.config.minUptimeMs, () => this.policy.markStable());
  }

  private disarmStability(): void {
    this.cancelStable?.();
    this.cancelStable = null;
  }

  private cancelRestartTimer(): void {
    this.cancelRestart?.();
    this.cancelRestart = null;
    this.nextRestartAt = null;
  }

  /** Returns true when the state changed (and was reported). */
  private setState(state: ServiceState): boolean {
    if (state === this.currentState) return false;
    this.currentState = state;
    if (state !== 'backoff') this.nextRestartAt = null;
    this.context.changed();
    return true;
  }

  private isoNow(): string {
    return new Date(this.context.clock.now()).toISOString();
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Queued work nobody awaits: a failure is noted in the service log rather than lost. */
  private background(task: () => Promise<void>): void {
    this.enqueue(task).catch((error: unknown) => this.log.note(`supervisor error: ${(error as Error).message}`));
  }
}

function describeEnd(end: ProcessEnd): string {
  if (end.signal) return `was killed by ${end.signal}`;
  if (end.code === null) return 'ended (exit status unknown: it was adopted)';
  return `exited with code ${end.code}`;
}
