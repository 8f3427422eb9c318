import {formatDuration} from '../../src/lib/duration.js';
import {formatSize} from '../../src/lib/size.js';
import type {RunErrorType} from '../../src/protocol/index.js';
import type {AttemptLimits} from '../runner/executor-api.js';
import type {WorkerExit} from './workers.js';

/** Why the executor ended an attempt itself. */
export type StopReason = Extract<RunErrorType, 'timeout' | 'cancelled' | 'out_of_memory' | 'compute_exhausted' | 'interrupted' | 'crashed' | 'sandbox_denied'>;

export interface Classified {
  type: RunErrorType;
  message: string;
}

export interface Measured {
  cpuMs: number | null;
  memoryBytes: number | null;
}

export function describeStop(reason: StopReason, limits: AttemptLimits, measured: Measured): string {
  switch (reason) {
    case 'timeout':
      return `the attempt ran longer than its timeout of ${formatDuration(limits.timeoutMs)}`;
    case 'cancelled':
      return 'the run was cancelled';
    case 'interrupted':
      return 'the daemon stopped the attempt while shutting down';
    case 'crashed':
      return 'no worker started the attempt in time; the daemon may be overloaded';
    case 'out_of_memory':
      return `the attempt used ${measured.memoryBytes === null ? 'more' : formatSize(measured.memoryBytes)} of memory, over its limit of ${formatSize(limits.ramBytes)}`;
    case 'compute_exhausted':
      return `the attempt used ${measured.cpuMs === null ? 'more' : formatDuration(measured.cpuMs)} of CPU time, over its CPU budget of ${formatDuration(limits.computeMs)}`;
    case 'sandbox_denied':
      return 'the sandbox denied the attempt more processes than its cap: it was stopped with all of them';
  }
}

/**
 * Names what ended an attempt whose worker failed without the executor stopping it, from what
 * tinypool rejected with, how the worker exited and the end of a child's stderr.
 */
export function classifyFailure(error: unknown, exit: WorkerExit | null, stderrTail: string, limits: AttemptLimits): Classified {
  if ((error as {code?: unknown} | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {type: 'out_of_memory', message: `the attempt exhausted its heap limit of ${formatSize(limits.ramBytes)}`};
  }
  if (exit?.signal === 'SIGXCPU') {
    return {type: 'compute_exhausted', message: `the attempt used more than its CPU budget of ${formatDuration(limits.computeMs)} (stopped by the kernel)`};
  }
  if (/heap out of memory/i.test(stderrTail)) {
    return {type: 'out_of_memory', message: `the attempt exhausted its heap limit of ${formatSize(limits.ramBytes)}`};
  }
  if (exit?.signal) return {type: 'crashed', message: `the worker was killed by ${exit.signal}`};
  if (exit !== null && exit.code !== null) return {type: 'crashed', message: `the worker exited with code ${exit.code} during the attempt (process.exit in the task?)`};
  return {type: 'crashed', message: `the worker failed: ${error instanceof Error ? error.message : String(error)}`};
}
