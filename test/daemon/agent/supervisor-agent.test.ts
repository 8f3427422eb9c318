/** The supervisor's side of the agent: in-process actions through a runner, and health the agent reports. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {AgentActionOutcome, AgentActionRequest, AgentActionRunner} from '../../../daemon/supervisor/index.js';
import type {ActionOutputLine} from '../../../daemon/supervisor/types.js';
import {fixture, Harness, NODE, service, waitFor} from '../supervisor/harness.js';

/** A runner whose agent answers with `answer`, or never (until the request is abandoned). */
class FakeAgents implements AgentActionRunner {
  readonly requests: AgentActionRequest[] = [];
  connected: string[] | null = ['rotate', 'extra'];

  constructor(private readonly answer: ((request: AgentActionRequest) => AgentActionOutcome) | null) {}

  actions(): string[] | null {
    return this.connected;
  }

  run(_namespace: string, _name: string, request: AgentActionRequest): Promise<AgentActionOutcome> {
    this.requests.push(request);
    const answer = this.answer;
    if (answer) return Promise.resolve(answer(request));
    return new Promise((_resolve, reject) => request.signal.addEventListener('abort', () => reject(new Error('abandoned'))));
  }
}

const declared = () =>
  service({
    command: [NODE, fixture('sleeper.js')],
    autostart: false,
    config: {token: {type: 'string', secret: true, default: 'agent-secret-1'}},
    actions: {rotate: {description: 'in-process', timeout: '300ms'}, greet: {command: ['echo', 'hi']}},
  });

describe('agent actions in the supervisor', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('runs an action declared without a command through the agent: output and result masked, audited with its result', async () => {
    const agents = new FakeAgents((request) => {
      request.onOutput('using agent-secret-1\nstep 2');
      return {ok: true, result: {rotated: true, key: 'agent-secret-1', args: request.args}};
    });
    const supervisor = h.supervisor({agentActions: agents});
    await supervisor.setProjectServices('app', h.dir, {svc: declared()});
    const lines: ActionOutputLine[] = [];

    const result = await supervisor.runAction('app', 'svc', 'rotate', {scope: 'all'}, {onOutput: (line) => lines.push(line)});

    expect(result).toMatchObject({action: 'rotate', exitCode: 0, signal: null, timedOut: false, output: 'using ***\nstep 2', result: {rotated: true, key: '***', args: {scope: 'all'}}});
    expect(lines).toEqual([{stream: 'stdout', text: 'using ***'}, {stream: 'stdout', text: 'step 2'}]);
    expect(h.eventsOf('action', 'app/svc')[0]?.details).toMatchObject({action: 'rotate', args: {scope: 'all'}, exitCode: 0, handledBy: 'agent', result: {rotated: true, key: '***'}});
  });

  it('runs an action only the agent lists, and a declared command action as a command', async () => {
    const agents = new FakeAgents(() => ({ok: true, result: 'done'}));
    const supervisor = h.supervisor({agentActions: agents});
    await supervisor.setProjectServices('app', h.dir, {svc: declared()});
    expect(await supervisor.runAction('app', 'svc', 'extra')).toMatchObject({exitCode: 0, result: 'done'});
    expect(await supervisor.runAction('app', 'svc', 'greet')).toMatchObject({exitCode: 0, output: 'hi', result: null});
    expect(agents.requests.map((request) => request.action)).toEqual(['extra']);
  });

  it('turns a failing handler into exit status 1 with its message', async () => {
    const supervisor = h.supervisor({agentActions: new FakeAgents(() => ({ok: false, error: 'key store locked'}))});
    await supervisor.setProjectServices('app', h.dir, {svc: declared()});
    expect(await supervisor.runAction('app', 'svc', 'rotate')).toMatchObject({exitCode: 1, output: 'error: key store locked', result: null});
  });

  it('stops waiting for the agent at the action timeout', async () => {
    const agents = new FakeAgents(null);
    const supervisor = h.supervisor({agentActions: agents});
    await supervisor.setProjectServices('app', h.dir, {svc: declared()});
    expect(await supervisor.runAction('app', 'svc', 'rotate')).toMatchObject({exitCode: null, timedOut: true});
    expect(agents.requests[0]?.signal.aborted).toBe(true);
  });

  it('says when no agent is connected, or the connected one lacks the handler, and suggests listed names', async () => {
    const agents = new FakeAgents(() => ({ok: true, result: null}));
    agents.connected = ['other'];
    const supervisor = h.supervisor({agentActions: agents});
    await supervisor.setProjectServices('app', h.dir, {svc: declared()});
    await expect(supervisor.runAction('app', 'svc', 'rotate')).rejects.toMatchObject({code: 'conflict', message: expect.stringContaining('does not handle it (it handles: other)')});
    await expect(supervisor.runAction('app', 'svc', 'othr')).rejects.toMatchObject({code: 'not_found', hint: 'did you mean "other"?'});
    agents.connected = null;
    await expect(supervisor.runAction('app', 'svc', 'rotate')).rejects.toMatchObject({code: 'conflict', message: expect.stringContaining('none is connected')});
    expect(agents.requests).toEqual([]);
  });
});

describe('health reported by the agent', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('fails a heartbeat probe when the agent says it is unwell, though it keeps beating', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('app', h.dir, {
      svc: service({command: [NODE, fixture('sleeper.js')], restart: 'never', health: {heartbeat: true, interval: '100ms', timeout: '100ms', failure_threshold: 2}}),
    });
    let health = {ok: true, detail: 'warm' as string | null};
    const beating = setInterval(() => supervisor.heartbeat('app', 'svc', health), 40);
    try {
      await waitFor('healthy, with what the agent said', () => supervisor.snapshot('app', 'svc').state === 'healthy' && supervisor.snapshot('app', 'svc').healthDetail === 'heartbeat received: warm');
      health = {ok: false, detail: 'database unreachable'};
      await waitFor('unhealthy', () => supervisor.snapshot('app', 'svc').state === 'unhealthy');
      expect(h.eventsOf('health', 'app/svc').at(-1)?.details).toMatchObject({to: 'unhealthy', detail: 'the service reports itself unhealthy: database unreachable'});
    } finally {
      clearInterval(beating);
    }
  });
});

describe('a secret changed live', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('stays masked in the output of the process that still holds the old value', async () => {
    const supervisor = h.supervisor({onConfigChange: () => true});
    const printer = "setInterval(() => console.log('token=' + process.env.CAPSULE_CONFIG_TOKEN), 30)";
    await supervisor.setProjectServices('app', h.dir, {
      svc: service({command: [NODE, '-e', printer], config: {token: {type: 'string', secret: true, default: 'old-secret-value'}}}),
    });
    await waitFor('the old token printed', async () => (await supervisor.logs('app', 'svc')).some((line) => line.text === 'token=***'));
    expect(await supervisor.configSet('app', 'svc', 'token', 'new-secret-value')).toMatchObject({delivery: 'live'});
    const linesBefore = (await supervisor.logs('app', 'svc', {tail: 10_000})).length;
    await waitFor('more lines after the change', async () => (await supervisor.logs('app', 'svc', {tail: 10_000})).length > linesBefore + 3);
    const text = await h.logText('app', 'svc');
    expect(text).not.toContain('old-secret-value');
    expect(text).toContain('token=***');
  });
});
