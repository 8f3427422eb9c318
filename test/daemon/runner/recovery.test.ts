import {describe, expect, it} from 'vitest';
import {isSameWorker, orphanedAttempts} from '../../../daemon/runner/recovery.js';
import {failAttempt, newRun, NO_USAGE, recordWorker, startAttempt} from '../../../daemon/runner/run-state.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const queued = (id: string) => newRun({id, namespace: 'reports', task: 'build', input: null, parentId: null}, T0);
const worker = {pid: 4242, startTime: 987_654};

describe('isSameWorker: is the process behind a recorded worker pid still that worker?', () => {
  it('is, when it is alive and started at the recorded time', () => {
    expect(isSameWorker(worker, {state: 'R', startTime: 987_654})).toBe(true);
    expect(isSameWorker(worker, {state: 'S', startTime: 987_654})).toBe(true);
  });

  it('is not when the pid is free, or belongs to a zombie (dead already)', () => {
    expect(isSameWorker(worker, null)).toBe(false);
    expect(isSameWorker(worker, {state: 'Z', startTime: 987_654})).toBe(false);
  });

  it('is not when the pid was given to a later process: another start time, never ours to end', () => {
    expect(isSameWorker(worker, {state: 'S', startTime: 987_655})).toBe(false);
    expect(isSameWorker(worker, {state: 'S', startTime: 12})).toBe(false);
  });
});

describe('orphanedAttempts: what runs left running may have left behind', () => {
  it('names the open attempt of every run left running, with its worker if one was recorded', () => {
    const inProcess = recordWorker(startAttempt(queued('run_a'), T0), worker);
    const inThread = startAttempt(queued('run_b'), T0);
    const retried = recordWorker(startAttempt(failAttempt(recordWorker(startAttempt(queued('run_c'), T0), {pid: 1, startTime: 2}), {type: 'error', message: 'x', stack: null}, NO_USAGE, T0, true), T0), worker);
    expect(orphanedAttempts([inProcess, inThread, retried, queued('run_d')])).toEqual([
      {runId: 'run_a', attempt: 1, worker},
      {runId: 'run_b', attempt: 1, worker: null},
      // The last attempt's worker, not the first one's.
      {runId: 'run_c', attempt: 2, worker},
    ]);
  });

  it('leaves out queued and finished runs: nothing of theirs runs', () => {
    const failed = failAttempt(recordWorker(startAttempt(queued('run_e'), T0), worker), {type: 'error', message: 'x', stack: null}, NO_USAGE, T0, false);
    expect(orphanedAttempts([queued('run_d'), failed])).toEqual([]);
  });
});

describe('recordWorker', () => {
  it('keeps the worker with the open attempt only, and refuses a run that is not running', () => {
    const run = recordWorker(startAttempt(queued('run_a'), T0), worker);
    expect(run.attempts).toEqual([{n: 1, startedAt: '2025-01-01T00:00:00.000Z', finishedAt: null, error: null, worker}]);
    expect(() => recordWorker(queued('run_q'), worker)).toThrow('run run_q is queued: only a running attempt has a worker to record');
  });
});
