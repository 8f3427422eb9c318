import {lstatSync} from 'node:fs';
import {toSentError, type SentError, type WorkerOutcome} from '../worker/protocol.js';
import {hiddenPathDenial} from '../worker/sandbox-denial.js';

/**
 * A sandboxed task that found a path absent may have looked for something the sandbox hides
 * behind its own mounts (a CAPSULE_HOME under /tmp is behind the sandbox's private /tmp, and
 * Node's permission model allows /tmp). Only the daemon sees the machine's files: a path that
 * exists here is named a denial, without telling the task whether it exists.
 */
export function namingHiddenPaths(reported: WorkerOutcome | null): WorkerOutcome | null {
  if (reported?.ok !== false) return reported;
  const error = namingHiddenPath(reported.error);
  return error === reported.error ? reported : {...reported, error};
}

/** The same for one error (a module's failure while a sandbox loads a project). */
export function namingHiddenPath(error: SentError): SentError {
  if (error.absentPath === undefined || !existsHere(error.absentPath)) return error;
  return {...toSentError(hiddenPathDenial(error.absentPath)), stack: error.stack};
}

function existsHere(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
