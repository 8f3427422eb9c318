/** Services through the real CLI and daemon: restart policy, stopping process trees, namespace verbs, listing, bad input. */
import {readFile} from 'node:fs/promises';
import {once} from 'node:events';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {waitFor} from '../helpers/cli.js';
import {fixtureCommand, isRunning, ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

describe('restart policy', () => {
  it('restarts a crashing service with growing delays, then marks it failed until an operator starts it', async () => {
    await s.project('crashy', `[services.loop]\n${fixtureCommand('crash.js', '3')}\nbackoff = { initial = "150ms", factor = 2, max = "5s" }\nmax_restarts = 3\nrestart_window = "5m"\n`);

    const failed = await s.waitForService('crashy/loop', (service) => service.state === 'failed', 'to be failed');
    expect(failed).toMatchObject({pid: null, restarts: 3, lastExit: {code: 3, signal: null}});

    const restarts = await s.events('crashy/loop', 'service.restart');
    expect(restarts.map((event) => event.details.delayMs)).toEqual([150, 300, 600]);
    expect(restarts.map((event) => event.details.cause)).toEqual(['crash', 'crash', 'crash']);
    expect(await s.events('crashy/loop', 'service.crash')).toHaveLength(4);
    const [failure] = await s.events('crashy/loop', 'service.failed');
    expect(failure?.details.reason).toBe('restarted 3 times within 5m (max_restarts = 3)');

    const listed = await s.run(['services', 'crashy']);
    expect(listed.stdout).toMatch(/crashy\/loop\s+\S*\s*failed/);

    // An operator's start gives it a fresh budget.
    expect(await s.ok(['start', 'crashy/loop'])).toContain('started crashy/loop');
    await s.waitForService('crashy/loop', (service) => service.restarts > 3, 'to be restarted again');
  });

  it('leaves a service with restart = "never" exited, whatever its exit status', async () => {
    await s.project('once', `[services.job]\n${fixtureCommand('crash.js', '1')}\nrestart = "never"\n\n[services.clean]\n${fixtureCommand('crash.js', '0')}\nrestart = "never"\n`);
    for (const [target, code] of [['once/job', 1], ['once/clean', 0]] as const) {
      const exited = await s.waitForService(target, (service) => service.state === 'exited', 'to exit');
      expect(exited).toMatchObject({pid: null, restarts: 0, lastExit: {code}});
    }
    // A later look finds the same: no restart was scheduled.
    expect((await s.services('once')).map((service) => [service.name, service.state, service.restarts])).toEqual([
      ['job', 'exited', 0],
      ['clean', 'exited', 0],
    ]);
    expect(await s.events('once/job', 'service.restart')).toEqual([]);
    expect(await s.events('once/clean', 'service.restart')).toEqual([]);
  });
});

describe('stopping', () => {
  it('stops a service together with the grandchildren it spawned: none survives', async () => {
    const root = await s.project('tree', `[services.parent]\n${fixtureCommand('spawn-tree.js', 'pids.json', '3')}\nstop_timeout = "1s"\n`);
    const running = await s.waitForService('tree/parent', (service) => service.state === 'running', 'to run');
    const grandchildren = await waitFor(async () => JSON.parse(await readFile(join(root, 'pids.json'), 'utf8')) as number[], {what: 'the grandchildren pids'});
    expect(grandchildren).toHaveLength(3);
    expect(grandchildren.every(isRunning)).toBe(true);

    const stopped = await s.ok(['stop', 'tree/parent']);
    expect(stopped).toContain('stopped tree/parent (stopped)');
    expect(isRunning(running.pid!)).toBe(false);
    // The grandchildren ignore SIGTERM: the group SIGKILL after stop_timeout ends them.
    expect(grandchildren.filter(isRunning)).toEqual([]);
    expect(await s.service('tree/parent')).toMatchObject({state: 'stopped', pid: null});
  });

  it('kills a service that ignores SIGTERM once stop_timeout has passed', async () => {
    await s.project('stubborn', `[services.mule]\n${fixtureCommand('ignore-term.js')}\nstop_timeout = "700ms"\n`);
    const {pid} = await s.waitForService('stubborn/mule', (service) => service.state === 'running', 'to run');
    await waitFor(async () => (await s.ok(['logs', 'stubborn/mule'])).includes('ready'), {what: 'its SIGTERM handler'});

    await s.ok(['stop', 'stubborn/mule']);
    expect(isRunning(pid!)).toBe(false);
    const [stop] = await s.events('stubborn/mule', 'service.stop');
    expect(stop?.details).toMatchObject({pid, cause: 'operator', forced: true, signal: 'SIGKILL'});
    const logs = await s.ok(['logs', 'stubborn/mule']);
    expect(logs).toContain('ignoring SIGTERM');
    expect(logs).toContain('SIGKILL after stop_timeout (700ms)');
  });
});

describe('whole namespaces and listing', () => {
  const twoSleepers = `[services.alpha]\n${fixtureCommand('sleeper.js')}\ndescription = "first"\n\n[services.beta]\n${fixtureCommand('sleeper.js')}\n\n[services.beta.actions.hello]\ncommand = "echo hello"\ndescription = "says hello"\n`;

  it('lists services as JSON with state, pid, uptime, restarts and actions', async () => {
    await s.project('pair', twoSleepers);
    await s.waitForService('pair/beta', (service) => service.state === 'running', 'to run');
    const [alpha, beta] = await s.services('pair');
    expect(alpha).toMatchObject({namespace: 'pair', name: 'alpha', description: 'first', state: 'running', health: null, restarts: 0, lastExit: null, agent: false, actions: []});
    expect(alpha!.pid).toEqual(expect.any(Number));
    expect(alpha!.uptimeMs).toEqual(expect.any(Number));
    expect(alpha!.command).toEqual([expect.stringContaining('node'), expect.stringContaining('sleeper.js')]);
    expect(beta).toMatchObject({name: 'beta', actions: [{name: 'hello', description: 'says hello'}]});

    const table = await s.ok(['services']);
    expect(table).toMatch(/^SERVICE\s+STATE\s+HEALTH\s+PID\s+UPTIME/);
    expect(table).toMatch(/pair\/alpha\s+\S*\s*running/);
  });

  it('stops, starts and restarts every service of a namespace', async () => {
    await s.project('pair', twoSleepers);
    const before = await waitFor(async () => {
      const services = await s.services('pair');
      return services.every((service) => service.state === 'running') ? services : null;
    }, {what: 'both services to run'});

    expect(await s.ok(['stop', 'pair'])).toContain('stopped 2 services of pair');
    expect((await s.services('pair')).map((service) => [service.state, service.pid])).toEqual([
      ['stopped', null],
      ['stopped', null],
    ]);
    expect(before.map((service) => service.pid!).filter(isRunning)).toEqual([]);

    expect(await s.ok(['start', 'pair'])).toContain('started 2 services of pair');
    const started = await s.services('pair');
    expect(started.map((service) => service.state)).toEqual(['running', 'running']);

    expect(await s.ok(['restart', 'pair'])).toContain('restarted 2 services of pair');
    const restarted = await s.services('pair');
    expect(restarted.map((service) => service.state)).toEqual(['running', 'running']);
    expect(restarted.map((service) => service.pid)).not.toContain(started[0]!.pid);
    expect(restarted.map((service) => service.pid)).not.toContain(started[1]!.pid);
  });

  it('says a service is already stopped, or already running, and exits 1: nothing was done', {timeout: 60_000}, async () => {
    await s.project('solo', `[services.alpha]\n${fixtureCommand('sleeper.js')}\n`);
    const running = await s.waitForService('solo/alpha', (service) => service.state === 'running', 'to run');
    const startAgain = await s.run(['start', 'solo/alpha']);
    expect(startAgain.code).toBe(1);
    expect(startAgain.stderr).toContain(`solo/alpha is already running (pid ${running.pid})`);
    await s.ok(['stop', 'solo/alpha']);
    const stopAgain = await s.run(['stop', 'solo/alpha']);
    expect(stopAgain.code).toBe(1);
    expect(stopAgain.stderr).toContain('solo/alpha is already stopped');
    // A whole namespace is brought to a state: some of it being there already is no failure.
    expect(await s.ok(['stop', 'solo'])).toContain('stopped 1 service of solo');
  });

  it('says what was meant for an unknown service, and exits 2', async () => {
    await s.project('pair', twoSleepers);
    for (const args of [['stop', 'pair/alpa'], ['logs', 'pair/alpa'], ['config', 'list', 'pair/alpa'], ['action', 'pair/alpa', 'hello']]) {
      const result = await s.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain('did you mean "pair/alpha"?');
    }
    const unknownProject = await s.run(['stop', 'pairs/alpha']);
    expect(unknownProject.code).toBe(2);
    expect(unknownProject.stderr).toContain('did you mean "pair"?');
    const unknownAction = await s.run(['action', 'pair/beta', 'helo']);
    expect(unknownAction.code).toBe(2);
    expect(unknownAction.stderr).toContain('did you mean "hello"?');
  });
});

describe('a stop in progress', () => {
  it('shows the service as stopping, with the pid of the process being stopped, until it is gone', async () => {
    await s.project('slow', `[services.stubborn]\n${fixtureCommand('ignore-term.js')}\nstop_timeout = "4s"\n`);
    const running = await s.waitForService('slow/stubborn', (service) => service.state === 'running' && service.pid !== null, 'to run');
    await waitFor(async () => (await s.ok(['logs', 'slow/stubborn'])).includes('ready'), {what: 'the service to install its SIGTERM handler'});
    const stop = s.home.spawn(['stop', 'slow/stubborn']);
    const stopping = await s.waitForService('slow/stubborn', (service) => service.state !== 'running', 'to leave running');
    expect(stopping).toMatchObject({state: 'stopping', pid: running.pid});
    const [code] = (await once(stop, 'exit')) as [number];
    expect(code).toBe(0);
    expect(await s.service('slow/stubborn')).toMatchObject({state: 'stopped', pid: null});
    expect(isRunning(running.pid!)).toBe(false);
  });
});
