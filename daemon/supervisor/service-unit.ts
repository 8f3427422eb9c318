/**
 * One declared service and its lifecycle: start, watch, end, restart per policy, stop. Every
 * change of lifecycle runs through one queue, so an exit arriving while an operator stops
 * the service, or a probe failing during a restart, is handled once and in order.
 */
import {stat} from 'node:fs/promises';
import type {ConfigValue, DependencyCondition, ServiceConfig} from '../../src/config/services.js';
import {formatDuration} from '../../src/lib/duration.js';
import {AGENT_ENVIRONMENT} from '../../src/protocol/agent-limits.js';
import {newAgentToken} from './agent-token.js';
import {DAEMON_ACTOR} from '../core/audit-log.js';
import type {Clock} from '../core/clock.js';
import {liveStartTime} from './proc-stat.js';
import {forgetProcess, recordProcess} from './process-records.js';
import {capturePaths, OutputCapture, processKey, resumeOffsets} from './output-capture.js';
import {adoptProcess, spawnService, type ProcessEnd, type ProcessHandle} from './process-handle.js';
import type {ResourceUsage} from './resource-sampler.js';
import {shellFailure, spawnFailure} from './launch-failure.js';
import {isFailure, type EndCause} from './restart-policy.js';
import {RestartSchedule} from './restart-schedule.js';
import {ServiceWatcher} from './service-watcher.js';
import type {WatchBurst} from './watch-trigger.js';
import {SerialQueue} from '../core/serial-queue.js';
import type {ServiceDefinition} from './service-definition.js';
import type {ServiceLog} from './service-log.js';
import {describeEnd, ServiceRun, type RunObserver} from './service-run.js';
import {RemoteRun, type RemoteObserver} from './remote-run.js';
import type {AuditKind, HealthStatus, PersistedProcess, ProcessExit, RemotePresence, ReportedHealth, ServiceSnapshot, ServiceState, SupervisorPersistence} from './types.js';

/** Former secret values kept masked while the process that may hold them runs. */
const MAX_FORMER_SECRETS = 16;

/** `scale`: the instance is beyond the new count (stop), or new (start); `watch`: a file its `watch` names changed. */
export type StartCause = 'autostart' | 'operator' | 'dependency' | 'restart' | 'reload' | 'config' | 'scale' | 'watch';
export type StopCause = 'operator' | 'removed' | 'reload' | 'shutdown' | 'restart' | 'scale';

export interface UnitContext {
  readonly clock: Clock;
  readonly persistence: SupervisorPersistence;
  /** What the persistence says of an operator's stop when the unit is created (say, by a restarted daemon). */
  readonly stoppedByOperator: boolean;
  /** Directories never watched, whatever the service's `watch` says (see ServiceWatcher). */
  readonly unwatched: readonly string[];
  /** `actor`: who asked (an operator's request); the daemon's own decisions leave it out. */
  audit(kind: AuditKind, details: Record<string, unknown>, actor?: string): void;
  /** State, health, pid or usage changed. */
  changed(): void;
  /** The dependencies not yet in the state this service waits for. */
  unsatisfiedDependencies(): string[];
}

