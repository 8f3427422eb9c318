/** The governance surface through the real CLI and daemon: an embedded agent, config changes, actions. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {waitFor} from '../helpers/cli.js';
import {fixtureCommand, ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

const agentProject = `[services.worker]
${fixtureCommand('agent-service.js')}
health = { heartbeat = true, interval = "500ms", timeout = "1s" }

[services.worker.config.level]
type = "string"
default = "info"
description = "log level"

[services.worker.config.workers]
type = "integer"
default = 2

[services.worker.actions.rotate]
description = "rotate the keys"
timeout = "10s"
`;

describe('a service embedding the agent', () => {
  it('receives a config change live, without a restart, and runs actions in-process', async () => {
    await s.project('gov', agentProject);
    const connected = await s.waitForService('gov/worker', (service) => service.agent && service.state === 'healthy', 'to connect its agent and be healthy');
    expect(connected.actions).toEqual([
      {name: 'rotate', description: 'rotate the keys'},
      {name: 'explode', description: 'always fails'},
    ]);
    await waitFor(async () => (await s.ok(['logs', 'gov/worker'])).includes('ready'), {what: 'the service to say ready'});

    const set = await s.run(['config', 'set', 'gov/worker', 'level', 'debug']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('gov/worker level = debug: delivered live to the running service');
    const asJson = await s.home.json<{applied: string; entry: {key: string; value: unknown; overridden: boolean}}>(['config', 'set', 'gov/worker', 'workers', '4']);
    expect(asJson).toMatchObject({applied: 'live', entry: {key: 'workers', value: 4, overridden: true}});
    await waitFor(async () => {
      const logs = await s.ok(['logs', 'gov/worker']);
      return logs.includes('config level=debug') && logs.includes('config workers=4');
    }, {what: 'the service to print the changes'});
    const after = await s.service('gov/worker');
    expect(after).toMatchObject({pid: connected.pid, restarts: 0, agent: true});
    expect((await s.events('gov/worker', 'service.config')).map((event) => event.details)).toEqual([
      {key: 'level', from: 'info', to: 'debug', delivery: 'live'},
      {key: 'workers', from: 2, to: 4, delivery: 'live'},
    ]);

    const action = await s.run(['action', 'gov/worker', 'rotate', '--arg', 'scope=all']);
    expect(action.code).toBe(0);
    expect(action.stdout).toContain('rotating all');
    expect(JSON.parse(action.stdout.slice(action.stdout.indexOf('{')))).toEqual({rotated: true, scope: 'all', token: null});
    const result = await s.home.json<{exitCode: number; output: string; result: unknown}>(['action', 'gov/worker', 'rotate']);
    expect(result).toMatchObject({exitCode: 0, output: 'rotating everything', result: {rotated: true, scope: null}});

    const failing = await s.run(['action', 'gov/worker', 'explode']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('error: the key store is locked');
    expect(failing.stderr).toContain('action explode exited with status 1');

    const actions = (await s.events('gov/worker', 'service.action')).map((event) => event.details);
    expect(actions[0]).toMatchObject({action: 'rotate', args: {scope: 'all'}, exitCode: 0, handledBy: 'agent', result: {rotated: true, scope: 'all'}});
    expect(actions.at(-1)).toMatchObject({action: 'explode', exitCode: 1});
    expect((await s.events('gov/worker', 'agent.connect'))[0]?.details).toMatchObject({version: '9.9.9', actions: ['rotate', 'explode']});

    // Stopped, the service has no agent, and its in-process actions cannot run.
    await s.ok(['stop', 'gov/worker']);
    await s.waitForService('gov/worker', (service) => !service.agent, 'to lose its agent');
    const orphan = await s.run(['action', 'gov/worker', 'rotate']);
    expect(orphan.code).toBe(1);
    expect(orphan.stderr).toContain("handled by the service's embedded agent, and none is connected");
  });

  it('restarts a service without an agent to apply a change, and says so', async () => {
    await s.project('plain', `[services.sleeper]\n${fixtureCommand('sleeper.js')}\n\n[services.sleeper.config.level]\ntype = "string"\ndefault = "info"\n`);
    const before = await s.waitForService('plain/sleeper', (service) => service.state === 'running', 'to run');
    expect(before.agent).toBe(false);
    const set = await s.run(['config', 'set', 'plain/sleeper', 'level', 'debug']);
    expect(set.stdout).toContain('the service was restarted to apply it');
    const after = await s.waitForService('plain/sleeper', (service) => service.state === 'running' && service.pid !== before.pid, 'to run again');
    expect(after.restarts).toBe(1);
    await waitFor(async () => (await s.ok(['logs', 'plain/sleeper'])).includes('CAPSULE_CONFIG_LEVEL=debug'), {what: 'the new value in its environment'});

    await s.ok(['stop', 'plain/sleeper']);
    expect((await s.home.json<{applied: string}>(['config', 'set', 'plain/sleeper', 'level', 'warn'])).applied).toBe('stored');
    expect((await s.home.json<{applied: string}>(['config', 'set', 'plain/sleeper', 'level', 'warn'])).applied).toBe('unchanged');
  });

  it('refuses a value of the wrong type, naming the key, what was expected and what was got', async () => {
    await s.project('gov', agentProject);
    const wrong = await s.run(['config', 'set', 'gov/worker', 'workers', 'many']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('config workers of gov/worker must be an integer, got "many"');
    expect(wrong.stderr).toContain('write a whole number such as 8080');
    const unknown = await s.run(['config', 'get', 'gov/worker', 'levl']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean "level"?');
    expect((await s.ok(['config', 'get', 'gov/worker', 'workers'])).trim()).toBe('2');
  });

  it('runs a command action with --arg values in its environment, streaming its output and returning its status', async () => {
    await s.project('ops', `[services.box]\n${fixtureCommand('sleeper.js')}\n\n[services.box.actions.greet]\ncommand = 'echo "hello $CAPSULE_ARG_WHO"; echo "dry=$CAPSULE_ARG_DRY_RUN"; test "$CAPSULE_ARG_WHO" != fail'\n`);
    const greeted = await s.run(['action', 'ops/box', 'greet', '--arg', 'who=world', '--arg', 'dry_run=true']);
    expect(greeted.code).toBe(0);
    expect(greeted.stdout).toBe('hello world\ndry=true\n');
    const failed = await s.run(['action', 'ops/box', 'greet', '-a', 'who=fail', '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({exitCode: 1, signal: null, timedOut: false, output: 'hello fail\ndry=', result: null});
    const malformed = await s.run(['action', 'ops/box', 'greet', '--arg', 'novalue']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--arg expects key=value, got "novalue"');
  });
});
