/**
 * Why a service's program could not be run at all: it is not found, or may not be executed.
 * Restarting cannot help until the declaration or the file changes, so such a service fails at
 * once, with this reason, instead of spending its restart budget (pure: tested without processes).
 */
import type {ProcessEnd} from './process-handle.js';

/**
 * From the error spawn() rejected with. Node reports a missing working directory as the
 * program's ENOENT, hence `cwdExists`.
 */
export function spawnFailure(error: unknown, program: string, cwd: string, cwdExists: boolean): string | null {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'ENOENT':
      return cwdExists ? `command not found: ${program}` : `working directory not found: ${cwd}`;
    case 'EACCES':
      return `permission denied: ${program}`;
    default:
      return null;
  }
}

/** How /bin/sh (dash, bash, busybox) says so: "/bin/sh: 1: nodee: not found", "sh: line 1: nodee: command not found". */
const SHELL_NOT_FOUND = /^\S*sh: (?:line )?(?:\d+: )?(.+): (?:command )?not found$/;
const SHELL_NOT_EXECUTABLE = /^\S*sh: (?:line )?(?:\d+: )?(.+): Permission denied$/;

/**
 * A string command runs through `/bin/sh -c`, which spawns fine and then exits 127 when the
 * program is not found (126 when it may not be executed). That counts as a launch failure when
 * the shell said so in the first line the service wrote to stderr, that is right at its start:
 * a program that exits 127 itself, or a script that ran a while before a command went
 * missing, is a crash like any other.
 */
export function shellFailure(end: ProcessEnd, firstStderrLine: string | null): string | null {
  if (end.signal !== null || firstStderrLine === null) return null;
  const line = firstStderrLine.trim();
  if (end.code === 127) {
    const program = SHELL_NOT_FOUND.exec(line)?.[1];
    return program === undefined ? null : `command not found: ${program}`;
  }
  if (end.code === 126) {
    const program = SHELL_NOT_EXECUTABLE.exec(line)?.[1];
    return program === undefined ? null : `permission denied: ${program}`;
  }
  return null;
}
