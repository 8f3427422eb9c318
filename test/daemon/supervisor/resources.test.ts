import {afterEach, beforeEach, describe, expect, it} from 'vitest';
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
