import {spawn} from 'node:child_process';
import {closeSync, mkdirSync, openSync, readFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {CapsuleError} from '../lib/errors.js';
import type {HomePaths} from '../lib/home.js';
import {distFile} from '../lib/package-root.js';
import {DaemonClient} from './client.js';
import {isAlive} from '../lib/process.js';
import {DAEMON_NODE_FLAGS} from '../startup/v8-flags.js';

/** How long `daemon start` (and autostart) waits for a new daemon to answer. */
export const START_TIMEOUT_MS = 15_000;
const POLL_MS = 20;
/** Exit status of a daemon that found another one owning the home (see daemon/core/lifecycle.ts). */
const EXIT_HOME_TAKEN = 75;

export interface StartResult {
  pid: number;
  /** False when a daemon was already running (or another start won the race). */
  started: boolean;
  client: DaemonClient;
}

/** Connects to the running daemon, or returns null if none answers. Protocol mismatches still throw. */
export async function tryConnect(paths: HomePaths): Promise<DaemonClient | null> {
  try {
    return await DaemonClient.connect(paths);
  } catch (error) {
    if (error instanceof CapsuleError && error.code === 'daemon_unreachable') return null;
    throw error;
  }
}

/**
 * Starts a detached daemon unless one answers already, and returns a connected client once
 * it does. Racing starters are safe: the daemon itself takes the home's start lock, and a
 * starter whose daemon lost the race connects to the winner.
 */
export async function startDaemon(paths: HomePaths): Promise<StartResult> {
  const existing = await tryConnect(paths);
  if (existing) return {pid: existing.daemonPid, started: false, client: existing};

  mkdirSync(paths.logsDir, {recursive: true, mode: 0o700});
  // The daemon's log may quote config and inputs: only its owner reads it (the daemon's own files are 0600 too).
  const log = openSync(paths.daemonLog, 'a', 0o600);
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, distFile('daemon.js')], {
    detached: true,
    stdio: ['ignore', log, log],
    env: {...process.env, CAPSULE_HOME: paths.home},
  });
  closeSync(log);
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? 1));
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const client = await tryConnect(paths);
    if (client) return {pid: client.daemonPid, started: client.daemonPid === child.pid, client};
    if (exitCode !== null && exitCode !== EXIT_HOME_TAKEN) {
      throw new CapsuleError('daemon_unreachable', `the daemon exited during start (status ${exitCode})`, {
        hint: `see its log: ${paths.daemonLog}\n${tail(paths.daemonLog, 5)}`,
      });
    }
    await sleep(POLL_MS);
  }
  throw new CapsuleError('daemon_unreachable', `the daemon did not answer within ${START_TIMEOUT_MS / 1000}s`, {hint: `see its log: ${paths.daemonLog}`});
}

/** Asks the daemon to stop and waits until its process is gone. Returns the pid stopped, or null if none was running. */
export async function stopDaemon(paths: HomePaths, timeoutMs: number): Promise<number | null> {
  const client = await tryConnect(paths);
  if (!client) return null;
  const pid = client.daemonPid;
  try {
    await client.call('daemon.stop', {timeoutMs});
  } finally {
    client.close();
  }
  // The daemon waits up to timeoutMs for running work, then needs a moment to flush and exit.
  const deadline = Date.now() + timeoutMs + 5_000;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return pid;
    await sleep(POLL_MS);
  }
  throw new CapsuleError('failed', `the daemon (pid ${pid}) did not exit within ${Math.round((timeoutMs + 5_000) / 1000)}s`, {hint: `kill it with \`kill ${pid}\``});
}


function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