export class ServiceUnit {
  private currentState: ServiceState = 'stopped';
  private run: ServiceRun | null = null;
  /** The run being stopped: its process is still there (`stopping`), though nothing it reports is acted on. */
  private stoppingRun: ServiceRun | null = null;
  /** A remote service's connected agent (its `run`, in a way: the daemon owns no process of it). */
  private remoteRun: RemoteRun | null = null;
  /** The remote agent's last connection, kept to show where it was last seen. */
  private lastPresence: RemotePresence | null = null;
  private readonly schedule: RestartSchedule;
  /** Set while a start waits for dependencies: why, and who asked. */
  private pendingStart: {cause: StartCause; actor: string} | null = null;
  private waitingFor: string[] = [];
  private restarts = 0;
  private lastExit: ProcessExit | null = null;
  private reason: string | null = null;
  /** Secret values changed while the process ran (live, or before a restart): it may still print them. */
  private formerSecrets: string[] = [];
  /** An operator stopped it: only an operator's start lifts that (kept in the persistence, so across daemon restarts). */
  private operatorStopped: boolean;
  private readonly queue = new SerialQueue();
  private readonly watcher: ServiceWatcher;
  private readonly observer: RunObserver = {
    healthChanged: (run, from, to, detail) => this.onHealth(run, from, to, detail),
    ended: (run, end) => this.background(() => this.onEnd(run, end)),
    overMemory: (run, detail) => this.recover(run, {kind: 'max_memory'}, detail),
    usageChanged: () => this.context.changed(),
  };
  private readonly remoteObserver: RemoteObserver = {
    healthChanged: (run, from, to, detail) => this.background(async () => this.onRemoteHealth(run, from, to, detail)),
    lost: (run, detail) => this.background(async () => this.onRemoteLost(run, detail)),
  };

  constructor(
    readonly definition: ServiceDefinition,
    readonly log: ServiceLog,
    private readonly context: UnitContext,
  ) {
    this.schedule = new RestartSchedule(definition.config, context.clock);
    this.operatorStopped = context.stoppedByOperator;
    this.log.setSecrets(definition.secrets());
    this.watcher = new ServiceWatcher(
      context.clock,
      context.unwatched,
      (burst) => this.restartForChanges(burst).catch((error: unknown) => this.log.note(`supervisor error: ${(error as Error).message}`)),
      (text) => this.log.note(text),
    );
    this.syncWatcher();
  }

  get config(): ServiceConfig {
    return this.definition.config;
  }

  get state(): ServiceState {
    return this.currentState;
  }

  /** SHA-256 of the agent token of the running process; undefined while there is none (or it was adopted without one). */
  get agentTokenHash(): string | undefined {
    return this.run?.agentTokenHash;
  }

  /** The process group to sample, while the service has a process. */
  get pgid(): number | null {
    return this.run?.pid ?? null;
  }

  /** An operator stopped it, and no operator has started it since. */
  get stoppedByOperator(): boolean {
    return this.operatorStopped;
  }

  isUp(): boolean {
    return this.run !== null || this.remoteRun !== null;
  }

  /** Neither up, nor waiting to start, nor waiting to restart. */
  isIdle(): boolean {
    return !this.isUp() && this.pendingStart === null && this.currentState !== 'backoff';
  }

  satisfies(condition: DependencyCondition): boolean {
    if (condition === 'started') return this.isUp();
    return this.currentState === 'healthy' || (this.config.health === null && this.currentState === 'running');
  }

  /** Every value to mask in what the service prints and in what is recorded about it. */
  secrets(): string[] {
    return [...this.definition.secrets(), ...this.formerSecrets];
  }

  setStoredValues(stored: Record<string, ConfigValue>): void {
    const before = this.definition.secrets();
    this.definition.setStoredValues(stored);
    if (this.run !== null) {
      const current = this.definition.secrets();
      this.formerSecrets = [...new Set([...before, ...this.formerSecrets])].filter((secret) => !current.includes(secret)).slice(0, MAX_FORMER_SECRETS);
    }
    this.log.setSecrets(this.secrets());
  }

  /** The service now runs `count` instances: this one may be named otherwise (`api` ↔ `api#0`), which is told as a change. */
  setInstances(count: number): void {
    if (this.definition.instances === count) return;
    this.definition.instances = count;
    this.context.changed();
  }

  /** Takes a new definition; only while the service has no process (stop it first). */
  reconfigure(config: ServiceConfig, root: string): void {
    this.definition.replace(config, root);
    this.schedule.reconfigure(config);
    this.log.setLimits(config.logs);
    this.log.setSecrets(this.definition.secrets());
    this.syncWatcher();
  }

  /** Takes a definition that differs from the current one at most in what it watches (the same fingerprint): the process runs on. */
  redeclare(config: ServiceConfig, root: string): void {
    this.definition.replace(config, root);
    this.syncWatcher();
  }

