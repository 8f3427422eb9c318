/**
 * A service's main process as the supervisor holds it: either a child it spawned (in a new
 * process group, output piped into the service log) or one it adopted from an earlier daemon,
 * which it can only watch by polling /proc since it is not its parent.
 */
import {spawn} from 'node:child_process';
import type {Clock} from '../core/clock.js';
import {liveStartTime} from './proc-stat.js';
import type {ServiceLog} from './service-log.js';

/** How often an adopted process is checked for having ended. */
export const ADOPTED_POLL_MS = 500;

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
  log.attach(child.stdout!, 'stdout');
  log.attach(child.stderr!, 'stderr');
  const pid = child.pid!;
  return {pid, startTime: await liveStartTime(pid), startedAt: clock.now(), adopted: false, ended, release: () => undefined};
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
    release() {
      released = true;
      cancel?.();
    },
  };
}
