/**
 * One process lifetime of a service: the process, its health probing, heartbeats and sampled
 * usage. It reports what it sees; the ServiceUnit that owns it decides what follows.
 */
import {setTimeout as delay} from 'node:timers/promises';
import type {ServiceConfig} from '../../src/config/services.js';
import {formatSize} from '../../src/lib/size.js';
import type {Clock} from '../core/clock.js';
import {HealthMonitor} from './health-monitor.js';
import {runProbe} from './health-probes.js';
import {KILL_WAIT_MS, stopProcessGroup} from './process-group.js';
import type {ProcessEnd, ProcessHandle} from './process-handle.js';
import type {ResourceUsage} from './resource-sampler.js';
import type {HealthStatus, ReportedHealth} from './types.js';

/** How long a stopped group's leader may take to be reported ended once the group is gone. */
const END_REPORT_WAIT_MS = 2_000;

/** The longest terminate() may take: stop_signal's stop_timeout, then SIGKILL's wait, then the end's report. */
export function longestTerminateMs(config: Pick<ServiceConfig, 'stopTimeoutMs'>): number {
  return config.stopTimeoutMs + KILL_WAIT_MS + END_REPORT_WAIT_MS;
}

export interface RunObserver {
  healthChanged(run: ServiceRun, from: HealthStatus, to: HealthStatus, detail: string): void;
  /** The main process ended without being asked to. */
  ended(run: ServiceRun, end: ProcessEnd): void;
  overMemory(run: ServiceRun, detail: string): void;
  usageChanged(): void;
}

export class ServiceRun {
  private status: HealthStatus | null;
  private readonly monitor: HealthMonitor | null = null;
  private sampled: ResourceUsage | null = null;
  private lastHeartbeatAt: number;
  private reportedHealth: ReportedHealth | null = null;
  private watching = true;
  private overMemoryReported = false;

  constructor(
    readonly handle: ProcessHandle,
    /** SHA-256 of the token this launch was given: its agent registers with it. Undefined for a process adopted from a record without one. */
    readonly agentTokenHash: string | undefined,
    private readonly config: ServiceConfig,
    probeEnvironment: {cwd: string; env: Record<string, string>},
    private readonly clock: Clock,
    private readonly observer: RunObserver,
  ) {
    this.lastHeartbeatAt = clock.now();
    const health = config.health;
    this.status = health ? 'unknown' : null;
    if (health) {
      const context = {...probeEnvironment, lastHeartbeatAt: () => this.lastHeartbeatAt, reportedHealth: () => this.reportedHealth, now: () => clock.now()};
      this.monitor = new HealthMonitor(health, clock, (signal) => runProbe(health, context, signal), (status, detail) => this.onHealth(status, detail));
      this.monitor.start(handle.adopted);
    }
    void handle.ended.then((end) => {
      if (this.watching) observer.ended(this, end);
    });
  }

  get pid(): number {
    return this.handle.pid;
  }

  /** null: no probe is declared. */
  get health(): HealthStatus | null {
    return this.status;
  }

  get healthDetail(): string | null {
    return this.monitor?.detail ?? null;
  }

  get usage(): ResourceUsage | null {
    return this.sampled;
  }

  /** `health` replaces what was reported before; omitted, the last report stands. */
  heartbeat(health?: ReportedHealth): void {
    this.lastHeartbeatAt = this.clock.now();
    if (health) this.reportedHealth = health;
  }

  reportUsage(usage: ResourceUsage): void {
    if (!this.watching) return;
    const previous = this.sampled;
    this.sampled = usage;
    // Told only when it changed: an idle service's usage stays the same, sample after sample,
    // and each change is a state event to every subscriber (500 services: 250 events a second).
    if (previous?.cpuPercent !== usage.cpuPercent || previous.rssBytes !== usage.rssBytes) this.observer.usageChanged();
    const limit = this.config.maxMemoryBytes;
    if (limit !== null && usage.rssBytes > limit && !this.overMemoryReported) {
      this.overMemoryReported = true;
      this.observer.overMemory(this, `RSS ${formatSize(usage.rssBytes)} is over max_memory ${formatSize(limit)}`);
    }
  }

  /**
   * Stops watching, stops the whole process group (stop_signal, then SIGKILL after
   * stop_timeout) and says how the main process ended. Also clears what a process that
   * already ended left running in its group.
   */
  async terminate(): Promise<{forced: boolean; end: ProcessEnd}> {
    this.watching = false;
    this.monitor?.stop();
    const {forced} = await stopProcessGroup(this.pid, this.config.stopSignal, this.config.stopTimeoutMs);
    const end = await Promise.race([this.handle.ended, delay(END_REPORT_WAIT_MS, {code: null, signal: null})]);
    this.handle.release();
    return {forced, end};
  }

  /** Stops watching and leaves the process running, for the next daemon to adopt. */
  leave(): void {
    this.watching = false;
    this.monitor?.stop();
    this.handle.leave();
  }

  private onHealth(status: HealthStatus, detail: string): void {
    if (!this.watching) return;
    const from = this.status ?? 'unknown';
    this.status = status;
    this.observer.healthChanged(this, from, status, detail);
  }
}

export function describeEnd(end: ProcessEnd): string {
  if (end.signal) return `was killed by ${end.signal}`;
  if (end.code === null) return 'ended (exit status unknown: it was adopted)';
  return `exited with code ${end.code}`;
}