  /** No change of a file restarts it from now on (a restart already decided still runs). */
  stopWatching(): Promise<void> {
    return this.watcher.close();
  }

  /** The service is no longer declared (or the daemon stops): its watcher and log close. */
  async close(): Promise<void> {
    await this.stopWatching();
    this.log.close();
  }

  /**
   * Starts the service, unless an operator stopped it and this start is not an operator's:
   * `byOperator` also holds for a dependency started because an operator started its dependent.
   */
  start(cause: StartCause, actor = DAEMON_ACTOR, byOperator = cause === 'operator'): Promise<void> {
    if (this.operatesNothing(cause)) return Promise.resolve();
    return this.enqueue(async () => {
      if (!(await this.mayStart(byOperator))) return;
      if (this.run !== null || this.pendingStart !== null) return;
      this.schedule.cancelRestart();
      this.schedule.reset();
      this.reason = null;
      this.pendingStart = {cause, actor};
      await this.startWhenReady();
    });
  }

  stop(cause: StopCause, actor = DAEMON_ACTOR): Promise<void> {
    if (this.operatesNothing(cause)) return Promise.resolve();
    return this.enqueue(async () => {
      // Recorded before the process goes, so a daemon killed mid-stop does not start it again.
      if (cause === 'operator') await this.recordStoppedByOperator(true);
      // An instance scaled away is gone: one added again later starts afresh.
      if (cause === 'scale') await this.recordStoppedByOperator(false);
      // A stop on the way to a restart is told by the restart's own event.
      await this.stopNow(cause, cause === 'restart' ? null : actor);
    });
  }

  /** Stops the process if there is one and starts a new one: one restart, whether or not it was running. */
  restart(cause: StartCause, actor = DAEMON_ACTOR, byOperator = cause === 'operator'): Promise<void> {
    if (this.operatesNothing(cause)) return Promise.resolve();
    return this.enqueue(() => this.restartNow(cause, actor, {}, byOperator));
  }

  /**
   * The daemon owns no process of a remote service: an operator's start, stop or restart of its
   * project leaves it as it is (the supervisor refuses one of the service itself, saying so).
   */
  private operatesNothing(cause: StartCause | StopCause): boolean {
    return this.config.remote && (cause === 'operator' || cause === 'restart' || cause === 'config');
  }

  /**
   * The daemon goes and the process stays (live restore): stops watching it and keeps its
   * record, for the next daemon to adopt. A restart waiting in backoff is left to that daemon.
   */
  leave(): Promise<void> {
    return this.enqueue(async () => {
      this.schedule.cancelRestart();
      this.pendingStart = null;
      this.endRemote();
      const run = this.run;
      if (run === null) return;
      this.detach();
      run.leave();
      this.log.note(`left pid ${run.pid} running for the next daemon`);
    });
  }

  /**
   * Files its `watch` names changed: an ordinary restart (audited with the files, counted in
   * `restarts`), of a service that is up or that ended (exited, failed, in backoff).
   * A stopped one stays stopped: by an operator, a reload or a shutdown (decided here, in the
   * queue, so a change seen just before a stop does not start the service after it).
   */
  private restartForChanges(burst: WatchBurst): Promise<void> {
    return this.enqueue(async () => {
      if (this.currentState === 'stopped') return;
      this.log.note(`changed: ${burst.files.join(', ')}${burst.changes > 1 ? ` (${burst.changes} changes)` : ''}; restarting`);
      await this.restartNow('watch', DAEMON_ACTOR, {files: burst.files, changes: burst.changes});
    });
  }

  private async restartNow(cause: StartCause, actor: string, details: Record<string, unknown>, byOperator = cause === 'operator'): Promise<void> {
    if (!(await this.mayStart(byOperator))) return;
    this.context.audit('restart', {cause, pid: this.run?.pid ?? null, ...details}, actor);
    await this.stopNow('restart', null);
    this.schedule.reset();
    this.restarts++;
    this.pendingStart = {cause, actor};
    await this.startWhenReady();
  }

