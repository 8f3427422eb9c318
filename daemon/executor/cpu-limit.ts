import {execFile} from 'node:child_process';

/**
 * The kernel's CPU-time limit (RLIMIT_CPU) on task child processes, set with util-linux
 * `prlimit`. Only the soft limit is used: at it the kernel sends SIGXCPU, whose default action
 * ends the process even in a busy loop, and an unprivileged owner can lift a soft limit again
 * (not a hard one) for the child's next attempt. Calls for one pid run in order, so a late
 * "disarm" never undoes a newer "arm". Without prlimit (or off Linux) every call is a no-op
 * returning false, and the executor's measurement alone enforces the budget.
 */
export class KernelCpuLimit {
  private readonly queues = new Map<number, Promise<boolean>>();
  private available = process.platform === 'linux';

  constructor(private readonly command = 'prlimit') {}

  get isAvailable(): boolean {
    return this.available;
  }

  /** Ends `pid` once it has used `seconds` of CPU in total (the limit counts the process's whole life). */
  arm(pid: number, seconds: number): Promise<boolean> {
    // No core dump for SIGXCPU: a task's memory image has no business on disk.
    return this.enqueue(pid, [`--cpu=${Math.max(1, Math.ceil(seconds))}:`, '--core=0']);
  }

  disarm(pid: number): Promise<boolean> {
    return this.enqueue(pid, ['--cpu=unlimited:']);
  }

  /** Waits for calls under way. */
  async close(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  private enqueue(pid: number, args: string[]): Promise<boolean> {
    const next = (this.queues.get(pid) ?? Promise.resolve(true)).then(() => this.prlimit(pid, args));
    this.queues.set(pid, next);
    void next.then(() => {
      if (this.queues.get(pid) === next) this.queues.delete(pid);
    });
    return next;
  }

  private prlimit(pid: number, args: string[]): Promise<boolean> {
    if (!this.available) return Promise.resolve(false);
    return new Promise((resolve) => {
      execFile(this.command, ['--pid', String(pid), ...args], (error) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') this.available = false;
        // Any other failure means the process is already gone: nothing left to limit.
        resolve(error === null);
      });
    });
  }
}
