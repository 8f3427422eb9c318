import type {AttemptWorker, RunError, RunRecord} from '../../src/protocol/index.js';
import type {OrphanedAttempt} from './executor-api.js';
import {lockKey} from './lock-key.js';
import {shouldRetry} from './retry.js';
import {cancelRun, failAttempt, failedAttempts, NO_USAGE} from './run-state.js';
import type {TaskSpec} from './task-spec.js';

export const INTERRUPTED_MESSAGE = 'the daemon stopped while this attempt was running';

/** What becomes of a run a previous daemon left scheduled, queued or running (`requeue`: tracked again, as it was). */
export type Recovery =
  | {action: 'requeue'; run: RunRecord; lockKey: string | null}
  | {action: 'suspended'; run: RunRecord; lockKey: string | null}
  | {action: 'failed'; run: RunRecord}
  | {action: 'cancelled'; run: RunRecord};

/**
 * Recovery policy for runs left unfinished by a daemon that stopped or died (applied at start,
 * once the projects' tasks are known):
 * - A run left `running` was cut off mid-attempt. That attempt is recorded as failed with error
 *   type `interrupted` and counts toward `maxRetries`. If retries remain the run is queued again
 *   at once (no backoff); if not, it ends `failed` with that error.
 * - A run left `queued` is queued again as it was, attempts kept.
 * - A run left `sleeping` or `waiting` waits on: its steps are on disk, and its wake is set again.
 * - A run left `scheduled` stays scheduled, its wake time set again: one already past (the daemon
 *   was down then) queues it at once. It takes its lock key's line when it wakes, as it would have.
 * - Runs rejoin the queue, and their lock key's line, in creation order.
 * - A run whose task no longer exists ends `failed` if it was running, `cancelled` if it was
 *   queued or scheduled, with a message naming the task. A run whose lock key cannot be filled from its input
 *   under the task's current template is cancelled, with the reason.
 * No run stays queued or running without being tracked again.
 *
 * `spec` is the run's task as now defined (undefined if gone); `lockKey` in the result is the
 * key unscoped, as the template gives it.
 */
export function planRecovery(stored: RunRecord, spec: TaskSpec | undefined, now: number): Recovery {
  const gone = `task ${stored.namespace}/${stored.task} is no longer defined`;
  let run = stored;
  if (run.status === 'running') {
    const retry = spec !== undefined && shouldRetry({errorType: 'interrupted', fatal: false, attempt: failedAttempts(run) + 1, maxRetries: spec.maxRetries});
    const error: RunError = {type: 'interrupted', message: spec ? INTERRUPTED_MESSAGE : `${INTERRUPTED_MESSAGE}; ${gone}`, stack: null};
    run = failAttempt(run, error, NO_USAGE, now, retry);
    if (!retry) return {action: 'failed', run};
  }
  if (!spec) return {action: 'cancelled', run: cancelRun(run, `cancelled after the daemon restarted: ${gone}`, NO_USAGE, now)};
  try {
    const key = spec.lock === null ? null : lockKey(spec.lock, run.input);
    return {action: run.status === 'sleeping' || run.status === 'waiting' ? 'suspended' : 'requeue', run, lockKey: key};
  } catch (error) {
    return {action: 'cancelled', run: cancelRun(run, `cancelled after the daemon restarted: ${(error as Error).message}`, NO_USAGE, now)};
  }
}

/**
 * The attempts runs left `running` were on when the previous daemon stopped or died: their
 * workers and what they started may still be running, and must be gone before a run is tried
 * again (the executor's `endOrphans`), or two attempts of one run would run at once.
 */
export function orphanedAttempts(runs: Iterable<RunRecord>): OrphanedAttempt[] {
  const orphans: OrphanedAttempt[] = [];
  for (const run of runs) {
    const last = run.attempts.at(-1);
    if (run.status !== 'running' || last === undefined || last.finishedAt !== null) continue;
    orphans.push({runId: run.id, attempt: last.n, worker: last.worker ?? null});
  }
  return orphans;
}

/**
 * Whether the process now behind a recorded worker's pid is that worker: alive (a zombie is
 * dead, waiting to be reaped) and started at the recorded time. A pid the system has given to
 * a later process has another start time: that process is not ours to end.
 */
export function isSameWorker(recorded: AttemptWorker, now: {state: string; startTime: number} | null): boolean {
  return now !== null && now.state !== 'Z' && now.startTime === recorded.startTime;
}