  /** Takes over a process recorded by an earlier daemon; false when it is no longer that process. */
  adopt(record: PersistedProcess): Promise<boolean> {
    return this.enqueue(async () => {
      if (this.run !== null || (await liveStartTime(record.pid)) !== record.startTime) return false;
      const environment = await this.definition.environment();
      this.context.audit('adopt', {pid: record.pid});
      // What it printed while no daemon ran is in its capture files, read on from where the last daemon stopped (found before this note adds a line).
      const paths = capturePaths(this.log.file);
      const key = processKey(record.pid, record.startTime);
      const from = record.captured ? resumeOffsets(paths, key, this.log.lastSeq()) : null;
      this.log.note(`adopted pid ${record.pid}, started by an earlier daemon${from ? '' : ': its output went to pipes that closed with that daemon, so it is not captured until it restarts'}`);
      if (record.agentTokenHash === undefined) this.log.note(`pid ${record.pid} was started before agent tokens were given per launch: an agent it embeds cannot register until it restarts`);
      const capture = from ? new OutputCapture(paths, key, this.log, from) : null;
      this.watch(adoptProcess(record.pid, record.startTime, Date.parse(record.startedAt), this.context.clock, capture), record.agentTokenHash, environment);
      return true;
    });
  }

  /** A dependency changed: start now if this service was waiting and everything it needs is ready. */
  recheckDependencies(): void {
    if (this.pendingStart !== null) this.background(() => this.startWhenReady());
  }

  heartbeat(health?: ReportedHealth): void {
    this.run?.heartbeat(health);
    // So that `services`, the tree and the dashboard show the last beat as it is, give or take ANNOUNCE_BEAT_MS.
    if (this.remoteRun?.heartbeat(health)) this.context.changed();
  }

  /** A remote service's agent registered: it is watched through its heartbeats from now on. */
  remoteConnected(presence: RemotePresence): Promise<void> {
    return this.enqueue(async () => {
      this.endRemote();
      this.pendingStart = null;
      this.lastPresence = presence;
      this.log.note(`agent connected from ${presence.address} (pid ${presence.pid} there${presence.version === null ? '' : `, version ${presence.version}`})`);
      this.watchRemote(presence);
    });
  }

  /** `starting` until its first heartbeat probe passes, as a probed process would be. */
  private watchRemote(presence: RemotePresence): void {
    this.reason = null;
    this.remoteRun = new RemoteRun(presence, this.definition.health ?? this.config.health!, this.context.clock, this.remoteObserver);
    if (!this.setState('starting')) this.context.changed();
  }

  /** A remote service's agent went away (`reason`: its connection closed, its token was revoked …). */
  remoteDisconnected(reason: string): Promise<void> {
    return this.enqueue(async () => {
      if (this.remoteRun === null) return;
      this.endRemote();
      if (this.currentState === 'stopped') return;
      this.reason = `its agent disconnected: ${reason}`;
      this.log.note(this.reason);
      this.setState('lost');
    });
  }

  reportUsage(usage: ResourceUsage): void {
    this.run?.reportUsage(usage);
  }

  snapshot(): ServiceSnapshot {
    const run = this.run ?? this.stoppingRun;
    const remote = this.remoteRun;
    return {
      namespace: this.definition.namespace,
      name: this.definition.label,
      instance: this.definition.instance,
      instances: this.definition.instances,
      description: this.config.description,
      command: this.definition.resolved.command,
      state: this.currentState,
      health: remote ? remote.healthStatus : run ? run.health : this.config.health ? 'unknown' : null,
      healthDetail: remote?.healthDetail ?? run?.healthDetail ?? null,
      pid: run?.pid ?? null,
      adopted: run?.handle.adopted ?? false,
      startedAt: remote ? remote.presence.connectedAt : run ? new Date(run.handle.startedAt).toISOString() : null,
      uptimeMs: remote ? Math.max(0, this.context.clock.now() - remote.connectedAt) : run ? Math.max(0, this.context.clock.now() - run.handle.startedAt) : null,
      restarts: this.restarts,
      lastExit: this.lastExit,
      cpuPercent: run?.usage?.cpuPercent ?? null,
      rssBytes: run?.usage?.rssBytes ?? null,
      waitingFor: [...this.waitingFor],
      nextRestartAt: this.schedule.nextRestartAt === null ? null : new Date(this.schedule.nextRestartAt).toISOString(),
      reason: this.reason,
      remote: this.config.remote ? {connected: remote !== null, presence: this.lastPresence, lastHeartbeatAt: remote ? new Date(remote.lastHeard).toISOString() : null} : null,
    };
  }

