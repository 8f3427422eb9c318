/** Signals and stops a service's whole process group, so nothing it spawned outlives it. */
import {setTimeout as delay} from 'node:timers/promises';
import {listProcesses} from './proc-stat.js';

/** How often a stopping group is checked for survivors. */
const GROUP_POLL_MS = 50;
/** How long SIGKILL may take to clear a group before the stop gives up waiting. */
const KILL_WAIT_MS = 5_000;

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

/** Whether any process of the group is still alive. Zombies do not count: they are dead, waiting for a parent to reap them. */
export async function groupAlive(pgid: number): Promise<boolean> {
  const processes = await listProcesses();
  if (processes === null) return signalGroup(pgid, 0);
  return processes.some((stat) => stat.pgrp === pgid);
}

async function waitForGroupEnd(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await delay(GROUP_POLL_MS);
  }
  return true;
}

/**
 * Sends `signal` to the group, waits up to `timeoutMs` for every member to end, then sends
 * SIGKILL to whatever is left. `forced` says SIGKILL was needed.
 */
export async function stopProcessGroup(pgid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<{forced: boolean}> {
  if (!signalGroup(pgid, signal)) return {forced: false};
  if (await waitForGroupEnd(pgid, timeoutMs)) return {forced: false};
  signalGroup(pgid, 'SIGKILL');
  await waitForGroupEnd(pgid, KILL_WAIT_MS);
  return {forced: true};
}
