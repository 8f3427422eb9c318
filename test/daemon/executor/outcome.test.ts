import {serialize} from 'node:v8';
import {describe, expect, it} from 'vitest';
import {settleOutcome, type AttemptFacts} from '../../../daemon/executor/outcome.js';

const MB = 1024 * 1024;

function facts(overrides: Partial<AttemptFacts>): AttemptFacts {
  return {
    limits: {ramBytes: 64 * MB, timeoutMs: 10_000, computeMs: 5_000},
    stopReason: null,
    reported: null,
    failure: null,
    exit: null,
    stderrTail: '',
    sampled: {cpuMs: null, peakMemoryBytes: null},
    ...overrides,
  };
}

describe('settleOutcome', () => {
  it('returns the reported result with the worker’s own figures', () => {
    const reported = {ok: true as const, result: serialize({n: 1, at: new Date(0)}), cpuMs: 12.4, memoryBytes: 10 * MB};
    expect(settleOutcome(facts({reported, sampled: {cpuMs: 3, peakMemoryBytes: 12 * MB}}))).toEqual({ok: true, result: {n: 1, at: new Date(0)}, cpuMs: 12, peakMemoryMb: 12});
  });

  it('keeps the reported error, its stack and whether it is fatal', () => {
    const reported = {ok: false as const, error: {name: 'FatalError', message: 'no', stack: 'FatalError: no\n    at task.ts:3:9'}, fatal: true, nondeterminism: false, cpuMs: 1, memoryBytes: MB};
    expect(settleOutcome(facts({reported}))).toEqual({ok: false, error: {type: 'error', message: 'no', stack: 'FatalError: no\n    at task.ts:3:9'}, fatal: true, cpuMs: 1, peakMemoryMb: 1});
  });

  it('names the outcome after the executor’s stop, whatever the worker reported after', () => {
    const reported = {ok: true as const, result: serialize('late'), cpuMs: 1, memoryBytes: MB};
    expect(settleOutcome(facts({stopReason: 'timeout', reported}))).toMatchObject({ok: false, fatal: false, error: {type: 'timeout', message: 'the attempt ran longer than its timeout of 10s'}});
  });

  it('records at least the cap as the peak of an attempt ended for its memory', () => {
    expect(settleOutcome(facts({stopReason: 'out_of_memory'}))).toMatchObject({peakMemoryMb: 64});
    expect(settleOutcome(facts({stopReason: 'out_of_memory', sampled: {cpuMs: 20, peakMemoryBytes: 90 * MB}}))).toMatchObject({peakMemoryMb: 90, cpuMs: 20});
  });

  it('records at least the budget as the CPU of an attempt ended for its CPU time', () => {
    const killed = {failure: {error: new Error('Worker exited unexpectedly')}, exit: {code: null, signal: 'SIGXCPU' as const}, sampled: {cpuMs: 4_200, peakMemoryBytes: null}};
    expect(settleOutcome(facts(killed))).toMatchObject({error: {type: 'compute_exhausted'}, cpuMs: 5_000});
  });

  it('classifies a failed worker, or one that vanished without a word', () => {
    expect(settleOutcome(facts({failure: {error: new Error('Worker exited unexpectedly')}, exit: {code: null, signal: 'SIGSEGV'}}))).toMatchObject({error: {type: 'crashed', message: 'the worker was killed by SIGSEGV'}});
    expect(settleOutcome(facts({}))).toMatchObject({error: {type: 'crashed', message: 'the worker ended the attempt without reporting a result'}});
  });
});
