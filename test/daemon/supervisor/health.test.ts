import {mkdir, rm, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {fixture, freePort, Harness, NODE, service, waitFor} from './harness.js';

describe('health probes, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('restarts a real third-party server (python3 -m http.server) once its HTTP probe fails', async () => {
    const port = await freePort();
    const www = join(h.dir, 'www');
    await mkdir(www);
    await writeFile(join(www, 'health.txt'), 'ok');
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {
      web: service({
        command: ['python3', '-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', www],
        // Python takes a moment to listen: a second of grace, then ten failed probes in a row.
        health: {http: `http://127.0.0.1:${port}/health.txt`, interval: '100ms', timeout: '2s', failure_threshold: 10, initial_delay: '1s'},
        backoff: {initial: '50ms'},
      }),
    });
    await waitFor('healthy', () => supervisor.snapshot('app', 'web').state === 'healthy');
    const firstPid = supervisor.snapshot('app', 'web').pid;

    await rm(join(www, 'health.txt'));
    await waitFor('restart for unhealthy', () => h.eventsOf('restart', 'app/web').some((event) => event.details.cause === 'unhealthy'));
    await writeFile(join(www, 'health.txt'), 'ok');
    await waitFor('healthy again in a new process', () => {
      const snapshot = supervisor.snapshot('app', 'web');
      return snapshot.state === 'healthy' && snapshot.pid !== firstPid;
    });

    expect(h.eventsOf('health', 'app/web').slice(0, 2).map((event) => event.details)).toEqual([
      {from: 'unknown', to: 'healthy', detail: 'HTTP 200'},
      {from: 'healthy', to: 'unhealthy', detail: 'HTTP 404, expected 2xx'},
    ]);
    expect(h.eventsOf('stop', 'app/web')[0]?.details).toMatchObject({pid: firstPid, cause: 'unhealthy', detail: 'HTTP 404, expected 2xx'});
    expect(supervisor.snapshot('app', 'web')).toMatchObject({health: 'healthy', healthDetail: 'HTTP 200', restarts: 1});
  });

  it('starts a service that depends on another being healthy only once it is', async () => {
    const ready = join(h.dir, 'db-ready');
    const supervisor = h.supervisor();
    const sleeper = [NODE, fixture('sleeper.js')];
    await supervisor.setProjectServices('app', h.dir, {
      web: service({command: sleeper, depends_on: [{name: 'db', condition: 'healthy'}]}),
      api: service({command: sleeper, depends_on: ['db']}),
      db: service({command: sleeper, health: {exec: ['test', '-f', ready], interval: '50ms', failure_threshold: 1000}}),
    });
    await waitFor('api started once db was, and db probed', () => supervisor.snapshot('app', 'api').pid !== null && supervisor.snapshot('app', 'db').healthDetail !== null);
    expect(supervisor.snapshot('app', 'db')).toMatchObject({state: 'starting', health: 'unknown', healthDetail: 'exit 1'});
    expect(supervisor.snapshot('app', 'web')).toMatchObject({state: 'starting', pid: null, waitingFor: ['db']});

    await writeFile(ready, '');
    await waitFor('web started', () => supervisor.snapshot('app', 'web').pid !== null);

    const order = h.events.map((event) => `${event.kind} ${event.target}${event.kind === 'health' ? ` ${event.details.to}` : ''}`);
    expect(order.indexOf('start app/db')).toBeLessThan(order.indexOf('start app/api'));
    expect(order.indexOf('health app/db healthy')).toBeLessThan(order.indexOf('start app/web'));
    expect(supervisor.snapshot('app', 'web').waitingFor).toEqual([]);

    await supervisor.close();
    const stops = h.eventsOf('stop').map((event) => event.target);
    expect(stops.indexOf('app/db')).toBe(2);
    expect(stops.slice(0, 2).sort()).toEqual(['app/api', 'app/web']);
  });

  it('starts what a started service depends on, even without autostart', async () => {
    const supervisor = h.supervisor();
    const sleeper = [NODE, fixture('sleeper.js')];
    await supervisor.setProjectServices('app', h.dir, {
      web: service({command: sleeper, autostart: false, depends_on: ['db']}),
      db: service({command: sleeper, autostart: false}),
    });
    expect(supervisor.snapshot('app').map((snapshot) => snapshot.state)).toEqual(['stopped', 'stopped']);
    await supervisor.start('app', 'web');
    await waitFor('both up', () => supervisor.snapshot('app').every((snapshot) => snapshot.state === 'running'));
    expect(h.eventsOf('start').map((event) => `${event.target} ${event.details.cause}`)).toEqual(['app/db dependency', 'app/web operator']);
  });

  it('probes a TCP port', async () => {
    const port = await freePort();
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {
      tcp: service({command: [NODE, fixture('tcp-server.js'), String(port)], health: {tcp: `127.0.0.1:${port}`, interval: '50ms', failure_threshold: 100}}),
    });
    await waitFor('healthy', () => supervisor.snapshot('app', 'tcp').state === 'healthy');
    expect(supervisor.snapshot('app', 'tcp').healthDetail).toBe(`connected to 127.0.0.1:${port}`);
  });

  it('is kept healthy by heartbeats and restarted when they stop', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {
      agent: service({command: [NODE, fixture('sleeper.js')], health: {heartbeat: true, interval: '100ms', timeout: '100ms', failure_threshold: 2}, backoff: {initial: '50ms'}}),
    });
    const beating = setInterval(() => supervisor.heartbeat('app', 'agent'), 50);
    try {
      await waitFor('healthy', () => supervisor.snapshot('app', 'agent').state === 'healthy');
    } finally {
      clearInterval(beating);
    }
    await waitFor('restarted', () => h.eventsOf('restart', 'app/agent').length === 1);
    expect(h.eventsOf('health', 'app/agent')[1]?.details).toMatchObject({to: 'unhealthy', detail: expect.stringMatching(/^no heartbeat for \d+ms$/)});
  });
});
