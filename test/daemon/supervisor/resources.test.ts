import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {systemClock} from '../../../daemon/core/clock.js';
import {fixture, Harness, NODE, service, waitFor} from './harness.js';

describe('resource sampling, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('reports CPU and RSS of the process group', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: service({command: [NODE, fixture('sleeper.js')]})});
    const sampled = await waitFor('two samples', () => {
      const snapshot = supervisor.snapshot('app', 'svc');
      return snapshot.cpuPercent !== null ? snapshot : null;
    });
    expect(sampled.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(sampled.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(h.states.some((state) => state.rssBytes !== null)).toBe(true);
  });

  it("tells a service's usage only when a sample changes it", async () => {
    // The sampler's own interval, told apart from the other timers by its length.
    const SAMPLE_MS = 123;
    let samples = 0;
    const clock = {now: () => systemClock.now(), schedule: (ms: number, callback: () => void) => systemClock.schedule(ms, ms === SAMPLE_MS ? () => (samples++, callback()) : callback)};
    const supervisor = h.supervisor({clock, sampleIntervalMs: SAMPLE_MS});
    // sleep uses no CPU and keeps its RSS: after its first two samples nothing changes.
    await supervisor.setProjectServices('app', h.dir, {idle: service({command: ['sleep', '60']})});
    await waitFor('two samples', () => supervisor.snapshot('app', 'idle').cpuPercent !== null);
    const told = h.states.length;
    const from = samples;
    await waitFor('five more samples', () => samples >= from + 5);
    expect(h.states.slice(told).map((state) => [state.cpuPercent, state.rssBytes])).toEqual([]);
  });

  it('restarts a service over max_memory, with an audit event', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {
      hog: service({command: [NODE, fixture('memory-hog.js'), '96'], max_memory: '48MB', backoff: {initial: '50ms'}, max_restarts: 1}),
    });
    await waitFor('failed after a memory restart', () => supervisor.snapshot('app', 'hog').state === 'failed');
    expect(h.eventsOf('stop', 'app/hog')[0]?.details).toMatchObject({cause: 'max_memory', detail: expect.stringMatching(/^RSS \d+MB is over max_memory 48MB$/)});
    expect(h.eventsOf('restart', 'app/hog')[0]?.details).toMatchObject({cause: 'max_memory'});
  });
});
