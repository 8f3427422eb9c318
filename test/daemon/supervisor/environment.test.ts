import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {agentTokenHash} from '../../../daemon/supervisor/agent-token.js';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {fixture, Harness, NODE, service, waitFor} from './harness.js';

describe('what a service starts with, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('runs in cwd with env_file, env, config values and its identity in the environment', async () => {
    await mkdir(join(h.dir, 'work'));
    await writeFile(join(h.dir, '.env'), 'FROM_FILE=file\nOVERRIDDEN=file\n');
    const supervisor = h.supervisor({serviceEnvironment: (namespace, name) => ({CAPSULE_SOCKET: `/run/${namespace}-${name}.sock`})});
    await supervisor.setProjectServices('app', h.dir, {
      env: service({
        command: [NODE, fixture('print-env.js'), 'FROM_FILE', 'OVERRIDDEN', 'CAPSULE_CONFIG_PORT', 'CAPSULE_SERVICE', 'CAPSULE_SOCKET'],
        cwd: 'work',
        env_file: '.env',
        env: {OVERRIDDEN: 'table'},
        config: {port: {type: 'integer', default: 8080}},
      }),
    });
    await waitFor('printed', async () => (await h.logText('app', 'env')).includes('CAPSULE_SOCKET='));
    const printed = (await supervisor.logs('app', 'env', {tail: 100})).filter((line) => line.stream === 'stdout').map((line) => line.text);
    expect(printed).toEqual([`cwd=${join(h.dir, 'work')}`, 'FROM_FILE=file', 'OVERRIDDEN=table', 'CAPSULE_CONFIG_PORT=8080', 'CAPSULE_SERVICE=app/env', 'CAPSULE_SOCKET=/run/app-env.sock']);
  });

  it("gives each launch's process, and no probe or action, an agent token of its own, and keeps only its hash", async () => {
    const supervisor = h.supervisor();
    const printToken = [NODE, '-e', 'console.log("token=" + (process.env.CAPSULE_AGENT_TOKEN ?? "<unset>"))'];
    await supervisor.setProjectServices('app', h.dir, {
      tok: service({
        command: [NODE, fixture('print-env.js'), 'CAPSULE_AGENT_TOKEN'],
        health: {exec: [NODE, '-e', 'process.exit(process.env.CAPSULE_AGENT_TOKEN === undefined ? 0 : 1)'], interval: '100ms'},
        actions: {show: {command: printToken}},
      }),
    });
    const tokenOf = async () => {
      const line = await waitFor('the token printed', async () => (await supervisor.logs('app', 'tok', {tail: 100})).filter((entry) => entry.text.startsWith('CAPSULE_AGENT_TOKEN=')).at(-1));
      return line.text.slice('CAPSULE_AGENT_TOKEN='.length);
    };
    const first = await tokenOf();
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(supervisor.agentTokenHash('app', 'tok')).toBe(agentTokenHash(first));
    expect(h.persistence.processes.get('app/tok')?.agentTokenHash).toBe(agentTokenHash(first));
    expect(JSON.stringify([...h.persistence.processes.values()])).not.toContain(first);
    // The exec probe passes only without the token in its environment.
    await waitFor('healthy', () => supervisor.snapshot('app', 'tok').state === 'healthy');
    expect((await supervisor.runAction('app', 'tok', 'show')).output).toBe('token=<unset>');

    await supervisor.restart('app', 'tok');
    await waitFor('a second token', async () => (await supervisor.logs('app', 'tok', {tail: 100})).filter((entry) => entry.text.startsWith('CAPSULE_AGENT_TOKEN=')).length === 2);
    const second = await tokenOf();
    expect(second).not.toBe(first);
    expect(supervisor.agentTokenHash('app', 'tok')).toBe(agentTokenHash(second));
    await supervisor.stop('app', 'tok');
    expect(supervisor.agentTokenHash('app', 'tok')).toBeUndefined();
  });

  it('does not start without its env_file, and says why', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {env: service({command: [NODE, fixture('sleeper.js')], env_file: 'missing.env', max_restarts: 0})});
    await waitFor('failed', () => supervisor.snapshot('app', 'env').state === 'failed');
    expect(h.eventsOf('crash')[0]?.details.error).toMatch(/could not start: env_file of app\/env could not be read: .*missing\.env \(ENOENT\)/);
  });
});
