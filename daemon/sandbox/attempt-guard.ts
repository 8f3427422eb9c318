import {realpathSync} from 'node:fs';
import {resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {SandboxPolicy} from '../../src/config/sandbox-policy.js';
import type {ModuleSource} from '../worker/protocol.js';
import {SandboxDeniedError} from '../worker/sandbox-denial.js';
import {nodeModulesAbove} from './runtime-files.js';

/**
 * What the daemon does for a sandboxed attempt's worker, checked: the worker is the task's own
 * process, so anything it asks may come from the task's code (which can read the attempt's token
 * off its own channel and send what it likes). Nothing it asks may reach past the sandbox.
 */
export class AttemptGuard {
  private readonly readable: string[];
  /** Runs this attempt submitted: the only ones it may await (their results are its to see). */
  private readonly submitted = new Set<string>();

  constructor(
    private readonly namespace: string,
    root: string,
    policy: SandboxPolicy,
  ) {
    const dir = resolve(root);
    this.readable = [dir, ...nodeModulesAbove(dir), ...policy.files.map((file) => file.path)].map(canonical);
  }

  /**
   * A module's source, only where the sandbox could read the file itself: the daemon reads it
   * with its symlinks followed, so where they lead is what is checked (a link in the project to
   * a file outside is absent inside the sandbox, and must be here too).
   */
  async load(url: string, serve: () => Promise<ModuleSource | null>): Promise<ModuleSource | null> {
    this.admit(url);
    return serve();
  }

  /** Throws unless the sandbox could read the module at `url` itself. */
  admit(url: string): void {
    const path = url.startsWith('file:') ? fileURLToPath(url) : null;
    const real = path === null ? null : canonical(path);
    if (real === null || !this.readable.some((dir) => real === dir || real.startsWith(`${dir}/`))) {
      throw new SandboxDeniedError('read', path ?? url, 'a sandboxed task imports modules from its project and its node_modules');
    }
  }

  /** A child run, of this project's tasks only: another project's may run unsandboxed, with this task's input. */
  async submit(task: string, submit: () => Promise<string>): Promise<string> {
    const slash = task.indexOf('/');
    if (slash !== -1 && task.slice(0, slash) !== this.namespace) {
      throw new SandboxDeniedError('limit', `submitting a run of ${task}`, "a sandboxed task submits runs of its own project's tasks only");
    }
    const id = await submit();
    this.submitted.add(id);
    return id;
  }

  await(runId: string, wait: () => Promise<unknown>): Promise<unknown> {
    if (!this.submitted.has(runId)) throw new SandboxDeniedError('limit', `awaiting run ${runId}`, 'a sandboxed attempt awaits only the runs it submitted');
    return wait();
  }
}

/** The path with every symlink resolved; as written if it does not exist (then nothing is served anyway). */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
