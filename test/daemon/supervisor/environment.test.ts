import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {agentTokenHash} from '../../../daemon/supervisor/agent-token.js';
import {mayImportCapsule} from '../../../daemon/supervisor/service-env.js';
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

describe('which services may import capsule (and get the capsule/service preload)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'preload-'));
    await writeFile(join(dir, 'agent.mjs'), "import {agent} from 'capsule/service';\n");
    await writeFile(join(dir, 'plain.js'), "require('http').createServer().listen(0);\n");
  });
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true});
  });

  it('looks in the script `node FILE` runs, past the options that take a value', async () => {
    expect(await mayImportCapsule(['node', 'agent.mjs'], dir)).toBe(true);
    expect(await mayImportCapsule([process.execPath, '--require', 'plain.js', '--enable-source-maps', 'agent.mjs'], dir)).toBe(true);
    expect(await mayImportCapsule(['node', 'plain.js'], dir)).toBe(false);
    expect(await mayImportCapsule(['node', '-e', "import('capsule/client')"], dir)).toBe(true);
    expect(await mayImportCapsule(['node', '-e', 'setInterval(() => {}, 1000)'], dir)).toBe(false);
  });

  it('gives it to what runs a script it cannot see, and never to other programs', async () => {
    expect(await mayImportCapsule('node plain.js', dir)).toBe(true);
    expect(await mayImportCapsule(['npm', 'start'], dir)).toBe(true);
    expect(await mayImportCapsule(['tsx', 'watch', 'src/server.ts'], dir)).toBe(true);
    expect(await mayImportCapsule(['python3', '-m', 'http.server'], dir)).toBe(false);
    expect(await mayImportCapsule('echo capsule', dir)).toBe(false);
  });
});
