/**
 * A process worker ends when its daemon does. It leads a session of its own (so the daemon's
 * signals do not reach it, nor its to the daemon), and Linux's PR_SET_PDEATHSIG is out of
 * Node's reach: without this, a daemon killed with -9 leaves its workers running their attempts,
 * past their timeouts, while the next daemon runs the same runs again.
 *
 * Two signs that the daemon is gone: the IPC channel closes ('disconnect'), and, as a second
 * layer, the parent pid changes (the worker was reparented). Both need the worker's event loop:
 * a task that blocks it (a synchronous loop) is ended by its CPU limit, or by the next daemon,
 * which finds its pid and start time in the run's journal (runner/recovery.ts).
 */
import {killAttemptProcesses} from './attempt-processes.js';
import {watchedMarker} from './spawn-guard.js';

/** How often the parent pid is compared with the daemon's. */
export const PARENT_CHECK_MS = 500;

export function endWithParent(): void {
  const daemon = process.ppid;
  process.once('disconnect', orphaned);
  setInterval(() => {
    if (process.ppid !== daemon) orphaned();
  }, PARENT_CHECK_MS).unref();
}

/** Stops the attempt at once with every process it started, and the worker with it. */
function orphaned(): never {
  const marker = watchedMarker();
  // Those outside the group first: killing the group ends this worker too.
  killAttemptProcesses({markers: marker === null ? [] : [marker]});
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    // Not a group leader (see executor/worker-session.ts): end this process alone.
  }
  process.kill(process.pid, 'SIGKILL');
  // Unreachable: SIGKILL cannot be caught. For the type checker, and should it ever return.
  process.exit(1);
}
