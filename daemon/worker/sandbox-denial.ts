import {lstatSync} from 'node:fs';
import {toSentError, type SentError} from './protocol.js';
import {SCRATCH_DIR} from '../sandbox/protocol.js';
/**
 * A sandbox's refusals, under one error: whatever layer said no (Node's permission model,
 * Capsule's network shims, the egress proxy, bubblewrap's mounts), the run ends
 * `sandbox_denied` with what was denied, not with a bare `EACCES` stack.
 */

/** What a sandboxed task tried: `read`/`write` a path, `connect` to an address, `request` a host, `spawn`, `worker`, `addon`. */
export type DeniedOperation = 'read' | 'write' | 'connect' | 'request' | 'spawn' | 'worker' | 'addon' | 'limit';

export const SANDBOX_DENIED_CODE = 'ERR_SANDBOX_DENIED';

export class SandboxDeniedError extends Error {
  readonly code = SANDBOX_DENIED_CODE;

  constructor(
    readonly operation: DeniedOperation,
    /** The path, host or address; empty for an operation that has none (spawn). */
    readonly resource: string,
    /** How to allow it, if it can be. */
    hint: string,
  ) {
    super(`the sandbox denied ${describe(operation, resource)}${hint === '' ? '' : `: ${hint}`}`);
    this.name = 'SandboxDeniedError';
  }
}

function describe(operation: DeniedOperation, resource: string): string {
  switch (operation) {
    case 'read':
      return `reading ${resource}`;
    case 'write':
      return `writing ${resource}`;
    case 'connect':
      return `a connection to ${resource}`;
    case 'request':
      return `a request to ${resource}`;
    case 'spawn':
      return 'starting a child process';
    case 'worker':
      return 'starting a worker thread';
    case 'addon':
      return `loading the native addon ${resource}`.trimEnd();
    case 'limit':
      return resource;
  }
}

/** Where an error chain is followed: `fetch failed` says what happened only in its cause. */
const MAX_CAUSES = 5;

/** What of the attempt's sandbox the worker does not know by itself: for naming the cap a write filled. */
export interface SandboxView {
  scratchBytes: number;
}

/**
 * The denial behind a task's failure, if a sandbox's wall was what it hit: Node's permission
 * model (`ERR_ACCESS_DENIED`), Capsule's shims and proxy (already SandboxDeniedError), a
 * read-only mount (`EROFS`), a full scratch directory (`ENOSPC`), or a path that exists in the
 * project only as a symlink to somewhere the sandbox does not see.
 */
function findDenial(error: unknown, view: SandboxView, lstat: (path: string) => 'link' | 'other' | null): Error | null {
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSES && current instanceof Error; depth++) {
    const denial = asDenial(current, view, lstat);
    if (denial !== null) return denial;
    current = current.cause;
  }
  return null;
}

/** A failure in a sandbox as it is sent to the daemon: its wall named, and a path it found absent noted (the daemon looks for it outside). */
export function describeInSandbox(error: unknown, view: SandboxView): SentError {
  const denial = findDenial(error, view, lstatKind);
  if (denial !== null) return toSentError(denial);
  const sent = toSentError(error);
  const absentPath = findAbsentPath(error);
  if (absentPath !== null) sent.absentPath = absentPath;
  return sent;
}

function lstatKind(path: string): 'link' | 'other' | null {
  try {
    return lstatSync(path).isSymbolicLink() ? 'link' : 'other';
  } catch {
    return null;
  }
}

/** The path of the first ENOENT in an error chain: what may exist outside the sandbox, unseen inside. */
function findAbsentPath(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSES && current instanceof Error; depth++) {
    const {code, path} = current as Error & {code?: unknown; path?: unknown};
    if (code === 'ENOENT' && typeof path === 'string') return path;
    current = current.cause;
  }
  return null;
}

/** What the daemon makes of an absent path that exists outside the sandbox. */
export function hiddenPathDenial(path: string): SandboxDeniedError {
  return new SandboxDeniedError('read', path, 'it is outside the sandbox, which sees its project, its node_modules and what allowedFiles lists');
}

function asDenial(error: Error, view: SandboxView, lstat: (path: string) => 'link' | 'other' | null): Error | null {
  // Made here, or by the daemon and sent back as a reply (then it is an Error with the code).
  if (error instanceof SandboxDeniedError) return error;
  const {code, permission, resource, path} = error as Error & {code?: unknown; permission?: unknown; resource?: unknown; path?: unknown};
  if (code === SANDBOX_DENIED_CODE) return error;
  if (code === 'ERR_ACCESS_DENIED') {
    const target = typeof resource === 'string' ? resource : '';
    switch (permission) {
      case 'FileSystemRead':
        return new SandboxDeniedError('read', target, 'a sandboxed task reads its project, its node_modules and what allowedFiles lists');
      case 'FileSystemWrite':
        return new SandboxDeniedError('write', target, `a sandboxed task writes only to ctx.scratchDir, /tmp and the allowedFiles entries marked ":rw"`);
      case 'ChildProcess':
        return new SandboxDeniedError('spawn', '', 'a sandboxed task cannot run programs; use isolation "process" for trusted code that must');
      case 'WorkerThreads':
        return new SandboxDeniedError('worker', '', 'a sandboxed task runs on one thread');
      default:
        return new SandboxDeniedError('addon', target, `${String(permission)} is not allowed in a sandbox`);
    }
  }
  if (code === 'EMFILE') return new SandboxDeniedError('limit', 'opening more files than its cap (RLIMIT_NOFILE)', 'close files the task no longer needs');
  // A write to an open file names no path; the sandbox's small file systems are what fill up.
  if (code === 'ENOSPC') {
    const where = typeof path !== 'string' ? 'ctx.scratchDir or /tmp' : path.startsWith('/tmp/') ? '/tmp' : path === SCRATCH_DIR || path.startsWith(`${SCRATCH_DIR}/`) ? 'ctx.scratchDir' : null;
    if (where !== null) return new SandboxDeniedError('limit', `writing past the ${Math.round(view.scratchBytes / (1024 * 1024))} MB cap of ${where}`, 'raise `scratch` in the task’s options or [defaults]');
  }
  if (typeof path !== 'string') return null;
  if (code === 'EROFS' || code === 'EPERM') return new SandboxDeniedError('write', path, 'the project is read-only in a sandbox; mark the directory ":rw" in allowedFiles');
  // A symlink whose target the sandbox does not see: present as a link, absent once followed.
  if (code === 'ENOENT' && lstat(path) === 'link') return new SandboxDeniedError('read', path, 'it is a symlink to a path outside what the sandbox sees');
  return null;
}
