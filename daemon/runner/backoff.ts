/** How long to wait before each retry. Durations are milliseconds. */
export interface BackoffPolicy {
  /** Delay before the first retry. @default 1000 (1s) */
  initialMs: number;
  /** Each further retry waits this many times longer. @default 2 */
  factor: number;
  /** No delay exceeds this. @default 300000 (5m) */
  maxMs: number;
  /**
   * Fraction of each delay taken away at random (0 to 1), so that runs failing together do not
   * retry together. @default 0.2
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {initialMs: 1000, factor: 2, maxMs: 300_000, jitter: 0.2};

/**
 * The delay before retry number `retry` (1 for the first retry): `initial × factor^(retry-1)`,
 * capped at `max`, then reduced by up to `jitter` of itself. Jitter only ever shortens a delay,
 * so `max` stays a true upper bound. `random` returns a number in [0, 1), like Math.random.
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number): number {
  const exponential = policy.initialMs * policy.factor ** Math.max(0, retry - 1);
  const capped = Math.min(policy.maxMs, exponential);
  return Math.round(capped * (1 - policy.jitter * random()));
}
