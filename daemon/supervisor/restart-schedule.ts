import type {ServiceConfig} from '../../src/config/services.js';
import type {Clock} from '../core/clock.js';
import {RestartPolicy, type EndCause, type RestartDecision} from './restart-policy.js';

/** The restart policy with its timers: the delayed restart after an end, and the min_uptime that resets the backoff. */
export class RestartSchedule {
  private policy: RestartPolicy;
  private cancelPending: (() => void) | null = null;
  private cancelStable: (() => void) | null = null;
  private pendingAt: number | null = null;

  constructor(
    private config: ServiceConfig,
    private readonly clock: Clock,
  ) {
    this.policy = new RestartPolicy(config, clock);
  }

  /** When a scheduled restart will run, epoch ms. */
  get nextRestartAt(): number | null {
    return this.pendingAt;
  }

  reconfigure(config: ServiceConfig): void {
    this.config = config;
    this.policy = new RestartPolicy(config, this.clock);
  }

  decide(cause: EndCause): RestartDecision {
    return this.policy.decide(cause);
  }

  /** An operator acted: forget past failures. */
  reset(): void {
    this.policy.reset();
  }

  scheduleRestart(delayMs: number, restart: () => void): void {
    this.cancelRestart();
    this.pendingAt = this.clock.now() + delayMs;
    this.cancelPending = this.clock.schedule(delayMs, () => {
      this.cancelPending = null;
      this.pendingAt = null;
      restart();
    });
  }

  cancelRestart(): void {
    this.cancelPending?.();
    this.cancelPending = null;
    this.pendingAt = null;
  }

  /** The service is running (and healthy, when probed): if it stays so for min_uptime, the backoff starts over. */
  armStability(): void {
    this.disarmStability();
    this.cancelStable = this.clock.schedule(this.config.minUptimeMs, () => this.policy.markStable());
  }

  disarmStability(): void {
    this.cancelStable?.();
    this.cancelStable = null;
  }
}
