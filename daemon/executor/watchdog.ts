import {countDescendants, readCpuMs, readRssBytes} from '../worker/procfs.js';
import {exceedsMemoryLimit} from '../worker/protocol.js';
import type {Isolation} from '../runner/executor-api.js';
import type {ThreadMemoryProbe} from './thread-memory.js';

export type Exceeded = 'out_of_memory' | 'compute_exhausted' | 'sandbox_denied';

export interface WatchedWorker {
  isolation: Isolation;
  pid: number;
  /** worker_threads' threadId of a worker thread (its memory is asked through the probe). */
  threadId: number;
  /** Kernel thread id of a worker thread (its CPU time is read per thread). */
  tid: number | null;
  /** The worker's CPU time when the attempt began, ms. */
  cpuBeforeMs: number | null;
  /** Sandbox isolation: processes the worker may have below it (none can be started inside, this is the wall behind that). */
  maxProcesses: number | null;
}

/**
 * Samples one attempt's CPU time (the worker thread's, or the child process's) from /proc and
 * its memory: a child process's resident set from /proc, a worker thread's own heap, Buffers and
 * ArrayBuffers through the memory probe (threads share the process's resident set, and V8's
 * heap limit leaves Buffers out). Reports the first limit crossed.
 */
export class Watchdog {
  /** CPU the attempt has used, as last sampled. */
  cpuMs: number | null = null;
  peakMemoryBytes: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** A thread asked for its memory that has not answered yet is not asked again. */
  private probing = false;

  constructor(
    private readonly worker: WatchedWorker,
    private readonly limits: {ramBytes: number; computeMs: number},
    private readonly probe: ThreadMemoryProbe,
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
    if (isolation !== 'thread') this.memorySampled(readRssBytes(pid));
    else if (!this.probing) this.probeThread();
    if (this.timer !== null && this.cpuMs !== null && this.cpuMs > this.limits.computeMs) this.exceeded('compute_exhausted');
    const {maxProcesses} = this.worker;
    if (this.timer !== null && maxProcesses !== null && (countDescendants(pid, maxProcesses) ?? 0) > maxProcesses) this.exceeded('sandbox_denied');
  }

  private probeThread(): void {
    this.probing = true;
    void this.probe.measure(this.worker.threadId).then((bytes) => {
      this.probing = false;
      // An answer that arrives after the attempt ended is not its concern.
      if (this.timer !== null) this.memorySampled(bytes);
    });
  }

  private memorySampled(bytes: number | null): void {
    if (bytes === null) return;
    this.peakMemoryBytes = Math.max(bytes, this.peakMemoryBytes ?? 0);
    if (exceedsMemoryLimit(bytes, this.limits.ramBytes)) this.exceeded('out_of_memory');
  }

  private exceeded(reason: Exceeded): void {
    this.stop();
    this.onExceeded(reason);
  }
}
