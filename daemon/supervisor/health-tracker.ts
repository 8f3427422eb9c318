import type {HealthStatus} from './types.js';

/**
 * Turns probe results into a health status: one success makes a service healthy, and only
 * `failureThreshold` consecutive failures make it unhealthy, so a single slow answer is forgiven.
 */
export class HealthTracker {
  private current: HealthStatus = 'unknown';
  private consecutiveFailures = 0;

  constructor(private readonly failureThreshold: number) {}

  get status(): HealthStatus {
    return this.current;
  }

  /** Records one probe result; returns the new status when it changed, else null. */
  record(ok: boolean): HealthStatus | null {
    this.consecutiveFailures = ok ? 0 : this.consecutiveFailures + 1;
    const next: HealthStatus = ok ? 'healthy' : this.consecutiveFailures >= this.failureThreshold ? 'unhealthy' : this.current;
    if (next === this.current) return null;
    this.current = next;
    return next;
  }
}
