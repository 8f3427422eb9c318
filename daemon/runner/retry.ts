import type {RunErrorType} from '../../src/protocol/index.js';

export interface FailedAttempt {
  errorType: RunErrorType;
  /** The task threw a `FatalError`. */
  fatal: boolean;
  /** The attempt that just failed; 1 for the first. */
  attempt: number;
  /** Further attempts allowed after the first. */
  maxRetries: number;
}

/**
 * Whether a failed attempt is followed by another one.
 *
 * Every failure type is retried alike (`error`, `timeout`, `out_of_memory`,
 * `compute_exhausted`, `crashed`, `interrupted`) while the `maxRetries` budget lasts: a timeout
 * or an out-of-memory is often caused by a slow dependency or an unusually large input, and a
 * single rule is easier to predict than one per type. The budget, chosen by the task's author,
 * bounds the cost when the failure is deterministic. Two failures are never retried: a
 * `FatalError` (the task says retrying is pointless) and a cancellation (someone asked it to stop).
 */
export function shouldRetry({errorType, fatal, attempt, maxRetries}: FailedAttempt): boolean {
  if (fatal || errorType === 'cancelled') return false;
  return attempt <= maxRetries;
}
