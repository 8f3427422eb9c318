import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {fixture, Harness, NODE, service, waitFor} from './harness.js';

describe('restart policy, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('restarts a crashing service with growing delays, then marks it failed', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {
      crasher: service({command: [NODE, fixture('crash.js'), '3'], backoff: {initial: '50ms', factor: 2, max: '10s'}, max_restarts: 3, restart_window: '1m'}),
    });
    await waitFor('crasher failed', () => supervisor.snapshot('app', 'crasher').state === 'failed');

    expect(h.eventsOf('restart', 'app/crasher').map((event) => event.details.delayMs)).toEqual([50, 100, 200]);
    expect(h.eventsOf('start', 'app/crasher')).toHaveLength(4);
    expect(h.eventsOf('crash', 'app/crasher').map((event) => event.details.code)).toEqual([3, 3, 3, 3]);
    expect(h.eventsOf('failed', 'app/crasher')).toEqual([expect.objectContaining({details: {reason: 'restarted 3 times within 1m (max_restarts = 3)'}})]);
    expect(h.states.filter((state) => state.name === 'crasher' && state.state === 'backoff')).toHaveLength(3);
    expect(supervisor.snapshot('app', 'crasher')).toMatchObject({state: 'failed', pid: null, restarts: 3, lastExit: {code: 3, signal: null}, reason: expect.stringContaining('max_restarts = 3')});
    const lastPid = h.eventsOf('start').at(-1)!.details.pid;
    const log = (await supervisor.logs('app', 'crasher', {tail: 1000})).map((line) => `${line.stream} ${line.text}`);
    expect(log).toContain(`capsule pid ${lastPid} exited with code 3`);
    expect(log.filter((line) => line === 'stdout ready')).toHaveLength(4);
    expect(log.at(-1)).toBe('capsule failed: restarted 3 times within 1m (max_restarts = 3); start it again once fixed');
  });

  it("counts every operator restart: of a running service, of a stopped one, and of each service of a project's restart", async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {
      db: service({command: [NODE, fixture('sleeper.js')]}),
      web: service({command: [NODE, fixture('sleeper.js')], depends_on: ['db']}),
    });
    await waitFor('both running', () => supervisor.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    for (let i = 0; i < 3; i++) await supervisor.restart('app', 'web');
    expect(supervisor.snapshot('app', 'web')).toMatchObject({state: 'running', restarts: 3});

    await supervisor.stop('app', 'web');
    await supervisor.restart('app', 'web');
    expect(supervisor.snapshot('app', 'web')).toMatchObject({state: 'running', restarts: 4});

    for (let i = 0; i < 3; i++) await supervisor.restartProject('app');
    await waitFor('both running again', () => supervisor.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    expect(supervisor.snapshot('app').map(({name, restarts}) => [name, restarts])).toEqual([
      ['db', 3],
      ['web', 7],
    ]);
    // A project's restart stops web before db, and starts db before web.
    const order = h.events.filter((event) => event.kind === 'start').slice(-2).map((event) => event.target);
    expect(order).toEqual(['app/db', 'app/web']);
    expect(h.eventsOf('restart', 'app/web')).toHaveLength(7);
    expect(h.eventsOf('stop', 'app/web')).toHaveLength(1);
  });

  it('gives a failed service a fresh budget when an operator starts it', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {crasher: service({command: [NODE, fixture('crash.js'), '1'], backoff: {initial: '20ms'}, max_restarts: 1})});
    await waitFor('failed', () => supervisor.snapshot('app', 'crasher').state === 'failed');
    const starts = h.eventsOf('start').length;
    await supervisor.start('app', 'crasher');
    await waitFor('failed again', () => h.eventsOf('failed').length === 2);
    expect(h.eventsOf('start').length - starts).toBe(2);
  });

  it('leaves a service with restart = "never" exited', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {once: service({command: [NODE, fixture('crash.js'), '1'], restart: 'never', backoff: {initial: '10ms'}})});
    await waitFor('exited', () => supervisor.snapshot('app', 'once').state === 'exited');
    // The crash was seen and the policy declined: nothing is scheduled, so nothing can start it again.
    expect(supervisor.snapshot('app', 'once')).toMatchObject({state: 'exited', pid: null, nextRestartAt: null, restarts: 0, lastExit: {code: 1}});
    expect(h.eventsOf('crash')).toHaveLength(1);
    expect(h.eventsOf('restart')).toEqual([]);
    expect(h.eventsOf('start')).toHaveLength(1);
  });

  it('restarts a clean exit only with restart = "always"', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {
      done: service({command: [NODE, fixture('crash.js'), '0'], backoff: {initial: '10ms'}}),
      looping: service({command: [NODE, fixture('crash.js'), '0'], restart: 'always', backoff: {initial: '10ms'}, max_restarts: 2}),
    });
    await waitFor('done exited', () => supervisor.snapshot('app', 'done').state === 'exited');
    await waitFor('looping failed', () => supervisor.snapshot('app', 'looping').state === 'failed');
    expect(h.eventsOf('exit', 'app/done')).toHaveLength(1);
    expect(h.eventsOf('restart', 'app/done')).toEqual([]);
    expect(h.eventsOf('restart', 'app/looping').map((event) => event.details.cause)).toEqual(['exit', 'exit']);
  });

  it('stops a service waiting in backoff without starting it again', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {slow: service({command: [NODE, fixture('crash.js'), '1'], backoff: {initial: '1h'}})});
    await waitFor('backoff', () => supervisor.snapshot('app', 'slow').state === 'backoff');
    expect(supervisor.snapshot('app', 'slow').nextRestartAt).not.toBeNull();
    expect(await supervisor.stop('app', 'slow')).toMatchObject([{state: 'stopped', nextRestartAt: null, pid: null}]);
  });
});
