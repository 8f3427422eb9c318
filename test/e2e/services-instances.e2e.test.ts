/**
 * `instances = N`, `capsule scale` and `capsule reload` through the real CLI and daemon: N node
 * HTTP servers, instance i on port base+i (PORT, from `port`), each probed on its own port.
 */
import {get} from 'node:http';
import {createServer} from 'node:net';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {freePort} from '../daemon/supervisor/harness.js';
import {fixtureCommand, isRunning, ServicesHome, toml, type Service} from './services-harness.js';
import {waitFor} from '../helpers/cli.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

/** A base port with the `count` ports from it free on 127.0.0.1. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + count - 1 > 65535) continue;
    const free = await Promise.all(Array.from({length: count}, (_, offset) => isFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} free ports in a row`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** What the instance on `port` answers ("INSTANCE PID"), or null when nothing answers. */
function ask(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const request = get({host: '127.0.0.1', port, path: '/', agent: false, timeout: 5_000}, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 ? body : null));
      response.on('error', () => resolve(null));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });
}

function apiService(base: number, instances: number): string {
  return [
    '[services.api]',
    fixtureCommand('instance-server.js'),
    `instances = ${instances}`,
    `port = ${base}`,
    // Node takes a moment to listen on a loaded machine: failures before the first pass are forgiven that long.
    `health = { http = ${toml('http://127.0.0.1:{port}/')}, interval = "100ms", timeout = "2s", failure_threshold = 50 }`,
    'backoff = { initial = "100ms" }',
  ].join('\n');
}

const ofApi = (services: Service[]) => services.filter((service) => service.name.startsWith('api'));

async function allHealthy(count: number): Promise<Service[]> {
  return waitFor(
    async () => {
      const services = ofApi(await s.services('web'));
      return services.length === count && services.every((service) => service.state === 'healthy') ? services : null;
    },
    {timeoutMs: 60_000, intervalMs: 100, what: `${count} healthy instances of web/api`},
  );
}

