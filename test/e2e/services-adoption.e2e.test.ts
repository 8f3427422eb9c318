/** A daemon killed with -9 and started again never leaves two copies of a service. */
import {randomUUID} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {isAlive, waitFor} from '../helpers/cli.js';
import {fixtureCommand, isRunning, processesWith, ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

async function killDaemon(): Promise<void> {
  const pid = (await s.home.daemonPid())!;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), {what: 'the daemon to die'});
}

describe('kill -9 the daemon, then start it', () => {
  it('adopts the running services: exactly one instance of each, and the agent reconnects', async () => {
    const marker = `marker-${randomUUID()}`;
    await s.project('keep', `[services.plain]\n${fixtureCommand('sleeper.js', `${marker}-plain`)}\n\n[services.agent]\n${fixtureCommand('agent-service.js', `${marker}-agent`)}\n\n[services.agent.config.level]\ntype = "string"\ndefault = "info"\n`);
    const plain = await s.waitForService('keep/plain', (service) => service.state === 'running', 'to run');
    const agent = await s.waitForService('keep/agent', (service) => service.agent, 'to connect its agent');

    await killDaemon();
    expect(isRunning(plain.pid!)).toBe(true);
    expect(isRunning(agent.pid!)).toBe(true);
    expect((await s.run(['daemon', 'start'])).code).toBe(0);

    const services = await s.services('keep');
    expect(services.map((service) => [service.name, service.pid])).toEqual([
      ['plain', plain.pid],
      ['agent', agent.pid],
    ]);
    expect(processesWith(`${marker}-plain`)).toEqual([plain.pid]);
    expect(processesWith(`${marker}-agent`)).toEqual([agent.pid]);
    expect((await s.events('keep/plain', 'service.adopt'))[0]?.details).toEqual({pid: plain.pid});

    // The adopted agent registers with the new daemon and takes a change live.
    await s.waitForService('keep/agent', (service) => service.agent, 'to reconnect its agent');
    expect((await s.home.json<{applied: string}>(['config', 'set', 'keep/agent', 'level', 'debug'])).applied).toBe('live');
    expect((await s.service('keep/agent')).pid).toBe(agent.pid);
  });

  it('replaces a service whose declaration changed meanwhile, and stops one no longer declared', async () => {
    const marker = `marker-${randomUUID()}`;
    const declare = (extra: string) => `[services.changed]\n${fixtureCommand('sleeper.js', `${marker}-changed`)}\n${extra}`;
    const root = await s.project('moving', `${declare('')}\n[services.dropped]\n${fixtureCommand('sleeper.js', `${marker}-dropped`)}\n`);
    const changed = await s.waitForService('moving/changed', (service) => service.state === 'running', 'to run');
    const dropped = await s.waitForService('moving/dropped', (service) => service.state === 'running', 'to run');

    await killDaemon();
    await writeFile(join(root, 'capsule.toml'), `[project]\nname = "moving"\n\n${declare('env = { MODE = "new" }')}`);
    expect((await s.run(['daemon', 'start'])).code).toBe(0);

    const replaced = await s.waitForService('moving/changed', (service) => service.state === 'running' && service.pid !== changed.pid, 'to run its new definition');
    expect(isRunning(changed.pid!)).toBe(false);
    expect(isRunning(dropped.pid!)).toBe(false);
    expect(processesWith(`${marker}-changed`)).toEqual([replaced.pid]);
    expect(processesWith(`${marker}-dropped`)).toEqual([]);
    expect((await s.services('moving')).map((service) => service.name)).toEqual(['changed']);
  });
});
