import {describe, expect, it} from 'vitest';
import {AgentSession, MAX_PENDING_REQUESTS} from '../../../daemon/agent/agent-session.js';
import {MAX_AGENT_METRICS} from '../../../src/protocol/index.js';

function session(): AgentSession {
  return new AgentSession('app/api', 7, {pid: 42, version: '1.0.0', actions: [{name: 'rotate', description: null}]}, Date.parse('2030-01-01T00:00:00Z'));
}

const rotate = {kind: 'action', action: 'rotate', args: {scope: 'all'}} as const;

describe('AgentSession', () => {
  it('hands a waiting poll the request as soon as it is asked, and settles it with the reply', async () => {
    const agent = session();
    const poll = agent.next();
    const answer = agent.ask(rotate);
    const [request] = await poll;
    expect(request).toMatchObject({kind: 'action', action: 'rotate', args: {scope: 'all'}, id: expect.any(String)});
    expect(agent.reply(request!.id, {ok: true, result: {rotated: true}})).toBe(true);
    await expect(answer).resolves.toEqual({ok: true, result: {rotated: true}});
    expect(agent.reply(request!.id, {ok: true, result: null})).toBe(false);
  });

  it('queues requests asked while no poll waits, and delivers them all to the next one', async () => {
    const agent = session();
    void agent.ask(rotate);
    void agent.ask({kind: 'config', key: 'level', values: {level: 'debug'}});
    const requests = await agent.next();
    expect(requests.map((request) => request.kind)).toEqual(['action', 'config']);
  });

  it('answers an older poll with nothing when a newer one arrives', async () => {
    const agent = session();
    const older = agent.next();
    void agent.next();
    await expect(older).resolves.toEqual([]);
  });

  it('streams output to the asker only while the request is pending', async () => {
    const agent = session();
    const lines: string[] = [];
    const answer = agent.ask(rotate, {onOutput: (text) => lines.push(text)});
    const [request] = await agent.next();
    expect(agent.output(request!.id, 'step 1')).toBe(true);
    agent.reply(request!.id, {ok: false, error: 'boom'});
    await expect(answer).resolves.toEqual({ok: false, error: 'boom'});
    expect(agent.output(request!.id, 'late')).toBe(false);
    expect(lines).toEqual(['step 1']);
  });

  it('rejects a request given up on, and drops it from the queue', async () => {
    const agent = session();
    const controller = new AbortController();
    const answer = agent.ask(rotate, {signal: controller.signal});
    controller.abort(new Error('timed out'));
    await expect(answer).rejects.toThrow('timed out');
    void agent.ask({kind: 'config', key: 'level', values: {level: 'warn'}});
    expect((await agent.next()).map((request) => request.kind)).toEqual(['config']);
  });

  it('fails the waiting poll when it ends', async () => {
    const agent = session();
    const poll = agent.next();
    agent.end('its connection closed');
    await expect(poll).rejects.toMatchObject({code: 'conflict', message: expect.stringContaining('its connection closed')});
    await expect(agent.next()).rejects.toMatchObject({code: 'conflict'});
  });

  it('fails every pending request when it ends, taken or still queued, and refuses new ones', async () => {
    const agent = session();
    const taken = agent.ask(rotate);
    await agent.next();
    const queued = agent.ask(rotate);
    agent.end('its connection closed');
    await expect(taken).rejects.toMatchObject({code: 'conflict', message: expect.stringContaining('its connection closed')});
    await expect(queued).rejects.toMatchObject({code: 'conflict'});
    await expect(agent.ask(rotate)).rejects.toMatchObject({code: 'conflict'});
  });

  it(`refuses more than ${MAX_PENDING_REQUESTS} unanswered requests`, async () => {
    const agent = session();
    for (let index = 0; index < MAX_PENDING_REQUESTS; index++) void agent.ask(rotate).catch(() => undefined);
    await expect(agent.ask(rotate)).rejects.toMatchObject({code: 'conflict', message: expect.stringContaining(`${MAX_PENDING_REQUESTS} requests unanswered`)});
    agent.end('test over');
  });

  it('keeps the last health and metrics reported, and refuses metric names past the limit', () => {
    const agent = session();
    agent.beat(Date.parse('2030-01-01T00:00:05Z'), {ok: false, detail: 'db slow'}, {queue_depth: 3});
    agent.beat(Date.parse('2030-01-01T00:00:10Z'), undefined, {queue_depth: 4, errors: 1});
    expect(agent.status()).toEqual({
      pid: 42,
      version: '1.0.0',
      actions: [{name: 'rotate', description: null}],
      connectedAt: '2030-01-01T00:00:00.000Z',
      lastHeartbeatAt: '2030-01-01T00:00:10.000Z',
      health: {ok: false, detail: 'db slow'},
      metrics: {queue_depth: 4, errors: 1},
    });
    const many = Object.fromEntries(Array.from({length: MAX_AGENT_METRICS - 1}, (_, index) => [`m${index}`, index]));
    expect(() => agent.beat(0, undefined, many)).toThrow(/at most 100 are kept/);
    expect(Object.keys(agent.status().metrics)).toEqual(['queue_depth', 'errors']);
  });
});