  private syncWatcher(): void {
    this.watcher.sync({watch: this.config.watch, cwd: this.definition.cwd, root: this.definition.root});
  }

  /** The one rule of an operator's stop: it holds against every start but an operator's, which lifts it. */
  private async mayStart(byOperator: boolean): Promise<boolean> {
    if (!this.operatorStopped) return true;
    if (!byOperator) return false;
    await this.recordStoppedByOperator(false);
    return true;
  }

  private async recordStoppedByOperator(stopped: boolean): Promise<void> {
    if (this.operatorStopped === stopped) return;
    this.operatorStopped = stopped;
    try {
      await this.context.persistence.saveStoppedByOperator(this.definition.namespace, this.definition.key, stopped);
    } catch (error) {
      this.log.note(`could not record the operator's ${stopped ? 'stop' : 'start'}; a restarted daemon will not know of it: ${(error as Error).message}`);
    }
  }

  private async startWhenReady(): Promise<void> {
    const pending = this.pendingStart;
    if (pending === null) return;
    const missing = this.context.unsatisfiedDependencies();
    if (missing.length > 0) {
      const changed = missing.join() !== this.waitingFor.join();
      this.waitingFor = missing;
      if (!this.setState('starting') && changed) this.context.changed();
      return;
    }
    this.pendingStart = null;
    this.waitingFor = [];
    await this.spawn(pending.cause, pending.actor);
  }

  private async spawn(cause: StartCause, actor: string): Promise<void> {
    if (this.config.remote) {
      // Nothing to start here: the service runs elsewhere, and is up once its agent connects.
      const connected = this.remoteRun?.presence;
      this.endRemote();
      if (connected) this.watchRemote(connected);
      else {
        this.reason = `waiting for its agent to connect (\`capsule service token ${this.definition.serviceTarget}\` gives it a token)`;
        if (!this.setState('starting')) this.context.changed();
      }
      return;
    }
    // Declared remote before, local now: its agent is no longer what the service is.
    this.endRemote();
    this.formerSecrets = [];
    this.log.setSecrets(this.secrets());
    this.schedule.cancelRestart();
    this.setState('starting');
    const missing = this.definition.missingConfig();
    if (missing.length > 0) {
      // Restarting cannot fill them in: only `capsule config set` (or a default in capsule.toml) can.
      const {serviceTarget} = this.definition;
      this.lastExit = null;
      this.fail(`no value for config ${missing.join(', ')} (referenced as {config.${missing[0]}}): set it with \`capsule config set ${serviceTarget} ${missing[0]} VALUE\``, {pid: null});
      return;
    }
    let handle: ProcessHandle;
    let env: Record<string, string>;
    // The token goes to the service's process (and what it starts) only: probes and actions get `env` without it.
    const agentToken = newAgentToken();
    try {
      env = await this.definition.environment();
      handle = await spawnService({argv: this.definition.argv, cwd: this.definition.cwd, env: {...env, [AGENT_ENVIRONMENT.token]: agentToken.token}}, capturePaths(this.log.file), this.log, this.context.clock);
    } catch (error) {
      const {argv, cwd} = this.definition;
      const failure = spawnFailure(error, argv[0]!, cwd, await isDirectory(cwd));
      if (failure !== null) {
        // No process ever ran: there is no exit to show, and nothing to restart until the declaration changes.
        this.lastExit = null;
        this.fail(failure, {pid: null, error: (error as Error).message});
        return;
      }
      this.reason = `could not start: ${(error as Error).message}`;
      this.log.note(this.reason);
      this.context.audit('crash', {pid: null, error: this.reason});
      this.lastExit = {code: null, signal: null, at: this.isoNow()};
      this.settle({kind: 'exit', code: null, signal: null}, {});
      return;
    }
    this.reason = null;
    await recordProcess(this.context.persistence, this.definition, handle, agentToken.hash, this.log);
    this.context.audit('start', {pid: handle.pid, cause}, actor);
    this.log.note(`started pid ${handle.pid} (${cause})`);
    this.watch(handle, agentToken.hash, env);
  }

