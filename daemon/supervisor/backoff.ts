import type {BackoffConfig} from '../../src/config/services.js';

/** Delay before restart number `attempt` (0 for the first) since the service last ran stably: capped exponential. */
export function backoffDelay(attempt: number, backoff: BackoffConfig): number {
  const delay = backoff.initialMs * backoff.factor ** attempt;
  return Math.round(Math.min(delay, backoff.maxMs));
}
