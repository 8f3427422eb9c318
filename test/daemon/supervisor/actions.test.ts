import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {ActionOutputLine} from '../../../daemon/supervisor/types.js';
import {fixture, Harness, NODE, service} from './harness.js';

describe('command actions, with real processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  const withActions = () =>
    service({
      command: [NODE, fixture('sleeper.js')],
      autostart: false,
      config: {token: {type: 'string', secret: true, default: 'action-secret-1'}},
      actions: {
        greet: {command: 'echo "hello $CAPSULE_ARG_WHO from $CAPSULE_ACTION"; echo "token $CAPSULE_CONFIG_TOKEN"; echo oops >&2; exit 3', description: 'says hello'},
        hang: {command: ['sleep', '30'], timeout: '200ms'},
        agent: {description: 'handled in-process'},
      },
    });

  it('streams output, returns the exit status and audits the run', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: withActions()});
    const lines: ActionOutputLine[] = [];

    const result = await supervisor.runAction('app', 'svc', 'greet', {who: 'world'}, {onOutput: (line) => lines.push(line)});

    expect(result).toMatchObject({action: 'greet', exitCode: 3, signal: null, timedOut: false});
    expect(lines).toEqual(expect.arrayContaining([
      {stream: 'stdout', text: 'hello world from greet'},
      {stream: 'stdout', text: 'token ***'},
      {stream: 'stderr', text: 'oops'},
    ]));
    expect(result.output.split('\n').sort()).toEqual(['hello world from greet', 'oops', 'token ***']);
    expect(h.eventsOf('action')).toEqual([expect.objectContaining({target: 'app/svc', details: expect.objectContaining({action: 'greet', args: {who: 'world'}, exitCode: 3})})]);
  });

  it('stops an action at its timeout', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: withActions()});
    expect(await supervisor.runAction('app', 'svc', 'hang')).toMatchObject({timedOut: true, signal: 'SIGTERM'});
  });

  it('stops running actions when the supervisor closes', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: service({command: [NODE, fixture('sleeper.js')], autostart: false, actions: {hang: {command: ['sleep', '30'], timeout: '1m'}}})});
    const running = supervisor.runAction('app', 'svc', 'hang');
    await supervisor.close();
    expect(await running).toMatchObject({timedOut: false, signal: 'SIGTERM'});
  });

  it('rejects unknown actions, agent-only actions and bad argument names', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {svc: withActions()});
    await expect(supervisor.runAction('app', 'svc', 'gret')).rejects.toMatchObject({code: 'not_found', hint: 'did you mean "greet"?'});
    await expect(supervisor.runAction('app', 'svc', 'agent')).rejects.toMatchObject({code: 'conflict', message: expect.stringContaining("handled by the service's embedded agent")});
    await expect(supervisor.runAction('app', 'svc', 'greet', {'bad name': 'x'})).rejects.toMatchObject({code: 'bad_input'});
  });
});
