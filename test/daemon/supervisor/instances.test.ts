import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {fixture, Harness, isAlive, NODE, service, waitFor} from './harness.js';

describe('instances, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  const printer = (instances: number, extra: Record<string, unknown> = {}) =>
    service({command: [NODE, fixture('print-env.js'), 'CAPSULE_INSTANCE', 'PORT'], instances, port: 9100, stop_timeout: '2s', ...extra});

  const pids = (supervisor: ReturnType<Harness['supervisor']>) => supervisor.snapshot('app').map((snapshot) => snapshot.pid);
  const allRunning = (supervisor: ReturnType<Harness['supervisor']>, count: number) =>
    waitFor(`${count} instances running`, () => {
      const snapshots = supervisor.snapshot('app');
      return snapshots.length === count && snapshots.every((snapshot) => snapshot.state === 'running') ? snapshots : null;
    });

  it('gives each instance its number and port, and a log of its own', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: printer(3)});
    const snapshots = await allRunning(supervisor, 3);
    expect(snapshots.map((snapshot) => [snapshot.name, snapshot.instance, snapshot.instances])).toEqual([
      ['svc#0', 0, 3],
      ['svc#1', 1, 3],
      ['svc#2', 2, 3],
    ]);
    for (const [instance, key] of [[0, 'svc'], [1, 'svc#1'], [2, 'svc#2']] as const) {
      await waitFor(`instance ${instance}'s environment`, async () => (await h.logText('app', key)).includes(`CAPSULE_INSTANCE=${instance}\n`));
      expect(await h.logText('app', key)).toContain(`PORT=${9100 + instance}`);
    }
  });

  it('a new `instances` in the declaration adds or stops instances and leaves the others running', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: printer(2)});
    const two = (await allRunning(supervisor, 2)).map((snapshot) => snapshot.pid);

    await supervisor.setProjectServices('app', h.dir, {svc: printer(3)});
    await allRunning(supervisor, 3);
    expect(pids(supervisor).slice(0, 2)).toEqual(two);

    const three = pids(supervisor);
    await supervisor.setProjectServices('app', h.dir, {svc: printer(1)});
    expect(supervisor.snapshot('app').map((snapshot) => [snapshot.name, snapshot.pid])).toEqual([['svc', two[0]]]);
    expect(await isAlive(three[1]!)).toBe(false);
    expect(await isAlive(three[2]!)).toBe(false);
    // Stopped side by side: in either order.
    expect(h.eventsOf('stop').map((event) => [event.target, event.details['cause']]).sort()).toEqual([
      ['app/svc#1', 'scale'],
      ['app/svc#2', 'scale'],
    ]);
  });

  it('a config change reaches every instance (by restart), recorded once for the service', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: printer(2, {config: {level: {type: 'integer', default: 1}}})});
    const before = (await allRunning(supervisor, 2)).map((snapshot) => snapshot.pid);
    const result = await supervisor.configSet('app', 'svc#1', 'level', 2);
    expect(result.delivery).toBe('restart');
    const after = await allRunning(supervisor, 2);
    expect(after.map((snapshot) => snapshot.pid === before[snapshot.instance])).toEqual([false, false]);
    expect(h.eventsOf('config').map((event) => event.target)).toEqual(['app/svc']);
  });
});
