/**
 * The processes an attempt started, found and ended together. Two nets catch them:
 * - the process group: a process worker leads its own session and group (executor/worker-session.ts),
 *   and what a task spawns stays in it unless it leaves (setsid, a `detached` spawn);
 * - a marker: every process the task starts inherits `CAPSULE_ATTEMPT=<run>:<attempt>` (as
 *   Jenkins' ProcessTreeKiller marks a build's processes), and /proc/PID/environ keeps the
 *   environment a process started with, whatever group or session it moves to, and after its
 *   parent is gone (a double fork).
 * What escapes both: a process that leaves the group and was started with an environment
 * without the marker (`env -i`, a program that builds its children's environment afresh).
 */
import {setTimeout as delay} from 'node:timers/promises';
import {listPids, readEnviron, readStat} from './procfs.js';

/** The variable that marks every process an attempt starts. */
export const ATTEMPT_MARKER = 'CAPSULE_ATTEMPT';

/** How often ending processes are looked for again until none is left. */
const RESCAN_MS = 20;

/** The marker's value for one attempt of a run: unique, since run ids are. */
export function attemptMarker(runId: string, attempt: number): string {
  return `${runId}:${attempt}`;
}

export interface AttemptScope {
  /** Values of CAPSULE_ATTEMPT whose processes belong to the scope. */
  markers: readonly string[];
  /** Process groups whose members belong to it too: workers' own. */
  groups?: readonly number[];
  /** Processes that belong to it by pid: workers, known to be the processes they were. */
  pids?: readonly number[];
  /** A process never taken in: the worker that is looking. */
  spare?: number;
}

/**
 * The live processes of the scope: those named, the members of its groups, every process
 * carrying one of the markers, and the members of a group such a process leads (one that
 * cleared its environment but stayed with its leader). Never `spare`, never the caller.
 */
export function findAttemptProcesses(scope: AttemptScope): number[] {
  const entries = scope.markers.map((marker) => `${ATTEMPT_MARKER}=${marker}\0`);
  const named = new Set(scope.pids);
  const groups = new Set(scope.groups);
  const others: Array<{pid: number; pgrp: number}> = [];
  const found = new Set<number>();
  for (const pid of listPids()) {
    if (pid === process.pid || pid === scope.spare) continue;
    const stat = readStat(pid);
    // A zombie is already dead: it only waits for its parent to read its exit status.
    if (stat === null || stat.state === 'Z') continue;
    if (named.has(pid) || groups.has(stat.pgrp) || (entries.length > 0 && isMarked(readEnviron(pid), entries))) {
      found.add(pid);
      if (stat.pgrp === pid) groups.add(pid);
    } else {
      others.push({pid, pgrp: stat.pgrp});
    }
  }
  for (const {pid, pgrp} of others) if (groups.has(pgrp)) found.add(pid);
  return [...found];
}

/**
 * Kills (SIGKILL) every process of the scope, again until none is left (one may fork while
 * the others die), for at most `timeoutMs`. Resolves with how many were killed, and how many
 * were still there at the deadline or could not be killed (a set-user-ID program's).
 */
export async function endAttemptProcesses(scope: AttemptScope, timeoutMs: number): Promise<{ended: number; left: number}> {
  const deadline = Date.now() + timeoutMs;
  const signalled = new Set<number>();
  const refused = new Set<number>();
  for (;;) {
    const found = findAttemptProcesses(scope).filter((pid) => !refused.has(pid));
    if (found.length === 0 || Date.now() >= deadline) return {ended: signalled.size, left: found.length + refused.size};
    for (const pid of found) {
      if (signalled.has(pid)) continue;
      if (killProcess(pid) === 'refused') refused.add(pid);
      else signalled.add(pid);
    }
    await delay(RESCAN_MS);
  }
}

/** One pass of `endAttemptProcesses` that does not wait: for a worker about to end itself. */
export function killAttemptProcesses(scope: AttemptScope): void {
  for (const pid of findAttemptProcesses(scope)) killProcess(pid);
}

/** SIGKILL to a process: 'refused' when it belongs to another user. */
export function killProcess(pid: number): 'killed' | 'gone' | 'refused' {
  try {
    process.kill(pid, 'SIGKILL');
    return 'killed';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'refused' : 'gone';
  }
}

function isMarked(environ: string | null, entries: readonly string[]): boolean {
  if (environ === null) return false;
  // Entries are NUL-terminated; the first one has no NUL before it.
  return entries.some((entry) => environ.startsWith(entry) || environ.includes(`\0${entry}`));
}
