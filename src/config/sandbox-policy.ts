/**
 * What a sandboxed task may reach (`isolation = "sandbox"`): the project read-only and its
 * `node_modules` always, plus what it declares. Built from `[defaults]` and `task({...})` by the
 * config rules; the executor turns it into bubblewrap mounts, Node permission flags, rlimits and
 * the egress proxy's host list.
 */
export interface SandboxPolicy {
  /** `allowedFiles`: absolute paths under the project root as the daemon names it, no symlink below it (none leaves the project), each mounted at the same path. */
  files: SandboxMount[];
  /** `allowedHosts` as written (lower-cased) and checked: `api.example.com`, `*.example.org`, `127.0.0.1:8080`, `[::1]:8080`. */
  hosts: string[];
  /** Size cap of `ctx.scratchDir` (and of the private /tmp, separately), bytes. */
  scratchBytes: number;
  /** Processes (and threads) the sandbox may hold at once. */
  maxProcesses: number;
  /** Open file descriptors per process (RLIMIT_NOFILE). */
  maxOpenFiles: number;
}

export interface SandboxMount {
  path: string;
  writable: boolean;
}

/** The policy of a sandboxed task that declares nothing. */
export const DEFAULT_SANDBOX_POLICY: SandboxPolicy = {files: [], hosts: [], scratchBytes: 64 * 1024 * 1024, maxProcesses: 64, maxOpenFiles: 256};
