import {describe, expect, it} from 'vitest';
import {renderRunDetails} from '../../src/render/runs.js';
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
