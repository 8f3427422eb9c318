import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
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

  it('does not start without its env_file, and says why', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {env: service({command: [NODE, fixture('sleeper.js')], env_file: 'missing.env', max_restarts: 0})});
    await waitFor('failed', () => supervisor.snapshot('app', 'env').state === 'failed');
    expect(h.eventsOf('crash')[0]?.details.error).toMatch(/could not start: env_file of app\/env could not be read: .*missing\.env \(ENOENT\)/);
  });
});
