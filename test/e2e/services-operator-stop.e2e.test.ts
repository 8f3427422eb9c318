/** `capsule stop` holds until `capsule start`: through daemon restarts, a kill -9, reloads and `capsule up`. */
import {randomUUID} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {isAlive, waitFor} from '../helpers/cli.js';
import {fixtureCommand, processesWith, ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

/** In the command line of each service process, to count them. */
let marker: string;

const services = (webExtra = '', otherExtra = '') =>
  `[services.web]\n${fixtureCommand('sleeper.js', `${marker}-web`)}\n${webExtra}\n\n[services.other]\n${fixtureCommand('sleeper.js', `${marker}-other`)}\n${otherExtra}\n`;

/** Declares held/web and held/other, both running, then has an operator stop web; returns the project's root. */
async function stopWeb(): Promise<string> {
  marker = `marker-${randomUUID()}`;
  const root = await s.project('held', services());
  await s.waitForService('held/web', (service) => service.state === 'running', 'to run');
  await s.waitForService('held/other', (service) => service.state === 'running', 'to run');
  expect(await s.ok(['stop', 'held/web'])).toContain('stopped held/web (stopped)');
  return root;
}

/** Once `other` runs (the daemon is up and loaded it), `web` is stopped in services and list, with no process alive. */
async function expectWebStopped(after: string): Promise<void> {
  await s.waitForService('held/other', (service) => service.state === 'running', `to run after ${after}`);
  expect(await s.service('held/web'), after).toMatchObject({state: 'stopped', pid: null});
  const {projects} = await s.home.json<{projects: {services: {name: string; state: string}[]}[]}>(['list', 'held']);
  expect(projects[0]?.services.find((service) => service.name === 'web')?.state, after).toBe('stopped');
  expect(processesWith(`${marker}-web`), after).toEqual([]);
}

async function rewrite(root: string, body: string): Promise<void> {
  await writeFile(join(root, 'capsule.toml'), `[project]\nname = "held"\n\n${body}`);
}

describe("an operator's stop", () => {
  it('holds through daemon restart, and daemon stop then start', {timeout: 120_000}, async () => {
    await stopWeb();
    await s.ok(['daemon', 'restart']);
    await expectWebStopped('daemon restart');
    await s.ok(['daemon', 'stop']);
    await s.ok(['daemon', 'start']);
    await expectWebStopped('daemon stop + start');
  });

  it('holds through kill -9 of the daemon and a start', {timeout: 120_000}, async () => {
    await stopWeb();
    const pid = (await s.home.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), {what: 'the daemon to die'});
    await s.ok(['daemon', 'start']);
    await expectWebStopped('kill -9 + start');
  });

  it('holds through a reload changing another service, one changing its own definition, and capsule up', {timeout: 120_000}, async () => {
    const root = await stopWeb();
    const otherPid = (await s.service('held/other')).pid;
    await rewrite(root, services('', 'env = { MODE = "new" }'));
    await s.ok(['project', 'reload', 'held']);
    await s.waitForService('held/other', (service) => service.state === 'running' && service.pid !== otherPid, 'to run its new definition');
    await expectWebStopped('a reload changing another service');

    await rewrite(root, services('env = { MODE = "new" }', 'env = { MODE = "new" }'));
    await s.ok(['project', 'reload', 'held']);
    await expectWebStopped('a reload changing its own definition');

    await s.ok(['up', root]);
    await expectWebStopped('capsule up');
  });

  it('is lifted by an operator start: the service then comes back after a daemon restart', {timeout: 120_000}, async () => {
    await stopWeb();
    expect(await s.ok(['start', 'held/web'])).toContain('started held/web');
    await s.waitForService('held/web', (service) => service.state === 'running', 'to run once started');
    await s.ok(['daemon', 'restart']);
    await s.waitForService('held/web', (service) => service.state === 'running', 'to run after the daemon restart');
  });

  it('is forgotten with the project: added again, its services start', {timeout: 120_000}, async () => {
    const root = await stopWeb();
    await s.ok(['project', 'remove', 'held']);
    await s.ok(['project', 'add', root]);
    await s.waitForService('held/web', (service) => service.state === 'running', 'to run once added again');
  });
});
