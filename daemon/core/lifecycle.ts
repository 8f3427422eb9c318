import {chmodSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync} from 'node:fs';
import {CapsuleError} from '../../src/lib/errors.js';
import {daemonAlreadyRunning, type HomePaths} from '../../src/lib/home.js';
import type {Logger} from './logger.js';
import {PRIVATE_DIR_MODE, PRIVATE_FILE_MODE} from './private-file.js';
import {isAlive} from '../../src/lib/process.js';

/** A start lock older than this was left by a starter that died mid-start. */
const STALE_START_LOCK_MS = 30_000;
/** Unix socket paths are limited to 108 bytes by the kernel (sun_path). */
const MAX_SOCKET_PATH = 107;

export interface HomeClaim {
  /** Call once listening: writes the pid file and lets other starters see the running daemon. */
  commit(): void;
  abort(): void;
}

/**
 * Claims CAPSULE_HOME for this daemon. A start lock (an exclusive mkdir) serialises racing
 * starters, so two `daemon start` on one home end with exactly one daemon. Under the lock a
 * pid file or socket left by a killed daemon is detected and removed.
 */
export function claimHome(paths: HomePaths, logger: Logger): HomeClaim {
  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) {
    throw new CapsuleError('bad_input', `socket path ${paths.socket} is longer than the ${MAX_SOCKET_PATH} bytes a unix socket allows`, {
      hint: 'set CAPSULE_HOME to a shorter directory',
    });
  }
  mkdirSync(paths.home, {recursive: true, mode: PRIVATE_DIR_MODE});
  mkdirSync(paths.socketDir, {recursive: true, mode: PRIVATE_DIR_MODE});
  tightenHome(paths);
  takeStartLock(paths, logger);
  try {
    const running = runningDaemonPid(paths);
    if (running !== null) throw daemonAlreadyRunning(running, paths);
    const stalePid = readPid(paths.pidFile);
    if (stalePid !== null) logger.warn(`removing stale pid file (pid ${stalePid} is not running)`);
    rmSync(paths.pidFile, {force: true});
    rmSync(paths.socket, {force: true});
  } catch (error) {
    rmSync(paths.startLock, {recursive: true, force: true});
    throw error;
  }
  return {
    commit() {
      writeFileSync(paths.pidFile, `${process.pid}\n`, {mode: PRIVATE_FILE_MODE});
      rmSync(paths.startLock, {recursive: true, force: true});
    },
    abort() {
      rmSync(paths.startLock, {recursive: true, force: true});
    },
  };
}

/**
 * mkdir's mode applies only to a directory it creates: a home made by an older version, by
 * hand or by a backup restore may be open to every local user, and its files with it. The
 * home's own 0700 is what keeps them out; the known files and directories are closed too, in
 * case someone opens the home again.
 */
function tightenHome(paths: HomePaths): void {
  for (const dir of [paths.home, paths.socketDir, paths.logsDir, paths.runLogsDir, paths.serviceLogsDir]) chmodIfThere(dir, PRIVATE_DIR_MODE);
  for (const file of [paths.state, paths.runs, paths.audit, paths.daemonLog, paths.pidFile, paths.agentKey]) chmodIfThere(file, PRIVATE_FILE_MODE);
}

function chmodIfThere(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Removes what a running daemon advertises itself with; called last on shutdown. */
export function releaseHome(paths: HomePaths): void {
  if (readPid(paths.pidFile) === process.pid) rmSync(paths.pidFile, {force: true});
  try {
    unlinkSync(paths.socket);
  } catch {
    // already gone
  }
}

/** The pid in the pid file if that process is alive and is a capsule daemon, else null. */
export function runningDaemonPid(paths: Pick<HomePaths, 'pidFile'>): number | null {
  const pid = readPid(paths.pidFile);
  if (pid === null || !isAlive(pid)) return null;
  try {
    // A recycled pid belongs to some other program: only a capsule daemon counts.
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!commandLine.includes('daemon')) return null;
  } catch {
    // no /proc (not Linux): trust the liveness check
  }
  return pid;
}

export function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}


function takeStartLock(paths: HomePaths, logger: Logger): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(paths.startLock, {mode: PRIVATE_DIR_MODE});
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - lockAge(paths.startLock) < STALE_START_LOCK_MS) break;
      logger.warn('removing a start lock left by a starter that died');
      rmSync(paths.startLock, {recursive: true, force: true});
    }
  }
  throw new CapsuleError('conflict', 'another capsule daemon is starting in this CAPSULE_HOME', {hint: 'wait for it, then run `capsule daemon status`'});
}

function lockAge(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
