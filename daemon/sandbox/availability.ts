import {execFile} from 'node:child_process';
import {accessSync, constants} from 'node:fs';
import {delimiter, join} from 'node:path';
import type {SandboxStatus} from '../../src/protocol/index.js';
import {nodeRuntime} from './runtime-files.js';

/** Whether sandboxed tasks can run here; found once, when the daemon starts. */
export type SandboxAvailability = {available: true; bwrap: string} | {available: false; reason: string; hint: string};

const PROBE_TIMEOUT_MS = 10_000;

/**
 * Finds bubblewrap on the daemon's PATH and makes one sandbox of the kind attempts get (every
 * namespace, node as its init), so that a kernel refusing user namespaces is found now, not at
 * a run.
 */
export async function probeSandbox(path: string = process.env.PATH ?? ''): Promise<SandboxAvailability> {
  const bwrap = findOnPath('bwrap', path);
  if (bwrap === null) {
    return {
      available: false,
      reason: 'bubblewrap (bwrap) is not installed, or not on the daemon’s PATH',
      hint: 'install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), then `capsule daemon restart`',
    };
  }
  const {node, files} = nodeRuntime();
  const args = ['--unshare-all', '--die-with-parent', '--as-pid-1', ...files.flatMap((file) => ['--ro-bind', file, file]), '--proc', '/proc', '--', node, '-e', '0'];
  const failure = await new Promise<string | null>((resolve) => {
    execFile(bwrap, args, {env: {}, timeout: PROBE_TIMEOUT_MS}, (error, _stdout, stderr) => resolve(error === null ? null : stderr.trim() || error.message));
  });
  if (failure === null) return {available: true, bwrap};
  return {
    available: false,
    reason: `bubblewrap cannot make a sandbox here: ${failure.split('\n')[0]}`,
    hint: 'the kernel must allow user namespaces: sysctl kernel.unprivileged_userns_clone=1 (Debian), kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04), or user.max_user_namespaces above 0; inside a container, run it with --privileged or a seccomp profile that allows unshare; then `capsule daemon restart`',
  };
}

function findOnPath(command: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** The probe's finding as `daemon status` and `list` report it. */
export function sandboxStatus(found: SandboxAvailability): SandboxStatus {
  return found.available ? {available: true, reason: `bubblewrap at ${found.bwrap}`, hint: null} : {available: false, reason: found.reason, hint: found.hint};
}
