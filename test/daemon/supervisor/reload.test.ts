import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {fixture, Harness, isAlive, NODE, service, waitFor} from './harness.js';

describe('declaring services again, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  const sleeper = (extra: Record<string, unknown> = {}) => service({command: [NODE, fixture('sleeper.js')], ...extra});

  it('starts added services, restarts changed ones, stops removed ones and leaves the rest alone', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {same: sleeper(), changing: sleeper(), going: sleeper(), manual: sleeper({autostart: false})});
    await waitFor('three running', () => supervisor.snapshot('app').filter((snapshot) => snapshot.state === 'running').length === 3);
    const before = Object.fromEntries(supervisor.snapshot('app').map((snapshot) => [snapshot.name, snapshot.pid]));
    expect(before.manual).toBeNull();

    await supervisor.setProjectServices('app', h.dir, {same: sleeper(), changing: sleeper({env: {MODE: 'new'}}), manual: sleeper({autostart: false}), added: sleeper()});
    await waitFor('changed and added running', () => supervisor.snapshot('app', 'changing').state === 'running' && supervisor.snapshot('app', 'added').state === 'running');

    const after = Object.fromEntries(supervisor.snapshot('app').map((snapshot) => [snapshot.name, snapshot.pid]));
    expect(after.same).toBe(before.same);
    expect(after.changing).not.toBe(before.changing);
    expect(after.manual).toBeNull();
    expect(Object.keys(after).sort()).toEqual(['added', 'changing', 'manual', 'same']);
    expect(await isAlive(before.going!)).toBe(false);
    expect(await isAlive(before.changing!)).toBe(false);
    expect(h.eventsOf('stop').map((event) => `${event.target} ${event.details.cause}`).sort()).toEqual(['app/changing reload', 'app/going removed']);
    expect(() => supervisor.snapshot('app', 'going')).toThrow(expect.objectContaining({code: 'not_found'}));
  });

  it('removes a whole project, stopping dependents first', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {db: sleeper(), api: sleeper({depends_on: ['db']})});
    await waitFor('both running', () => supervisor.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    await supervisor.removeProject('app');
    expect(h.eventsOf('stop').map((event) => event.target)).toEqual(['app/api', 'app/db']);
    expect(supervisor.snapshot()).toEqual([]);
  });

  it('rejects a definition with a dependency on a missing service, changing nothing', async () => {
    const supervisor = h.supervisor();
    await expect(supervisor.setProjectServices('app', h.dir, {api: sleeper({depends_on: ['dbb']}), db: sleeper()})).rejects.toMatchObject({code: 'config_invalid', hint: 'did you mean "db"?'});
    await expect(supervisor.setProjectServices('app', h.dir, {'../escape': sleeper()})).rejects.toMatchObject({code: 'config_invalid'});
    expect(supervisor.snapshot()).toEqual([]);
    expect(h.events).toEqual([]);
  });

  it('stops and starts a whole project in dependency order', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {db: sleeper(), api: sleeper({depends_on: ['db']}), web: sleeper({depends_on: ['api']})});
    await waitFor('all running', () => supervisor.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    const stopped = await supervisor.stopProject('app');
    expect(stopped.map((snapshot) => snapshot.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(h.eventsOf('stop').map((event) => event.target)).toEqual(['app/web', 'app/api', 'app/db']);
    await supervisor.startProject('app');
    await waitFor('all running again', () => supervisor.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    expect(h.eventsOf('start').slice(3).map((event) => event.target)).toEqual(['app/db', 'app/api', 'app/web']);
    await expect(supervisor.stopProject('ap')).rejects.toMatchObject({code: 'not_found', hint: 'did you mean "app"?'});
  });

  it('restarts a running service on request, counting it', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: sleeper()});
    const first = await waitFor('running', () => supervisor.snapshot('app', 'svc').pid);
    const [restarted] = await supervisor.restart('app', 'svc');
    expect(restarted!.pid).not.toBe(first);
    expect(restarted!.restarts).toBe(1);
    expect(await isAlive(first)).toBe(false);
  });
});
