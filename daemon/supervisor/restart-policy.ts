import {formatDuration} from '../../src/lib/duration.js';
import type {ServiceConfig} from '../../src/config/services.js';
import {backoffDelay} from './backoff.js';
import type {Clock} from '../core/clock.js';

export type RestartDecision =
  | {kind: 'restart'; delayMs: number; attempt: number}
  /** The policy does not restart this end: the service stays `exited`. */
  | {kind: 'exited'}
  /** The restart budget is spent: the service stays `failed` until an operator acts. */
  | {kind: 'failed'; reason: string};

/** Why a running service ended without an operator asking. */
export type EndCause = {kind: 'exit'; code: number | null; signal: NodeJS.Signals | null} | {kind: 'unhealthy'} | {kind: 'max_memory'};

type RestartSettings = Pick<ServiceConfig, 'restart' | 'backoff' | 'maxRestarts' | 'restartWindowMs'>;

/** Whether an end counts as a failure for `restart = "on-failure"`. */
export function isFailure(cause: EndCause): boolean {
  return cause.kind !== 'exit' || cause.code !== 0 || cause.signal !== null;
}

/**
 * Decides what follows an unrequested end of a service. Delays grow exponentially with the
 * consecutive failures since the service last ran stably, and at most `maxRestarts` automatic
 * restarts fit in any `restartWindowMs`: a crash loop slows down, then stops.
 */
export class RestartPolicy {
  private attempt = 0;
  /** Times of the automatic restarts still inside the window; never longer than `maxRestarts`. */
  private recent: number[] = [];

  constructor(
    private readonly settings: RestartSettings,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  decide(cause: EndCause): RestartDecision {
    const {restart, maxRestarts, restartWindowMs} = this.settings;
    if (restart === 'never' || (restart === 'on-failure' && !isFailure(cause))) return {kind: 'exited'};
    const now = this.clock.now();
    this.recent = this.recent.filter((time) => now - time < restartWindowMs);
    if (this.recent.length >= maxRestarts) {
      return {kind: 'failed', reason: `restarted ${this.recent.length} times within ${formatDuration(restartWindowMs)} (max_restarts = ${maxRestarts})`};
    }
    this.recent.push(now);
    const delayMs = backoffDelay(this.attempt, this.settings.backoff);
    this.attempt++;
    return {kind: 'restart', delayMs, attempt: this.attempt};
  }

  /** The service ran (healthy) for `min_uptime`: the next failure starts from the initial delay again. */
  markStable(): void {
    this.attempt = 0;
  }

  /** An operator started or restarted the service: forget past failures. */
  reset(): void {
    this.attempt = 0;
    this.recent = [];
  }
}