describe('instances = 3', () => {
  it('runs three supervised copies, each with its CAPSULE_INSTANCE, its port, its probe, its log and its record', {timeout: 120_000}, async () => {
    const base = await freePorts(3);
    await s.project('web', apiService(base, 3));
    const services = await allHealthy(3);
    expect(services.map((service) => [service.name, service.instance, service.instances])).toEqual([
      ['api#0', 0, 3],
      ['api#1', 1, 3],
      ['api#2', 2, 3],
    ]);
    // Each answers on its own port, as its own instance and process.
    for (const service of services) expect(await ask(base + service.instance)).toBe(`${service.instance} ${service.pid}`);
    expect(new Set(services.map((service) => service.pid)).size).toBe(3);

    // Shown one by one in the tree, and audited one by one.
    const tree = await s.ok(['list', 'web', '--tree']);
    for (const name of ['api#0', 'api#1', 'api#2']) expect(tree).toContain(name);
    expect((await s.events('web/api#2', 'service.start'))[0]?.details).toMatchObject({pid: services[2]!.pid});

    // Each instance's log holds its own output; the service's interleaves them, each line naming its instance.
    const one = await s.ok(['logs', 'web/api#1']);
    expect(one).toContain(`instance 1 listening on ${base + 1}`);
    expect(one).not.toContain('instance 0 listening');
    const all = await s.ok(['logs', 'web/api']);
    for (const instance of [0, 1, 2]) expect(all).toMatch(new RegExp(`#${instance} instance ${instance} listening on ${base + instance}`));

    // A daemon killed and started again adopts every instance: same pids, no restart.
    const daemon = (await s.home.daemonPid())!;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isRunning(daemon), {what: 'the daemon to die'});
    await s.ok(['daemon', 'start']);
    const adopted = await allHealthy(3);
    expect(adopted.map((service) => service.pid)).toEqual(services.map((service) => service.pid));
    for (const name of ['api#0', 'api#1', 'api#2']) expect(await s.events(`web/${name}`, 'service.adopt')).toHaveLength(1);
  });

  it('addresses one instance as NS/NAME#N and all of them as NS/NAME', {timeout: 120_000}, async () => {
    const base = await freePorts(3);
    await s.project('web', apiService(base, 3));
    const before = await allHealthy(3);

    expect(await s.ok(['stop', 'web/api#1'])).toContain('stopped web/api#1');
    const stopped = ofApi(await s.services('web'));
    expect(stopped.map((service) => service.state)).toEqual(['healthy', 'stopped', 'healthy']);
    expect(isRunning(before[1]!.pid!)).toBe(false);
    expect(await ask(base + 1)).toBeNull();

    // Starting the service starts what is stopped of it and leaves the others alone.
    await s.ok(['start', 'web/api']);
    const after = await allHealthy(3);
    expect(after[0]!.pid).toBe(before[0]!.pid);
    expect(after[2]!.pid).toBe(before[2]!.pid);
    expect(after[1]!.pid).not.toBe(before[1]!.pid);

    await s.ok(['restart', 'web/api#2']);
    const restarted = await allHealthy(3);
    expect(restarted.map((service) => service.pid === after[service.instance]!.pid)).toEqual([true, true, false]);

    const missing = await s.run(['restart', 'web/api#7']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('web/api has no instance #7: it runs 3 (#0 to #2)');
    const twice = await s.run(['start', 'web/api']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('every instance of web/api is already up');
  });
});

describe('capsule reload', () => {
  it('restarts the instances one at a time: a client polling every port never finds them all down, and each gets a new pid', {timeout: 120_000}, async () => {
    const base = await freePorts(3);
    await s.project('web', apiService(base, 3));
    const before = await allHealthy(3);

    let polling = true;
    let rounds = 0;
    const allDown: number[] = [];
    const seenDown = new Set<number>();
    const poller = (async () => {
      while (polling) {
        const answers = await Promise.all([0, 1, 2].map((instance) => ask(base + instance)));
        rounds++;
        answers.forEach((answer, instance) => {
          if (answer === null) seenDown.add(instance);
        });
        if (answers.every((answer) => answer === null)) allDown.push(Date.now());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const reloaded = await s.run(['reload', 'web/api', '--json']);
      expect(reloaded.code, reloaded.stderr).toBe(0);
    } finally {
      polling = false;
      await poller;
    }
    expect(allDown, `rounds with every instance down (of ${rounds})`).toEqual([]);
    // The poller did see each one go down in turn: the test watched the reload, not the time after it.
    expect([...seenDown].sort()).toEqual([0, 1, 2]);

    const after = await allHealthy(3);
    for (const instance of [0, 1, 2]) {
      expect(after[instance]!.pid).not.toBe(before[instance]!.pid);
      expect(isRunning(before[instance]!.pid!)).toBe(false);
    }
    // One at a time, in order: each restart after the one before it was healthy again.
    const events = (await s.audit('web/api')).filter((event) => event.kind === 'service.restart' || (event.kind === 'service.health' && (event.details as {to: string}).to === 'healthy'));
    const order = events.slice(-6).map((event) => `${event.kind === 'service.restart' ? 'restart' : 'healthy'} ${event.target}`);
    expect(order).toEqual(['restart web/api#0', 'healthy web/api#0', 'restart web/api#1', 'healthy web/api#1', 'restart web/api#2', 'healthy web/api#2']);
    expect((await s.events('web/api', 'service.reload'))[0]?.details).toMatchObject({instances: 3});
  });

  it('stops rolling when an instance cannot come back, and says which', {timeout: 120_000}, async () => {
    const base = await freePorts(2);
    await s.project('web', apiService(base, 2));
    await allHealthy(2);
    // Another program on instance 1's port: its restart cannot listen. It hangs up on whoever
    // connects (the probe), so that closing it does not wait for connections nobody reads.
    const blocker = createServer((socket) => socket.destroy());
    try {
      await s.ok(['stop', 'web/api#1']);
      await new Promise<void>((resolve) => blocker.listen(base + 1, '127.0.0.1', resolve));
      const before = ofApi(await s.services('web'));
      const reload = await s.run(['reload', 'web/api', '--timeout', '3s']);
      expect(reload.code).toBe(1);
      expect(reload.stderr).toContain('reload of web/api stopped at web/api#1: ');
      // Instance 0 went first and is back; the reload got no further than #1.
      const after = ofApi(await s.services('web'));
      expect(after[0]!.pid).not.toBe(before[0]!.pid);
      expect(after[0]!.state).toBe('healthy');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('stops rolling when an instance is not ready within --timeout: the ones after it keep their process', {timeout: 120_000}, async () => {
    // A probe that first runs 4s after each start: an instance restarted stays `starting` longer than the 1s allowed.
    await s.project('slow', ['[services.worker]', fixtureCommand('sleeper.js'), 'instances = 2', 'health = { exec = ["true"], initial_delay = "4s", interval = "200ms" }'].join('\n'));
    const before = await waitFor(
      async () => {
        const services = await s.services('slow');
        return services.length === 2 && services.every((service) => service.state === 'healthy') ? services : null;
      },
      {timeoutMs: 30_000, intervalMs: 200, what: 'slow/worker to be healthy'},
    );
    const reload = await s.run(['reload', 'slow/worker', '--timeout', '1s']);
    expect(reload.code).toBe(1);
    expect(reload.stderr).toContain('reload of slow/worker stopped at slow/worker#0: not ready within 1s (starting)');
    expect(reload.stderr).toContain('worker#1 kept its running process');
    const after = await s.services('slow');
    expect(after[0]!.pid).not.toBe(before[0]!.pid);
    expect(after[1]!.pid).toBe(before[1]!.pid);
  });
});

describe('capsule scale', () => {
  it('scales up to 5 and down to 2: the new ones start, the highest stop, 0 and 1 keep their pids', {timeout: 120_000}, async () => {
    const base = await freePorts(5);
    await s.project('web', apiService(base, 3));
    const three = await allHealthy(3);

    await s.ok(['scale', 'web/api', '5']);
    const five = await allHealthy(5);
    expect(five.slice(0, 3).map((service) => service.pid)).toEqual(three.map((service) => service.pid));
    for (const service of five) expect(await ask(base + service.instance)).toBe(`${service.instance} ${service.pid}`);

    await s.ok(['scale', 'web/api', '2']);
    const two = ofApi(await s.services('web'));
    expect(two.map((service) => service.name)).toEqual(['api#0', 'api#1']);
    expect(two.map((service) => service.pid)).toEqual(three.slice(0, 2).map((service) => service.pid));
    for (const service of five.slice(2)) expect(isRunning(service.pid!)).toBe(false);
    for (const instance of [2, 3, 4]) expect(await ask(base + instance)).toBeNull();
    expect((await s.events('web/api', 'service.scale')).map((event) => event.details)).toEqual([
      {from: 3, to: 5},
      {from: 5, to: 2},
    ]);

    // The count holds through a daemon restart (capsule.toml still says 3).
    await s.ok(['daemon', 'restart']);
    expect((await allHealthy(2)).map((service) => service.name)).toEqual(['api#0', 'api#1']);
  });

  it('refuses a count it cannot run, an instance and an unknown service, with exit 2 and what to do', {timeout: 120_000}, async () => {
    const base = await freePorts(1);
    await s.project('web', apiService(base, 1));
    await allHealthy(1);
    const cases: [string[], string][] = [
      [['scale', 'web/api', '0'], 'expected 1 to 64 instances, got 0'],
      [['scale', 'web/api', '-1'], 'expected 1 to 64 instances, got -1'],
      [['scale', 'web/api', '65'], 'expected 1 to 64 instances, got 65'],
      [['scale', 'web/api', '2.5'], 'expected a whole number of instances (1 to 64), got "2.5"'],
      [['scale', 'web/api#0', '2'], 'scale takes a service, got the instance web/api#0'],
      [['scale', 'web/apj', '2'], 'project web has no service "apj"'],
    ];
    for (const [args, message] of cases) {
      const result = await s.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect((await s.run(['scale', 'web/api', '0'])).stderr).toContain('to stop every instance: `capsule stop web/api`');
    // Nothing changed.
    expect(ofApi(await s.services('web')).map((service) => service.name)).toEqual(['api']);
  });
});
