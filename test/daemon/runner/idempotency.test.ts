import {describe, expect, it} from 'vitest';
import {IdempotencyIndex} from '../../../daemon/runner/idempotency.js';
import type {RunRecord} from '../../../src/protocol/index.js';

const T0 = Date.parse('2026-11-21T12:00:00.000Z');

function stored(id: string, key: string | null, expiresAt: number | null, task = 'build'): RunRecord {
  return {
    id,
    namespace: 'reports',
    task,
    status: 'succeeded',
    input: null,
    result: null,
    error: null,
    attempts: [],
    createdAt: new Date(T0).toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    cpuMs: null,
    peakMemoryMb: null,
    parentId: null,
    priority: 0,
    wakeAt: null,
    idempotencyKey: key,
    idempotencyExpiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
  };
}

describe('IdempotencyIndex', () => {
  it('finds a key while it lives, scoped to its task, and forgets it once expired', () => {
    const index = new IdempotencyIndex([], T0, () => true);
    index.add('reports/build', 'order-42', 'run_a', T0 + 1000, T0);
    expect(index.find('reports/build', 'order-42', T0 + 999)).toBe('run_a');
    expect(index.find('reports/publish', 'order-42', T0)).toBeUndefined();
    expect(index.find('reports/build', 'order-43', T0)).toBeUndefined();
    expect(index.find('reports/build', 'order-42', T0 + 1000)).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it('forgets a key whose run was pruned from the history', () => {
    const kept = new Set(['run_a']);
    const index = new IdempotencyIndex([], T0, (runId) => kept.has(runId));
    index.add('reports/build', 'k', 'run_a', T0 + 60_000, T0);
    expect(index.find('reports/build', 'k', T0)).toBe('run_a');
    kept.delete('run_a');
    expect(index.find('reports/build', 'k', T0)).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it('is rebuilt from the history: live keys only, the later run of a key winning', () => {
    const history = [stored('run_old', 'k', T0 + 5000), stored('run_new', 'k', T0 + 9000), stored('run_expired', 'gone', T0 - 1), stored('run_plain', null, null), stored('run_other', 'k', T0 + 5000, 'publish')];
    const index = new IdempotencyIndex(history, T0, () => true);
    expect(index.size).toBe(2);
    expect(index.find('reports/build', 'k', T0)).toBe('run_new');
    expect(index.find('reports/publish', 'k', T0)).toBe('run_other');
    expect(index.find('reports/build', 'gone', T0)).toBeUndefined();
  });

  it('removes a key only for the run it names', () => {
    const index = new IdempotencyIndex([], T0, () => true);
    index.add('reports/build', 'k', 'run_b', T0 + 1000, T0);
    index.remove('reports/build', 'k', 'run_a');
    expect(index.find('reports/build', 'k', T0)).toBe('run_b');
    index.remove('reports/build', 'k', 'run_b');
    expect(index.find('reports/build', 'k', T0)).toBeUndefined();
  });

  it('sweeps expired and pruned keys that are never asked for again, so it stays bounded', () => {
    const index = new IdempotencyIndex([], T0, () => true);
    let now = T0;
    for (let n = 0; n < 20_000; n++) {
      // Each key lives 100 ms and submits come every ms: about 100 live at any time.
      index.add('reports/build', `k${n}`, `run_${n}`, now + 100, now);
      now++;
      expect(index.size).toBeLessThanOrEqual(2048);
    }
    expect(index.find('reports/build', 'k19999', now)).toBe('run_19999');
  });
});
