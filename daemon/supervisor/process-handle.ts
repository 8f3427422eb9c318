/**
 * A service's main process as the supervisor holds it: either a child it spawned (in a new
 * process group, output piped into the service log) or one it adopted from an earlier daemon,
 * which it can only watch by polling /proc since it is not its parent.
 */
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {setTimeout as delay} from 'node:timers/promises';
import type {Clock} from '../core/clock.js';
import {liveStartTime} from './proc-stat.js';
import type {ServiceLog} from './service-log.js';

/** How often an adopted process is checked for having ended. */
export const ADOPTED_POLL_MS = 500;

/**
 * How long firstStderrLine() waits for stderr to end: a process's exit can be reported before
 * its last output is read, and a grandchild outside the group may hold the pipe open.
 */
const STDERR_END_WAIT_MS = 2_000;

export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessHandle {
  /** Also the process group id: services are spawned as group leaders. */
  readonly pid: number;
  /** /proc start time, null where it cannot be read. */
  readonly startTime: number | null;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly adopted: boolean;
  /** Settles once the main process has ended; an adopted one ends with unknown code and signal. */
  readonly ended: Promise<ProcessEnd>;
  /** The first line the process wrote to stderr, once stderr has ended (or a short wait passed); null for an adopted one. */
  firstStderrLine(): Promise<string | null>;
  /** Stops watching. */
  release(): void;
}

export interface SpawnSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Spawns the service as the leader of a new process group; rejects if it could not be started at all. */
export async function spawnService(spec: SpawnSpec, log: ServiceLog, clock: Pick<Clock, 'now'>): Promise<ProcessHandle> {
  const [program, ...args] = spec.argv;
  const child = spawn(program!, args, {cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']});
  const ended = new Promise<ProcessEnd>((resolve) => child.once('exit', (code, signal) => resolve({code, signal})));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  // Signals go to the group with process.kill, so a later 'error' (failed child.kill or IPC) cannot concern us.
  child.on('error', () => undefined);
  let firstStderrLine: string | null = null;
  // A pipe error ends stderr too (and must not become an unhandled rejection).
  const stderrEnded = once(child.stderr!, 'close').then(
    () => undefined,
    () => undefined,
  );
  log.attach(child.stdout!, 'stdout');
  log.attach(child.stderr!, 'stderr', (text) => (firstStderrLine ??= text));
  const pid = child.pid!;
  return {
    pid,
    startTime: await liveStartTime(pid),
    startedAt: clock.now(),
    adopted: false,
    ended,
    firstStderrLine: async () => {
      const waited = new AbortController();
      await Promise.race([stderrEnded, delay(STDERR_END_WAIT_MS, undefined, {signal: waited.signal}).catch(() => undefined)]);
      waited.abort();
      return firstStderrLine;
    },
    release: () => undefined,
  };
}

/** Watches a process this daemon did not spawn, until it ends or its pid is reused by another process. */
export function adoptProcess(pid: number, startTime: number, startedAt: number, clock: Clock): ProcessHandle {
  let cancel: (() => void) | null = null;
  let released = false;
  const ended = new Promise<ProcessEnd>((resolve) => {
    const check = async () => {
      if (released) return;
      if ((await liveStartTime(pid)) !== startTime) {
        resolve({code: null, signal: null});
        return;
      }
      if (!released) cancel = clock.schedule(ADOPTED_POLL_MS, () => void check());
    };
    cancel = clock.schedule(ADOPTED_POLL_MS, () => void check());
  });
  return {
    pid,
    startTime,
    startedAt,
    adopted: true,
    ended,
    firstStderrLine: () => Promise.resolve(null),
    release() {
      released = true;
      cancel?.();
    },
  };
}
