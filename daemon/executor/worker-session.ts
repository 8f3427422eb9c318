/**
 * Process workers lead a session and a process group of their own, so that what an attempt
 * spawns is in the worker's group and ends with it (worker/attempt-processes.ts), and so that a
 * signal to the daemon's group (a Ctrl-C on `daemon start --foreground`) is not one to them.
 *
 * tinypool forks its workers without `detached` and passes no option through to fork that would
 * change it. This wraps node:child_process's fork, for tinypool's worker entry alone, to add
 * `detached: true` (the child calls setsid). tinypool imports fork by name, an ES module binding
 * that syncBuiltinESMExports brings up to date. test/daemon/executor/worker-session.test.ts
 * fails if an upgrade of tinypool stops this from applying.
 */
import childProcess from 'node:child_process';
import {syncBuiltinESMExports} from 'node:module';

/** tinypool's child-process entry, which its ProcessWorker forks. */
const TINYPOOL_PROCESS_ENTRY = /[\\/]tinypool[\\/]dist[\\/]entry[\\/]process\.js$/;

let installed = false;

/** From now on, tinypool's process workers start as session leaders. Idempotent. */
export function detachProcessWorkers(): void {
  if (installed) return;
  installed = true;
  const fork = childProcess.fork;
  const detachedFork = function (this: unknown, ...args: unknown[]) {
    const [modulePath, argv, options] = args;
    if (TINYPOOL_PROCESS_ENTRY.test(String(modulePath)) && (argv === undefined || Array.isArray(argv))) {
      return fork.call(this, modulePath as string, argv as string[] | undefined, {...(options as childProcess.ForkOptions | undefined), detached: true});
    }
    return (fork as (...forkArgs: unknown[]) => childProcess.ChildProcess).apply(this, args);
  };
  childProcess.fork = detachedFork as typeof fork;
  syncBuiltinESMExports();
}
