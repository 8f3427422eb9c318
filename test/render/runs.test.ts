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

describe('renderRunDetails: the requests of a sandboxed attempt', () => {
  const sandboxed: RunRecord = {
    ...run,
    status: 'failed',
    error: {type: 'sandbox_denied', message: 'the sandbox denied a request to evil.example.net', stack: null},
    attempts: [
      {
        n: 1,
        startedAt: '2026-11-21T12:00:00.000Z',
        finishedAt: '2026-11-21T12:00:01.000Z',
        error: {type: 'sandbox_denied', message: 'the sandbox denied a request to evil.example.net', stack: null},
        requests: [
          {method: 'GET', host: 'api.example.com', status: 200, bytes: 2048, durationMs: 35, denied: false},
          {method: 'POST', host: '127.0.0.1:8080', status: 503, bytes: 12, durationMs: 1500, denied: false},
          {method: 'GET', host: 'evil.example.net', status: null, bytes: 0, durationMs: 0.4, denied: true},
        ],
        requestsDropped: 3,
      },
      {n: 2, startedAt: '2026-11-21T12:00:02.000Z', finishedAt: null, error: null},
    ],
  };

  it('lists each request under its attempt: method, host, status, bytes, duration; a denied one marked, the dropped ones counted', () => {
    const lines = renderRunDetails(sandboxed, painter(false)).split('\n');
    const first = lines.indexOf('  #1 2026-11-21T12:00:00.000Z → 2026-11-21T12:00:01.000Z  sandbox_denied: the sandbox denied a request to evil.example.net');
    expect(first).toBeGreaterThan(-1);
    expect(lines.slice(first + 1, first + 6)).toEqual([
      '      GET   api.example.com   200     2KB  35ms',
      '      POST  127.0.0.1:8080    503     12B  1s',
      '      GET   evil.example.net    -      0B  0ms  denied',
      '      … and 3 more requests, counted, not listed',
      '  #2 2026-11-21T12:00:02.000Z → running',
    ]);
  });

  it('paints a denied request red', () => {
    const painted = renderRunDetails(sandboxed, painter(true));
    expect(painted).toContain('\u001b[31mdenied');
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
