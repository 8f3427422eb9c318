/**
 * A remote service's presence: its agent's connection from another machine, watched through its
 * heartbeats. The daemon owns no process here: ending a RemoteRun ends only the watching.
 */
import type {HealthConfig} from '../../src/config/services.js';
import type {Clock} from '../core/clock.js';
import {HealthMonitor} from './health-monitor.js';
import {runProbe} from './health-probes.js';
import type {HealthStatus, RemotePresence, ReportedHealth} from './types.js';

export interface RemoteObserver {
  healthChanged(run: RemoteRun, from: HealthStatus, to: HealthStatus, detail: string): void;
  /** Silent for `lostAfterMs`: still connected, maybe, but no longer heard from. */
  lost(run: RemoteRun, detail: string): void;
}

/**
 * How long a remote agent may stay silent before it is `lost`: twice what makes it unhealthy
 * (`failure_threshold` probes missed, the last one late by its timeout).
 */
export function lostAfterMs(health: HealthConfig): number {
  return 2 * (health.failureThreshold * health.intervalMs + health.timeoutMs);
}

/**
 * How stale the last heartbeat shown may get: a beat is announced (a state event) only when the
 * one announced before is this old, not each time (every agent beats every few seconds).
 */
export const ANNOUNCE_BEAT_MS = 5_000;

export class RemoteRun {
  private status: HealthStatus = 'unknown';
  private readonly monitor: HealthMonitor;
  private lastHeartbeatAt: number;
  private announcedAt: number;
  private reportedHealth: ReportedHealth | null = null;
  private cancelLost: () => void = () => {};
  private silent = false;
  private watching = true;

  constructor(
    readonly presence: RemotePresence,
    private readonly health: HealthConfig,
    private readonly clock: Clock,
    private readonly observer: RemoteObserver,
  ) {
    // Registering is the first sign of life.
    this.lastHeartbeatAt = clock.now();
    this.announcedAt = this.lastHeartbeatAt;
    const context = {cwd: '/', env: {}, lastHeartbeatAt: () => this.lastHeartbeatAt, reportedHealth: () => this.reportedHealth, now: () => clock.now()};
    this.monitor = new HealthMonitor(health, clock, (signal) => runProbe(health, context, signal), (status, detail) => this.onHealth(status, detail));
    this.monitor.start();
    this.armLost();
  }

  get healthStatus(): HealthStatus {
    return this.status;
  }

  get healthDetail(): string | null {
    return this.monitor.detail;
  }

  get connectedAt(): number {
    return Date.parse(this.presence.connectedAt);
  }

  get lastHeard(): number {
    return this.lastHeartbeatAt;
  }

  /** Whether it has been silent past `lostAfterMs` (and not heard from since). */
  get isSilent(): boolean {
    return this.silent;
  }

  /** True when the beat is worth announcing (ANNOUNCE_BEAT_MS since the last one announced). */
  heartbeat(health?: ReportedHealth): boolean {
    this.lastHeartbeatAt = this.clock.now();
    if (health) this.reportedHealth = health;
    this.silent = false;
    this.armLost();
    if (this.lastHeartbeatAt - this.announcedAt < ANNOUNCE_BEAT_MS) return false;
    this.announcedAt = this.lastHeartbeatAt;
    return true;
  }

  stop(): void {
    this.watching = false;
    this.monitor.stop();
    this.cancelLost();
  }

  private armLost(): void {
    this.cancelLost();
    const after = lostAfterMs(this.health);
    this.cancelLost = this.clock.schedule(after, () => {
      if (!this.watching) return;
      this.silent = true;
      this.observer.lost(this, `no heartbeat from ${this.presence.address} for ${Math.round(after / 1000)} s`);
    });
  }

  private onHealth(status: HealthStatus, detail: string): void {
    if (!this.watching) return;
    const from = this.status;
    this.status = status;
    this.observer.healthChanged(this, from, status, detail);
  }
}
