/**
 * Every process a task starts through node:child_process passes here first.
 *
 * In a worker thread it is refused, with a FatalError that says why: the process would be a
 * child of the daemon itself, and only the thread that spawned it can reap it. A thread stopped
 * for its timeout (terminated mid-loop) leaves its children, once they end, as zombies of the
 * daemon for the daemon's whole life, and a thread has no process group of its own to end them
 * by. Tasks that run programs declare `isolation: "process"`.
 *
 * In a process worker it is noted, so the attempt's processes are looked for when it ends
 * (a scan of /proc is worth its cost only then); a spawn that passes its own environment still
 * gets the attempt's marker (attempt-processes.ts). A process started otherwise (a worker
 * thread the task starts itself, a native addon) is not noted: it is found when its worker is
 * stopped or ends, through its group and the marker it inherits.
 */
import childProcess from 'node:child_process';
import {syncBuiltinESMExports} from 'node:module';
import type {Isolation} from '../runner/executor-api.js';
import {FatalError} from '../../src/sdk/index.js';
import {ATTEMPT_MARKER} from './attempt-processes.js';

/** What node:child_process's ChildProcess#spawn receives: the normalized options, environment as "NAME=value" pairs. */
interface SpawnOptions {
  file: string;
  envPairs?: string[];
}

interface Watched {
  marker: string;
  spawned: boolean;
  onFirstSpawn(): void;
}

let installed: Isolation | null = null;
let watched: Watched | null = null;

export function installSpawnGuard(isolation: Isolation): void {
  if (installed !== null) return;
  installed = isolation;
  // spawn, exec, execFile and fork all start their process through ChildProcess#spawn.
  const prototype = childProcess.ChildProcess.prototype as unknown as {spawn(options: SpawnOptions): unknown};
  const spawn = prototype.spawn;
  prototype.spawn = function (this: unknown, options: SpawnOptions) {
    admit(options.file);
    if (watched !== null && Array.isArray(options.envPairs)) options.envPairs = withMarker(options.envPairs, watched.marker);
    return spawn.call(this, options);
  };
  // The synchronous ones do not; they inherit the marker unless they pass an environment.
  for (const name of ['spawnSync', 'execSync', 'execFileSync'] as const) {
    const original = childProcess[name] as (...args: unknown[]) => unknown;
    (childProcess as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      admit(String(args[0]));
      return original.apply(this, args);
    };
  }
  // `import {spawnSync} from 'node:child_process'` binds the ES module's exports: bring them up to date.
  syncBuiltinESMExports();
}

/** Notes the spawns of the attempt starting now; `onFirstSpawn` is told of the first. */
export function watchSpawns(marker: string, onFirstSpawn: () => void): void {
  watched = {marker, spawned: false, onFirstSpawn};
}

/** Ends the attempt's watch: whether it started any process. */
export function unwatchSpawns(): boolean {
  const spawned = watched?.spawned ?? false;
  watched = null;
  return spawned;
}

/** The marker of the attempt running now, if any. */
export function watchedMarker(): string | null {
  return watched?.marker ?? null;
}

function admit(file: string): void {
  if (installed === 'thread') {
    throw new FatalError(
      `a task in a worker thread cannot start a process (${file}): it would be a child of the daemon, which the thread cannot end or reap once it is stopped; declare the task with isolation: "process" to run programs`,
    );
  }
  if (watched !== null && !watched.spawned) {
    watched.spawned = true;
    watched.onFirstSpawn();
  }
}

function withMarker(envPairs: string[], marker: string): string[] {
  const prefix = `${ATTEMPT_MARKER}=`;
  return [...envPairs.filter((pair) => !pair.startsWith(prefix)), `${prefix}${marker}`];
}
