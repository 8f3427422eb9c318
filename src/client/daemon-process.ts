import {spawn} from 'node:child_process';
import {closeSync, mkdirSync, openSync, readFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {CapsuleError} from '../lib/errors.js';
import {EXIT_HOME_TAKEN, type HomePaths} from '../lib/home.js';
import {distFile} from '../lib/package-root.js';
import {DaemonClient} from './client.js';
import {MAX_RUN_LIST, type RunRecord} from '../protocol/index.js';
import {isAlive} from '../lib/process.js';
import {daemonStartEnvironment} from '../startup/daemon-env.js';
import {DAEMON_NODE_FLAGS} from '../startup/v8-flags.js';

/** How long `daemon start` (and autostart) waits for a new daemon to answer. */
export const START_TIMEOUT_MS = 15_000;
const POLL_MS = 20;

export interface StartResult {
  pid: number;
  /** False when a daemon was already running (or another start won the race). */
  started: boolean;
  client: DaemonClient;
}

/** Connects to the running daemon, or returns null if none answers. Protocol mismatches still throw. */
/**
 * Connects to stop the daemon, whatever protocol it speaks: after an upgrade the running daemon
 * is older than this CLI, and stopping it (`daemon restart`) is the way to the new one. Its
 * protocol is in its refusal's details (or, from a daemon before those, in the message).
 */
async function connectToStop(paths: HomePaths): Promise<DaemonClient | null> {
  try {
    return await tryConnect(paths);
  } catch (error) {
    if (!(error instanceof CapsuleError) || error.code !== 'protocol_mismatch') throw error;
    const protocol = (error.details as {protocol?: unknown} | undefined)?.protocol ?? Number(/speaks protocol (\d+)$/.exec(error.message)?.[1]);
    if (typeof protocol !== 'number' || !Number.isInteger(protocol)) throw error;
    return DaemonClient.connect(paths, {protocol});
  }
}

/** A connected client, or null when no daemon answers (`signal`: see DaemonClient.connect). */
export async function tryConnect(paths: HomePaths, {signal}: {signal?: AbortSignal} = {}): Promise<DaemonClient | null> {
  try {
    return await DaemonClient.connect(paths, {signal});
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
export async function startDaemon(paths: HomePaths, {backend}: {backend?: string} = {}): Promise<StartResult> {
  const existing = await tryConnect(paths);
  if (existing) return {pid: existing.daemonPid, started: false, client: existing};

  mkdirSync(paths.logsDir, {recursive: true, mode: 0o700});
  // The daemon's log may quote config and inputs: only its owner reads it (the daemon's own files are 0600 too).
  const log = openSync(paths.daemonLog, 'a', 0o600);
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, distFile('daemon.js')], {
    detached: true,
    stdio: ['ignore', log, log],
    env: daemonStartEnvironment(paths.home, backend),
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

/** Beyond what the daemon said its shutdown may take: its flush of state and logs, and its exit. */
export const STOP_EXIT_MARGIN_MS = 5_000;

/**
 * How long `daemon stop` waits for the daemon's process to be gone: the longest its shutdown may
 * take (`withinMs`, as it replied; a daemon before issue 13 says nothing, and then its timeout
 * stands), never less than the timeout asked, plus the margin for flushing and exiting.
 */
export function stopWaitMs(timeoutMs: number, withinMs: number | undefined): number {
  return Math.max(timeoutMs, withinMs ?? 0) + STOP_EXIT_MARGIN_MS;
}

/** What a stop waits for, as it happens: the runs still running, then each as it ends. */
export type StopProgress =
  /** `more`: runs that started after the first report (before the daemon stopped starting runs). */
  | {type: 'waiting'; runs: RunRecord[]; more: boolean}
  /** A run waited for ended, or was interrupted at the timeout (then queued again or failed); `left` are still running. */
  | {type: 'ended'; run: RunRecord; left: number};

/**
 * Asks the daemon to stop and waits until its process is gone. Returns the pid stopped, or null
 * if none was running. `progress` hears which runs the daemon waits for and each one's end: the
 * connection is subscribed to run events before the running runs are read and the stop is asked,
 * and the daemon keeps it open until it has stopped them.
 */
export async function stopDaemon(paths: HomePaths, timeoutMs: number, progress: (update: StopProgress) => void = () => {}, {leaveServices = false} = {}): Promise<number | null> {
  const client = await connectToStop(paths);
  if (!client) return null;
  const pid = client.daemonPid;
  // Until the first report, the latest record of each run its events told of: events and replies
  // arrive in order, so a run's latest event is never older than the listing.
  const latest = new Map<string, RunRecord>();
  const waited = new Map<string, RunRecord>();
  let reported = false;
  let deadline = Number.POSITIVE_INFINITY;
  let waitMs = 0;
  client.onEvent((event, data) => {
    if (event !== 'run.updated') return;
    if (!reported) latest.set(data.id, data);
    else if (data.status === 'running' && !waited.has(data.id)) {
      waited.set(data.id, data);
      progress({type: 'waiting', runs: [data], more: true});
    } else if (data.status !== 'running' && waited.delete(data.id)) {
      progress({type: 'ended', run: data, left: waited.size});
    }
  });
  try {
    await client.subscribe(['run']);
    const {runs} = await client.call('run.list', {status: 'running', limit: MAX_RUN_LIST});
    // Asked only when wanted, so that a daemon from before live restore can still be stopped.
    const {withinMs} = await client.call('daemon.stop', leaveServices ? {timeoutMs, leaveServices} : {timeoutMs}).catch((error: unknown) => {
      if (!leaveServices || !(error instanceof CapsuleError) || error.code !== 'bad_request') throw error;
      throw new CapsuleError('conflict', `the running daemon (version ${client.daemonVersion}) cannot leave its services running: it is older than live restore`, {
        hint: 'restart it once with its services: `capsule daemon restart --stop-services`; later restarts keep them running',
      });
    });
    waitMs = stopWaitMs(timeoutMs, withinMs);
    deadline = Date.now() + waitMs;
    for (const run of runs) if (!latest.has(run.id)) latest.set(run.id, run);
    for (const run of latest.values()) if (run.status === 'running') waited.set(run.id, run);
    reported = true;
    if (waited.size > 0) progress({type: 'waiting', runs: [...waited.values()], more: false});
    // The daemon closes the connection last, once its runs and services are stopped.
    await new Promise<void>((resolve) => {
      if (client.isClosed) return resolve();
      client.onClose(() => resolve());
      // Not past the deadline below, whatever the daemon does.
      setTimeout(resolve, deadline - Date.now()).unref();
    });
  } finally {
    client.close();
  }
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return pid;
    await sleep(POLL_MS);
  }
  throw new CapsuleError('failed', `the daemon (pid ${pid}) is still running ${Math.round(waitMs / 1000)}s after it was asked to stop, longer than its shutdown may take: this command gives up waiting and leaves it running`, {
    hint: `see what it is stuck on in its log (${paths.daemonLog}); to end it anyway: \`kill -KILL ${pid}\` (the services it still runs keep running, and the next daemon adopts them)`,
  });
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
