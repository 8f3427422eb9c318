import {dirname} from 'node:path';
import type {SandboxPolicy} from '../../src/config/sandbox-policy.js';
import {EGRESS_SOCKET, SCRATCH_DIR} from './protocol.js';
import type {NodeRuntime} from './runtime-files.js';

/** The file descriptor bubblewrap writes the sandbox's pid (in the daemon's PID namespace) to. */
export const INFO_FD = 4;

const MIB = 1024 * 1024;

/** Everything one sandbox is made of; what differs between two of them is a different spare. */
export interface SandboxLayout {
  /** bubblewrap's path. */
  bwrap: string;
  /** The Node binary, and the files it needs to start: itself and its shared libraries (runtime-files.ts). */
  runtime: NodeRuntime;
  /** Capsule's dist/: the worker entry, the loader hooks and the SDK. */
  distDir: string;
  /** The project directory, canonical: mounted read-only at the same path, and the working directory. */
  root: string;
  /** `node_modules` directories the project resolves imports from. */
  nodeModules: string[];
  policy: SandboxPolicy;
  /** The egress proxy's socket in the daemon's file system, mounted at EGRESS_SOCKET. */
  egressSocket: string;
  /**
   * A code session's host instead of a task's worker: `runDir` (its socket's and its egress
   * proxy's directory) is mounted where EGRESS_SOCKET is, so that a daemon started after this one
   * finds both, and the sandbox outlives the daemon.
   */
  session?: {runDir: string};
  /** The heap cap, bytes (Infinity: none). */
  ramBytes: number;
}

/**
 * The command that starts one sandboxed worker: a shell that sets the open-files rlimit (which
 * bubblewrap does not) and becomes bubblewrap, which makes the namespaces and mounts and becomes
 * node, with Node's permission model as a second wall inside the first.
 *
 * bubblewrap starts from an empty root: only what is mounted here exists. /tmp comes before the
 * binds because a project may itself live under /tmp. `--as-pid-1` makes node the namespace's
 * init, so anything it could start dies with it; `--die-with-parent` ends it with the daemon.
 */
export function sandboxCommand(layout: SandboxLayout): {file: string; args: string[]} {
  const {policy, root} = layout;
  const scratchBytes = String(policy.scratchBytes);
  const bind = (flag: string, path: string) => [flag, path, path];
  const outsideRoot = (path: string) => path !== root && !path.startsWith(`${root}/`);
  const {session} = layout;
  const runDir = dirname(EGRESS_SOCKET);
  const bwrapArgs = [
    '--unshare-all',
    ...(session === undefined ? ['--die-with-parent'] : []),
    '--new-session',
    '--as-pid-1',
    '--info-fd',
    String(INFO_FD),
    '--hostname',
    'sandbox',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    scratchBytes,
    '--tmpfs',
    '/tmp',
    '--size',
    scratchBytes,
    '--tmpfs',
    SCRATCH_DIR,
    ...layout.runtime.files.flatMap((file) => bind('--ro-bind', file)),
    ...bind('--ro-bind', layout.distDir),
    ...bind('--ro-bind', root),
    ...layout.nodeModules.filter(outsideRoot).flatMap((dir) => bind('--ro-bind', dir)),
    // After the project: a writable directory inside the read-only project is mounted over it.
    ...policy.files.flatMap((file) => bind(file.writable ? '--bind' : '--ro-bind', file.path)),
    ...(session === undefined ? ['--bind', layout.egressSocket, EGRESS_SOCKET] : ['--bind', session.runDir, runDir]),
    '--chdir',
    root,
  ];
  // /proc is the sandbox's own: its PID namespace holds the task alone.
  const readable = [layout.distDir, root, ...layout.nodeModules, ...policy.files.map((file) => file.path), SCRATCH_DIR, '/tmp', '/proc', ...(session === undefined ? [] : [runDir])];
  const writable = [SCRATCH_DIR, '/tmp', ...(session === undefined ? [] : [runDir]), ...policy.files.filter((file) => file.writable).map((file) => file.path)];
  const nodeArgs = [
    '--experimental-permission',
    // Node 20 runs module hooks (TypeScript, the `capsule` import) on a worker thread; the worker
    // entry refuses `new Worker` to the task itself (worker/sandbox-worker.ts).
    '--allow-worker',
    ...readable.map((path) => `--allow-fs-read=${path}`),
    ...writable.map((path) => `--allow-fs-write=${path}`),
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    ...(Number.isFinite(layout.ramBytes) ? [`--max-old-space-size=${Math.max(1, Math.floor(layout.ramBytes / MIB))}`] : []),
    `${layout.distDir}/${session === undefined ? 'sandbox-worker.js' : 'session-host.js'}`,
  ];
  return {
    file: '/bin/sh',
    args: ['-c', `ulimit -n ${policy.maxOpenFiles} && exec "$@"`, 'sh', layout.bwrap, ...bwrapArgs, '--', layout.runtime.node, ...nodeArgs],
  };
}
