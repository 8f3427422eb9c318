/**
 * A service's main process as the supervisor holds it: either a child it spawned (in a new
 * process group, its output going to capture files: output-capture.ts) or one it adopted from
 * an earlier daemon, which it can only watch by polling /proc since it is not its parent.
 */
import {spawn} from 'node:child_process';
import {closeSync} from 'node:fs';
import type {Clock} from '../core/clock.js';
import {openCaptureFiles, OutputCapture, processKey, type CapturePaths} from './output-capture.js';
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
  /** Its output is being taken into the log: false only for a process adopted from a daemon that gave it pipes. */
  readonly captured: boolean;
  /** Settles once the main process has ended; an adopted one ends with unknown code and signal. */
  readonly ended: Promise<ProcessEnd>;
  /** The first line the process wrote to stderr; null for one adopted or uncaptured. Ask once it has ended. */
  firstStderrLine(): string | null;
  /** The process has ended (or its group was stopped): takes the rest of its output and stops watching. */
  release(): void;
  /** The daemon goes and the process stays: takes its output so far and stops watching, leaving the rest to the next daemon. */
  leave(): void;
}

export interface SpawnSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Spawns the service as the leader of a new process group; rejects if it could not be started at all. */
export async function spawnService(spec: SpawnSpec, output: CapturePaths, log: ServiceLog, clock: Pick<Clock, 'now'>): Promise<ProcessHandle> {
  const [program, ...args] = spec.argv;
  const fds = openCaptureFiles(output);
  let child;
  try {
    child = spawn(program!, args, {cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', fds.stdout, fds.stderr]});
    await new Promise<void>((resolve, reject) => {
      child!.once('spawn', resolve);
      child!.once('error', reject);
    });
  } finally {
    // The child has its own copies; the daemon reads the files through fds of its own.
    closeSync(fds.stdout);
    closeSync(fds.stderr);
  }
  const ended = new Promise<ProcessEnd>((resolve) => child.once('exit', (code, signal) => resolve({code, signal})));
  // Signals go to the group with process.kill, so a later 'error' (failed child.kill) cannot concern us.
  child.on('error', () => undefined);
  const pid = child.pid!;
  const startTime = await liveStartTime(pid);
  const capture = new OutputCapture(output, processKey(pid, startTime), log, {stdout: 0, stderr: 0});
  return {
    pid,
    startTime,
    startedAt: clock.now(),
    adopted: false,
    captured: true,
    ended,
    firstStderrLine: () => {
      capture.drain(true);
      return capture.firstStderrLine;
    },
    release: () => capture.end(),
    leave: () => capture.leave(),
  };
}

/** Watches a process this daemon did not spawn, until it ends or its pid is reused by another process. */
export function adoptProcess(pid: number, startTime: number, startedAt: number, clock: Clock, capture: OutputCapture | null): ProcessHandle {
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
  const stopWatching = () => {
    released = true;
    cancel?.();
  };
  return {
    pid,
    startTime,
    startedAt,
    adopted: true,
    captured: capture !== null,
    ended,
    firstStderrLine: () => null,
    release: () => {
      stopWatching();
      capture?.end();
    },
    leave: () => {
      stopWatching();
      capture?.leave();
    },
  };
}