  private watch(handle: ProcessHandle, agentTokenHash: string | undefined, env: Record<string, string>): void {
    // The instance's own probe: `{port}` and `{instance}` are its.
    this.run = new ServiceRun(handle, agentTokenHash, {...this.config, health: this.definition.health}, {cwd: this.definition.cwd, env}, this.context.clock, this.observer);
    if (this.config.health) {
      // Probed services stay `starting` until the first probe passes.
      if (!this.setState('starting')) this.context.changed();
    } else {
      this.setState('running');
      this.schedule.armStability();
    }
  }

  private onHealth(run: ServiceRun, from: HealthStatus, to: HealthStatus, detail: string): void {
    if (run !== this.run) return;
    this.context.audit('health', {from, to, detail});
    this.log.note(`health ${to}: ${detail}`);
    if (to === 'healthy') {
      this.reason = null;
      this.setState('healthy');
      this.schedule.armStability();
    } else if (to === 'unhealthy') {
      this.reason = detail;
      this.schedule.disarmStability();
      this.setState('unhealthy');
      if (this.config.restart !== 'never') this.recover(run, {kind: 'unhealthy'}, detail);
    }
  }

  /** The process ended without being asked to. */
  private async onEnd(run: ServiceRun, end: ProcessEnd): Promise<void> {
    if (run !== this.run) return;
    this.detach();
    this.lastExit = {...end, at: this.isoNow()};
    const cause: EndCause = {kind: 'exit', ...end};
    this.context.audit(isFailure(cause) ? 'crash' : 'exit', {pid: run.pid, code: end.code, signal: end.signal});
    this.log.note(`pid ${run.pid} ${describeEnd(end)}`);
    // Whatever it left running in its group goes too, before anything starts again.
    await run.terminate();
    await forgetProcess(this.context.persistence, this.definition, this.log);
    const failure = this.definition.runByShell ? shellFailure(end, run.handle.firstStderrLine()) : null;
    if (failure !== null) this.fail(failure, {pid: run.pid, code: end.code});
    else this.settle(cause, {});
  }

  /** Stops a live but failing process (unhealthy, over its memory limit), then applies the restart policy. */
  private recover(run: ServiceRun, cause: EndCause & {kind: 'unhealthy' | 'max_memory'}, detail: string): void {
    this.background(async () => {
      if (run !== this.run) return;
      this.log.note(`stopping pid ${run.pid}: ${detail}`);
      const {forced} = await this.terminate(run);
      this.context.audit('stop', {pid: run.pid, cause: cause.kind, detail, forced});
      this.settle(cause, {detail});
    });
  }

  /** `actor`: who asked, to audit the stop; null: part of something audited already (a restart). */
  private async stopNow(cause: StopCause, actor: string | null): Promise<void> {
    this.schedule.cancelRestart();
    this.pendingStart = null;
    this.waitingFor = [];
    // A new declaration (a reload, a restart) does not disconnect a remote agent: it is watched again as declared once started.
    if (cause === 'removed' || cause === 'shutdown') this.endRemote();
    const run = this.run;
    if (run === null) {
      this.setState('stopped');
      return;
    }
    this.log.note(`stopping pid ${run.pid} (${cause})`);
    const {forced} = await this.terminate(run);
    if (actor !== null) this.context.audit('stop', {pid: run.pid, cause, forced, code: this.lastExit?.code ?? null, signal: this.lastExit?.signal ?? null}, actor);
    this.log.note(`stopped pid ${run.pid}${forced ? `: SIGKILL after stop_timeout (${formatDuration(this.config.stopTimeoutMs)})` : ''}`);
    this.setState('stopped');
  }

