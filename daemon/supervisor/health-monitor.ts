import type {HealthConfig} from '../../src/config/services.js';
import type {Clock} from '../core/clock.js';
import {HealthTracker} from './health-tracker.js';
import type {ProbeResult} from './health-probes.js';
import type {HealthStatus} from './types.js';

export type Probe = (signal: AbortSignal) => Promise<ProbeResult>;

/**
 * Probes one running service: first after `initialDelayMs`, then `intervalMs` after each probe
 * ends (so a slow probe never overlaps the next), reporting each change of status.
 */
export class HealthMonitor {
  private readonly tracker: HealthTracker;
  private cancelTimer: (() => void) | null = null;
  private inFlight: AbortController | null = null;
  private stopped = false;
  private lastDetail: string | null = null;

  constructor(
    private readonly health: HealthConfig,
    private readonly clock: Clock,
    private readonly probe: Probe,
    private readonly onChange: (status: HealthStatus, detail: string) => void,
  ) {
    this.tracker = new HealthTracker(health.failureThreshold);
  }

  get status(): HealthStatus {
    return this.tracker.status;
  }

  get detail(): string | null {
    return this.lastDetail;
  }

  /** `adopted`: the process has been up since an earlier daemon, so its first probe does not wait for `initialDelayMs`. */
  start(adopted = false): void {
    this.cancelTimer = this.clock.schedule(adopted ? 0 : this.health.initialDelayMs, () => void this.tick());
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.inFlight?.abort();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.inFlight = new AbortController();
    const result = await this.probe(this.inFlight.signal);
    this.inFlight = null;
    if (this.stopped) return;
    this.lastDetail = result.detail;
    const change = this.tracker.record(result.ok);
    if (change) this.onChange(change, result.detail);
    if (!this.stopped) this.cancelTimer = this.clock.schedule(this.health.intervalMs, () => void this.tick());
  }
}
