import {describe, expect, it} from 'vitest';
import {isFinalRunStatus} from '../../../src/protocol/index.js';
import {assertTransition, canTransition, cancelRun, failAttempt, newRun, NO_USAGE, recordDroppedRequests, recordRequest, requestListFull, startAttempt, succeedRun} from '../../../daemon/runner/run-state.js';
import {MAX_ATTEMPT_REQUESTS, RunRecord as RunRecordSchema} from '../../../src/protocol/runs.js';
import type {RunError, RunStatus} from '../../../src/protocol/index.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const boom: RunError = {type: 'error', message: 'boom', stack: null};
const queued = () => newRun({id: 'run_1', namespace: 'reports', task: 'build', input: {id: 7}, parentId: null}, T0);

describe('run state machine', () => {
  it('makes a record with every field, in the order records are written, and the defaults of what was left out', () => {
    const run = queued();
    expect(Object.keys(run)).toEqual(['id', 'namespace', 'task', 'input', 'parentId', 'priority', 'wakeAt', 'idempotencyKey', 'idempotencyExpiresAt', 'status', 'result', 'error', 'attempts', 'createdAt', 'startedAt', 'finishedAt', 'durationMs', 'cpuMs', 'peakMemoryMb']);
    expect(run).toEqual({id: 'run_1', namespace: 'reports', task: 'build', input: {id: 7}, parentId: null, priority: 0, wakeAt: null, idempotencyKey: null, idempotencyExpiresAt: null, status: 'queued', result: null, error: null, attempts: [], createdAt: '2025-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, durationMs: null, cpuMs: null, peakMemoryMb: null});
    const delayed = newRun({id: 'run_2', namespace: 'reports', task: 'build', input: null, parentId: 'run_1', priority: 3, runAt: T0 + 1000, idempotency: {key: 'k', expiresAt: T0 + 60_000}}, T0);
    expect(delayed).toMatchObject({parentId: 'run_1', priority: 3, status: 'scheduled', wakeAt: '2025-01-01T00:00:01.000Z', idempotencyKey: 'k', idempotencyExpiresAt: '2025-01-01T00:01:00.000Z'});
    // A time not in the future is no delay.
    expect(newRun({id: 'run_3', namespace: 'reports', task: 'build', input: null, parentId: null, runAt: T0}, T0)).toMatchObject({status: 'queued', wakeAt: null});
  });

  it('allows exactly the documented transitions', () => {
    const statuses: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
    const allowed = statuses.flatMap((from) => statuses.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual(['queued→running', 'queued→cancelled', 'running→queued', 'running→succeeded', 'running→failed', 'running→cancelled']);
    // The state machine and the protocol's word for "final" must agree: a final state has no way out.
    expect(statuses.filter((from) => statuses.every((to) => !canTransition(from, to)))).toEqual(statuses.filter(isFinalRunStatus));
    expect(statuses.filter(isFinalRunStatus)).toEqual(['succeeded', 'failed', 'cancelled']);
  });

  it('throws on an illegal transition, naming the run and both states', () => {
    const done = succeedRun(startAttempt(queued(), T0), 1, NO_USAGE, T0 + 5);
    expect(() => assertTransition(done, 'running')).toThrow('run run_1 cannot go from succeeded to running; allowed from succeeded: nothing (it is final)');
    expect(() => startAttempt(done, T0)).toThrow(/cannot go from succeeded to running/);
    expect(() => succeedRun(queued(), 1, NO_USAGE, T0)).toThrow('run run_1 cannot go from queued to succeeded; allowed from queued: running, cancelled');
    expect(() => failAttempt(queued(), boom, NO_USAGE, T0, false)).toThrow(/queued to failed/);
  });

  it('records each attempt, the usage and the timing', () => {
    const first = startAttempt(queued(), T0 + 10);
    expect(first).toMatchObject({status: 'running', startedAt: '2025-01-01T00:00:00.010Z', attempts: [{n: 1, startedAt: '2025-01-01T00:00:00.010Z', finishedAt: null, error: null}]});
    const retried = failAttempt(first, boom, {cpuMs: 4, peakMemoryMb: 50}, T0 + 20, true);
    expect(retried).toMatchObject({status: 'queued', error: boom, finishedAt: null, cpuMs: 4, peakMemoryMb: 50});
    expect(retried.attempts[0]).toEqual({n: 1, startedAt: '2025-01-01T00:00:00.010Z', finishedAt: '2025-01-01T00:00:00.020Z', error: boom});
    const second = startAttempt(retried, T0 + 1000);
    expect(second.startedAt).toBe('2025-01-01T00:00:00.010Z');
    expect(second.error).toBeNull();
    const done = succeedRun(second, {ok: true}, {cpuMs: 6, peakMemoryMb: 40}, T0 + 1010);
    expect(done).toMatchObject({status: 'succeeded', result: {ok: true}, error: null, cpuMs: 10, peakMemoryMb: 50, durationMs: 1000, finishedAt: '2025-01-01T00:00:01.010Z'});
    expect(done.attempts.map((attempt) => [attempt.n, attempt.error?.message ?? null])).toEqual([
      [1, 'boom'],
      [2, null],
    ]);
  });

  it('never mutates the record it is given', () => {
    const before = queued();
    const copy = structuredClone(before);
    startAttempt(before, T0);
    expect(before).toEqual(copy);
  });

  it('cancels a queued run without an attempt and a running one by closing its attempt', () => {
    const waiting = cancelRun(queued(), 'stop', NO_USAGE, T0 + 3);
    expect(waiting).toMatchObject({status: 'cancelled', attempts: [], durationMs: null, error: {type: 'cancelled', message: 'stop', stack: null}});
    const running = cancelRun(startAttempt(queued(), T0), 'stop', NO_USAGE, T0 + 3);
    expect(running.attempts[0]).toMatchObject({finishedAt: '2025-01-01T00:00:00.003Z', error: {type: 'cancelled'}});
    expect(running.durationMs).toBe(3);
  });
});

describe('recordRequest', () => {
  const request = (n: number) => ({method: 'GET', host: 'api.example.com', status: 200, bytes: n, durationMs: 1, denied: false});

  it('appends to the open attempt only, leaving the earlier ones and the given record as they were', () => {
    const retried = startAttempt(failAttempt(startAttempt(queued(), T0), boom, NO_USAGE, T0, true), T0);
    const next = recordRequest(retried, request(1));
    expect(next.attempts[0]).not.toHaveProperty('requests');
    expect(next.attempts[1]!.requests).toEqual([request(1)]);
    expect(retried.attempts[1]).not.toHaveProperty('requests');
  });

  it(`lists ${MAX_ATTEMPT_REQUESTS} at most, then refuses to list more: the rest are counted, and the record still matches its schema`, () => {
    let run = startAttempt(queued(), T0);
    for (let n = 0; n < MAX_ATTEMPT_REQUESTS; n++) {
      expect(requestListFull(run)).toBe(false);
      run = recordRequest(run, request(n));
    }
    expect(requestListFull(run)).toBe(true);
    expect(() => recordRequest(run, request(MAX_ATTEMPT_REQUESTS))).toThrow(/count the next ones/);
    run = recordDroppedRequests(recordDroppedRequests(run, 2), 3);
    expect(run.attempts[0]!.requests).toHaveLength(MAX_ATTEMPT_REQUESTS);
    expect(run.attempts[0]!.requestsDropped).toBe(5);
    expect(recordDroppedRequests(run, 0)).toBe(run);
    expect(RunRecordSchema.safeParse(run).success).toBe(true);
  });

  it('refuses a run that is not running: no attempt is open to make requests', () => {
    expect(() => recordRequest(queued(), request(1))).toThrow(/only a running attempt/);
    expect(() => recordDroppedRequests(queued(), 1)).toThrow(/only a running attempt/);
  });
});