  /** Stops the run's whole group (`stopping` meanwhile, its pid shown), records how it ended and forgets its pid. */
  private async terminate(run: ServiceRun): Promise<{forced: boolean}> {
    this.detach();
    this.stoppingRun = run;
    this.setState('stopping');
    let ended: Awaited<ReturnType<ServiceRun['terminate']>>;
    try {
      ended = await run.terminate();
    } finally {
      this.stoppingRun = null;
    }
    const {forced, end} = ended;
    this.lastExit = {...end, at: this.isoNow()};
    await forgetProcess(this.context.persistence, this.definition, this.log);
    return {forced};
  }

  /** Applies the restart policy after an unrequested end. */
  private settle(cause: EndCause, details: Record<string, unknown>): void {
    const decision = this.schedule.decide(cause);
    if (decision.kind === 'exited') {
      this.setState('exited');
      return;
    }
    if (decision.kind === 'failed') {
      this.fail(decision.reason, {});
      return;
    }
    const because = cause.kind === 'exit' ? (isFailure(cause) ? 'crash' : 'exit') : cause.kind;
    this.context.audit('restart', {cause: because, delayMs: decision.delayMs, attempt: decision.attempt, ...details});
    this.log.note(`restarting in ${formatDuration(decision.delayMs)} (attempt ${decision.attempt})`);
    this.schedule.scheduleRestart(decision.delayMs, () =>
      this.background(async () => {
        if (this.currentState !== 'backoff' || this.run !== null) return;
        this.restarts++;
        await this.spawn('restart', DAEMON_ACTOR);
      }),
    );
    this.setState('backoff');
  }

  /** `failed` until an operator starts it again (or a reload changes it). */
  private fail(reason: string, details: Record<string, unknown>): void {
    this.reason = reason;
    this.log.note(`failed: ${reason}; start it again once fixed`);
    this.context.audit('failed', {reason, ...details});
    this.setState('failed');
  }

  private onRemoteHealth(run: RemoteRun, from: HealthStatus, to: HealthStatus, detail: string): void {
    if (run !== this.remoteRun || this.currentState === 'stopped') return;
    this.context.audit('health', {from, to, detail});
    this.log.note(`health ${to}: ${detail}`);
    // Nothing to restart: the daemon does not own the process. It is shown as it is.
    if (to === 'healthy') {
      this.reason = null;
      if (!this.setState('healthy')) this.context.changed();
    } else if (to === 'unhealthy' && !run.isSilent) {
      this.reason = detail;
      this.setState('unhealthy');
    }
  }

  private onRemoteLost(run: RemoteRun, detail: string): void {
    if (run !== this.remoteRun || this.currentState === 'stopped') return;
    this.reason = detail;
    this.context.audit('health', {from: this.currentState, to: 'lost', detail});
    this.log.note(`lost: ${detail}`);
    this.setState('lost');
  }

  private endRemote(): void {
    this.remoteRun?.stop();
    this.remoteRun = null;
  }

  /** Drops the current run: from here on nothing it reports is acted on. */
  private detach(): void {
    this.run = null;
    this.schedule.disarmStability();
  }

  /** Returns true when the state changed (and was reported). */
  private setState(state: ServiceState): boolean {
    if (state === this.currentState) return false;
    this.currentState = state;
    this.context.changed();
    return true;
  }

  private isoNow(): string {
    return new Date(this.context.clock.now()).toISOString();
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(task);
  }

  /** Queued work nobody awaits: a failure is noted in the service log rather than lost. */
  private background(task: () => Promise<void>): void {
    this.enqueue(task).catch((error: unknown) => this.log.note(`supervisor error: ${(error as Error).message}`));
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}
