import {deserialize} from 'node:v8';
import type {AttemptLimits, AttemptOutcome} from '../runner/executor-api.js';
import {toSentError, type WorkerOutcome} from '../worker/protocol.js';
import {SANDBOX_DENIED_CODE} from '../worker/sandbox-denial.js';
import {classifyFailure, describeStop, type Classified, type Measured, type StopReason} from './failure.js';
import type {WorkerExit} from './workers.js';

const MIB = 1024 * 1024;

/** Everything known about an attempt once it is over. */
export interface AttemptFacts {
  limits: AttemptLimits;
  /** Set when the executor ended the attempt: it names the outcome whatever the worker did after. */
  stopReason: StopReason | null;
  /** Said of the stop instead of describeStop's words. */
  stopMessage?: string | null;
  /** The worker's own report, if it got to send one. */
  reported: WorkerOutcome | null;
  /** What tinypool rejected the run with, if it did. */
  failure: {error: unknown} | null;
  exit: WorkerExit | null;
  stderrTail: string;
  /** The watchdog's last figures. */
  sampled: {cpuMs: number | null; peakMemoryBytes: number | null};
}

/** The CPU and memory figures of an attempt: the worker's report where it made one, else the watchdog's samples. */
export function measuredUsage({reported, sampled}: Pick<AttemptFacts, 'reported' | 'sampled'>): Measured {
  const memory = [reported?.memoryBytes, sampled.peakMemoryBytes].filter((value): value is number => typeof value === 'number');
  return {cpuMs: reported?.cpuMs ?? sampled.cpuMs, memoryBytes: memory.length === 0 ? null : Math.max(...memory)};
}

export function settleOutcome(facts: AttemptFacts): AttemptOutcome {
  const {limits, stopReason, reported, failure} = facts;
  const measured = measuredUsage(facts);
  const cpuMs = measured.cpuMs === null ? null : Math.round(measured.cpuMs);
  const peakMemoryMb = measured.memoryBytes === null ? null : toMb(measured.memoryBytes);
  // Reaching a cap is what ended such an attempt, even where the last sample fell short of it.
  const fail = ({type, message}: Classified, stack: string | null = null, fatal = false): AttemptOutcome => ({
    ok: false,
    error: {type, message, stack},
    fatal,
    cpuMs: type === 'compute_exhausted' ? Math.max(cpuMs ?? 0, limits.computeMs) : cpuMs,
    peakMemoryMb: type === 'out_of_memory' ? Math.max(peakMemoryMb ?? 0, toMb(limits.ramBytes)) : peakMemoryMb,
  });

  if (stopReason !== null) return fail({type: stopReason, message: facts.stopMessage ?? describeStop(stopReason, limits, measured)});
  if (reported !== null && reported.ok === false) {
    const type = reported.nondeterminism ? 'nondeterminism' : reported.error.code === SANDBOX_DENIED_CODE ? 'sandbox_denied' : 'error';
    return fail({type, message: reported.error.message}, reported.error.stack, reported.fatal);
  }
  if (reported !== null && reported.ok === 'suspended') return {ok: 'suspended', cpuMs, peakMemoryMb};
  if (reported !== null) {
    try {
      return {ok: true, result: deserialize(Buffer.from(reported.result.buffer, reported.result.byteOffset, reported.result.byteLength)), cpuMs, peakMemoryMb};
    } catch (error) {
      return fail({type: 'error', message: `the task's result could not be read: ${toSentError(error).message}`});
    }
  }
  if (failure !== null) return fail(classifyFailure(failure.error, facts.exit, facts.stderrTail, limits));
  return fail({type: 'crashed', message: 'the worker ended the attempt without reporting a result'});
}

function toMb(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}
