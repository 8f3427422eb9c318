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

const NEVER_RETRIED: ReadonlySet<RunErrorType> = new Set(['cancelled', 'sandbox_denied', 'sandbox_unavailable']);

/**
 * Whether a failed attempt is followed by another one.
 *
 * Every failure type is retried alike (`error`, `timeout`, `out_of_memory`,
 * `compute_exhausted`, `crashed`, `interrupted`) while the `maxRetries` budget lasts: a timeout
 * or an out-of-memory is often caused by a slow dependency or an unusually large input, and a
 * single rule is easier to predict than one per type. The budget, chosen by the task's author,
 * bounds the cost when the failure is deterministic. Four failures are never retried: a
 * `FatalError` (the task says retrying is pointless), a cancellation (someone asked it to stop),
 * and the sandbox's refusals, which the next attempt would meet the same way: `sandbox_denied`
 * (the task did what its declaration forbids) and `sandbox_unavailable` (this machine cannot make
 * a sandbox; the fix is the operator's).
 */
export function shouldRetry({errorType, fatal, attempt, maxRetries}: FailedAttempt): boolean {
  if (fatal || NEVER_RETRIED.has(errorType)) return false;
  return attempt <= maxRetries;
}
