/** Signals and stops a service's whole process group, so nothing it spawned outlives it. */
import {setTimeout as delay} from 'node:timers/promises';
import {listProcesses} from '../worker/procfs.js';

/** How often stopping groups are checked for survivors. */
const GROUP_POLL_MS = 50;
/** How long SIGKILL may take to clear a group before the stop gives up waiting. */
export const KILL_WAIT_MS = 5_000;

/**
 * Sends `signal` to every process of the group; false when the group no longer exists, or
 * belongs to another user (EPERM), which means it is no longer the group we started.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw error;
  }
}

interface GroupWait {
  pgid: number;
  deadline: number;
  resolve: (ended: boolean) => void;
}

/**
 * Every group being waited for, checked together: one pass over /proc a tick answers for all
 * of them. A pass reads every process's stat file, so a pass per group (500 services stopping
 * at once) made a daemon stop quadratic in the number of services.
 */
export class GroupEndWatch {
  private readonly waits = new Set<GroupWait>();
  private polling = false;

  constructor(private readonly list: typeof listProcesses = listProcesses) {}

  /** True once no live process is in the group (zombies do not count: they are dead, waiting to be reaped); false after `timeoutMs`. */
  wait(pgid: number, timeoutMs: number): Promise<boolean> {
    // Nothing in the group at all, not even a zombie: no pass over /proc needed.
    if (!signalGroup(pgid, 0)) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waits.add({pgid, deadline: Date.now() + timeoutMs, resolve});
      if (!this.polling) void this.poll();
    });
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waits.size > 0) {
        const processes = await this.list();
        // Without /proc, a group counts as alive while it can be signalled (its zombies too).
        const alive = processes === null ? (pgid: number) => signalGroup(pgid, 0) : groupsOf(processes);
        const now = Date.now();
        for (const wait of this.waits) {
          const ended = !alive(wait.pgid);
          if (!ended && now < wait.deadline) continue;
          this.waits.delete(wait);
          wait.resolve(ended);
        }
        if (this.waits.size > 0) await delay(GROUP_POLL_MS);
      }
    } finally {
      this.polling = false;
    }
  }
}

function groupsOf(processes: readonly {pgrp: number}[]): (pgid: number) => boolean {
  const groups = new Set(processes.map((stat) => stat.pgrp));
  return (pgid) => groups.has(pgid);
}

const groupEnds = new GroupEndWatch();

/**
 * Sends `signal` to the group, waits up to `timeoutMs` for every member to end, then sends
 * SIGKILL to whatever is left. `forced` says SIGKILL was needed.
 */
export async function stopProcessGroup(pgid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<{forced: boolean}> {
  if (!signalGroup(pgid, signal)) return {forced: false};
  if (await groupEnds.wait(pgid, timeoutMs)) return {forced: false};
  signalGroup(pgid, 'SIGKILL');
  await groupEnds.wait(pgid, KILL_WAIT_MS);
  return {forced: true};
}
