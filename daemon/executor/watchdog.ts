import {readCpuMs, readRssBytes} from '../worker/procfs.js';
import type {Isolation} from '../runner/executor-api.js';

export type Exceeded = 'out_of_memory' | 'compute_exhausted';

export interface WatchedWorker {
  isolation: Isolation;
  pid: number;
  /** Kernel thread id of a worker thread (its CPU time is read per thread). */
  tid: number | null;
  /** The worker's CPU time when the attempt began, ms. */
  cpuBeforeMs: number | null;
}

/**
 * Samples one attempt's CPU time (the worker thread's, or the child process's) and, for a child
 * process, its resident memory, from /proc; reports the first limit crossed. Memory in a worker
 * thread is capped by V8 instead: threads share the process's resident set.
 */
export class Watchdog {
  /** CPU the attempt has used, as last sampled. */
  cpuMs: number | null = null;
  peakRssBytes: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly worker: WatchedWorker,
    private readonly limits: {ramBytes: number; computeMs: number},
    private readonly onExceeded: (reason: Exceeded) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  sample(): void {
    const {isolation, pid, tid, cpuBeforeMs} = this.worker;
    const cpuNow = isolation === 'thread' ? (tid === null ? null : readCpuMs(process.pid, tid)) : readCpuMs(pid);
    if (cpuNow !== null && cpuBeforeMs !== null) this.cpuMs = Math.max(0, cpuNow - cpuBeforeMs);
    if (isolation === 'process') {
      const rss = readRssBytes(pid);
      if (rss !== null) this.peakRssBytes = Math.max(rss, this.peakRssBytes ?? 0);
      if (rss !== null && rss > this.limits.ramBytes) return this.exceeded('out_of_memory');
    }
    if (this.cpuMs !== null && this.cpuMs > this.limits.computeMs) this.exceeded('compute_exhausted');
  }

  private exceeded(reason: Exceeded): void {
    this.stop();
    this.onExceeded(reason);
  }
}
