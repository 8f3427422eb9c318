import {describe, expect, it} from 'vitest';
import {localTime, renderOutcome, renderRunDetails, renderSubmitted} from '../../src/render/runs.js';
import {painter} from '../../src/render/style.js';
import type {RunRecord} from '../../src/protocol/index.js';

const run: RunRecord = {
  id: 'run_1',
  namespace: 'reports',
  task: 'build',
  status: 'running',
  input: null,
  result: null,
  error: null,
  attempts: [
    {n: 1, startedAt: '2026-11-21T12:00:00.000Z', finishedAt: '2026-11-21T12:00:01.000Z', error: {type: 'interrupted', message: 'the daemon stopped while this attempt was running', stack: null}, worker: {pid: 4242, startTime: 1}},
    {n: 2, startedAt: '2026-11-21T12:00:02.000Z', finishedAt: null, error: null},
  ],
  createdAt: '2026-11-21T12:00:00.000Z',
  startedAt: '2026-11-21T12:00:00.000Z',
  finishedAt: null,
  durationMs: null,
  cpuMs: null,
  peakMemoryMb: null,
  parentId: null,
  priority: 0,
  wakeAt: null,
  idempotencyKey: null,
  idempotencyExpiresAt: null,
};

describe('renderRunDetails', () => {
  it('names the worker process of a process attempt, and none for a thread one', () => {
    const lines = renderRunDetails(run, painter(false)).split('\n');
    expect(lines).toContain('  #1 2026-11-21T12:00:00.000Z → 2026-11-21T12:00:01.000Z (pid 4242)  interrupted: the daemon stopped while this attempt was running');
    // Still running: no outcome yet, not "ok".
    expect(lines).toContain('  #2 2026-11-21T12:00:02.000Z → running');
  });

  it('says which attempts ended at a sleep or a wait', () => {
    const slept = {...run, status: 'sleeping' as const, attempts: [{n: 1, startedAt: '2026-11-21T12:00:00.000Z', finishedAt: '2026-11-21T12:00:01.000Z', error: null, suspended: 'sleeping' as const}]};
    expect(renderRunDetails(slept, painter(false)).split('\n')).toContain('  #1 2026-11-21T12:00:00.000Z → 2026-11-21T12:00:01.000Z  sleeping');
  });
});

describe('a scheduled run', () => {
  const scheduled: RunRecord = {...run, status: 'scheduled', attempts: [], startedAt: null, wakeAt: '2026-11-21T12:10:00.000Z', priority: 5, idempotencyKey: 'order-42', idempotencyExpiresAt: '2026-11-22T12:00:00.000Z'};
  const now = Date.parse('2026-11-21T12:00:00.000Z');

  it('is reported with when it runs, in local time and from now', () => {
    expect(renderSubmitted(scheduled, now)).toBe(`run_1 scheduled at ${localTime(scheduled.wakeAt!)} (in 10m)`);
    expect(renderSubmitted({...scheduled, status: 'queued', wakeAt: null}, now)).toBe('run_1 queued');
    expect(localTime(scheduled.wakeAt!)).toMatch(/^2026-11-2[12] \d\d:\d0:00 [+-]\d\d:\d\d$/);
  });

  it('shows its start, priority and key', () => {
    const lines = renderRunDetails(scheduled, painter(false), now).split('\n');
    expect(lines).toContain(`runs     at ${localTime(scheduled.wakeAt!)} (in 10m)`);
    expect(lines).toContain('priority 5');
    expect(lines).toContain('key      order-42 (idempotency, until 2026-11-22T12:00:00.000Z)');
  });
});

describe('renderOutcome', () => {
  it('counts the tries of a run, not the attempts that stopped at a sleep or a wait', () => {
    const attempt = (n: number, suspended?: 'sleeping') => ({n, startedAt: '2026-11-21T12:00:00.000Z', finishedAt: '2026-11-21T12:00:01.000Z', error: null, ...(suspended ? {suspended} : {})});
    const slept = {...run, status: 'succeeded' as const, result: 1, attempts: [attempt(1, 'sleeping'), attempt(2)]};
    expect(renderOutcome(slept, painter(false))).not.toContain('after');
    const retried = {...slept, attempts: [{...attempt(1), error: {type: 'error' as const, message: 'x', stack: null}}, attempt(2, 'sleeping'), attempt(3)]};
    expect(renderOutcome(retried, painter(false))).toContain('after 2 attempts');
  });
});
