import {describe, expect, it} from 'vitest';
import {classifyFailure, describeStop} from '../../../daemon/executor/failure.js';

const limits = {ramBytes: 128 * 1024 * 1024, timeoutMs: 30_000, computeMs: 5_000};

describe('classifyFailure', () => {
  it('reads a worker thread past its heap limit as out_of_memory', () => {
    const error = Object.assign(new Error('Worker terminated due to reaching memory limit'), {code: 'ERR_WORKER_OUT_OF_MEMORY'});
    expect(classifyFailure(error, {code: 1, signal: null}, '', limits)).toEqual({type: 'out_of_memory', message: 'the attempt exhausted its heap limit of 128MB'});
  });

  it('reads SIGXCPU as the kernel enforcing the CPU budget', () => {
    expect(classifyFailure(new Error('Worker exited unexpectedly'), {code: null, signal: 'SIGXCPU'}, '', limits)).toMatchObject({type: 'compute_exhausted'});
  });

  it('reads V8 aborting at its heap cap as out_of_memory, and another abort as a crash', () => {
    const tail = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n';
    expect(classifyFailure(new Error('Worker exited unexpectedly'), {code: null, signal: 'SIGABRT'}, tail, limits)).toMatchObject({type: 'out_of_memory'});
    expect(classifyFailure(new Error('Worker exited unexpectedly'), {code: null, signal: 'SIGABRT'}, 'assertion failed', limits)).toEqual({type: 'crashed', message: 'the worker was killed by SIGABRT'});
  });

  it('reads an exit code as a crash and keeps the message of anything else', () => {
    expect(classifyFailure(new Error('x'), {code: 3, signal: null}, '', limits)).toMatchObject({type: 'crashed', message: expect.stringContaining('code 3')});
    expect(classifyFailure(new Error('channel closed'), null, '', limits)).toEqual({type: 'crashed', message: 'the worker failed: channel closed'});
  });
});

describe('describeStop', () => {
  it('says which limit was crossed, with the figures', () => {
    expect(describeStop('timeout', limits, {cpuMs: null, memoryBytes: null})).toBe('the attempt ran longer than its timeout of 30s');
    expect(describeStop('compute_exhausted', limits, {cpuMs: 5_120, memoryBytes: null})).toBe('the attempt used 5s of CPU time, over its CPU budget of 5s');
    expect(describeStop('out_of_memory', limits, {cpuMs: null, memoryBytes: 200 * 1024 * 1024})).toBe('the attempt used 200MB of memory, over its limit of 128MB');
  });
});
