import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {AgentHub, DEFAULT_HEARTBEAT_INTERVAL_MS, type RegisterParams} from '../../../daemon/agent/agent-hub.js';
import {newAgentToken} from '../../../daemon/supervisor/agent-token.js';
import {AGENT_ENVIRONMENT} from '../../../src/protocol/index.js';
import {FakeHost} from './fake-host.js';

let dir: string;
let hub: AgentHub;
let host: FakeHost | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-agent-hub-'));
  hub = new AgentHub(join(dir, 'daemon.sock'));
});

afterEach(async () => {
  hub.close();
  host = undefined;
  await rm(dir, {recursive: true, force: true});
});

function params(overrides: Partial<RegisterParams> = {}): RegisterParams {
  return {service: 'app/api', token: overrides.token ?? host!.launch!.token, pid: process.pid, version: '2.0.0', actions: [{name: 'rotate', description: 'rotate keys'}], ...overrides};
}

async function attached(table: Record<string, unknown> = {}): Promise<FakeHost> {
  host = new FakeHost(table);
  hub.attach(host);
  return host;
}

describe('AgentHub registration', () => {
  it('gives a service the socket, registers its agent with its launch token and answers with its config', async () => {
    const host = await attached();
    expect(hub.environment()).toEqual({[AGENT_ENVIRONMENT.socket]: join(dir, 'daemon.sock')});
    const registration = await hub.register(1, params());
    expect(registration).toEqual({session: expect.any(String), config: {level: 'info', token: 's3cr3t-value'}, heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS});
    expect(hub.isConnected('app', 'api')).toBe(true);
    expect(hub.actions('app', 'api')).toEqual(['rotate']);
    expect(hub.status('app', 'api')).toMatchObject({pid: process.pid, version: '2.0.0', actions: [{name: 'rotate', description: 'rotate keys'}], health: null, metrics: {}});
    expect(host.changes).toEqual(['app/api']);
    expect(host.audits).toEqual([{kind: 'agent.connect', target: 'app/api', details: {pid: process.pid, version: '2.0.0', actions: ['rotate']}}]);
  });

  it('asks for beats at half a heartbeat probe interval', async () => {
    await attached({health: {heartbeat: true, interval: '2s'}});
    expect((await hub.register(1, params())).heartbeatIntervalMs).toBe(1000);
  });

  it('refuses any token but the running launch\'s, an undeclared service and a service that is not running', async () => {
    const host = await attached();
    const launch = host.launch!;
    await expect(hub.register(1, params({token: newAgentToken().token}))).rejects.toMatchObject({code: 'bad_request', message: "the agent token is not the one app/api's running process was given"});
    await expect(hub.register(1, params({token: launch.hash}))).rejects.toMatchObject({code: 'bad_request'});
    await expect(hub.register(1, params({token: launch.token.slice(1)}))).rejects.toMatchObject({code: 'bad_request'});
    await expect(hub.register(1, params({service: 'app/apj'}))).rejects.toMatchObject({code: 'not_found'});
    await expect(hub.register(1, params({service: 'api'}))).rejects.toMatchObject({code: 'bad_input', message: expect.stringContaining('"namespace/name"')});
    // The service restarted: the earlier launch's token is refused.
    host.launch = newAgentToken();
    await expect(hub.register(1, params({token: launch.token}))).rejects.toMatchObject({code: 'bad_request'});
    host.launch = null;
    await expect(hub.register(1, params({token: launch.token}))).rejects.toMatchObject({code: 'conflict', message: 'app/api is not running'});
    expect(hub.isConnected('app', 'api')).toBe(false);
    expect(host.audits).toEqual([]);
  });

  it('lets a newer registration replace the older, whose pending requests fail', async () => {
    const host = await attached();
    const first = await hub.register(1, params());
    const pending = hub.session(first.session, 1).ask({kind: 'action', action: 'rotate', args: {}});
    const second = await hub.register(2, params({version: '2.0.1'}));
    await expect(pending).rejects.toMatchObject({code: 'conflict', message: expect.stringContaining('replaced by a newer registration')});
    expect(() => hub.session(first.session, 1)).toThrow(/no agent session/);
    expect(hub.session(second.session, 2)).toBeDefined();
    expect(hub.status('app', 'api')?.version).toBe('2.0.1');
    // The old connection closing later leaves the new agent alone.
    hub.disconnected(1);
    expect(hub.isConnected('app', 'api')).toBe(true);
    expect(host.audits.map((event) => [event.kind, event.details.reason])).toEqual([['agent.connect', undefined], ['agent.disconnect', 'replaced by a newer registration'], ['agent.connect', undefined]]);
  });

  it('only answers a session on the connection that registered it', async () => {
    await attached();
    const {session} = await hub.register(1, params());
    expect(() => hub.session(session, 2)).toThrow(/no agent session with that id on this connection/);
  });

  it('forgets the agent when its connection closes', async () => {
    const host = await attached();
    await hub.register(1, params());
    hub.disconnected(1);
    expect(hub.isConnected('app', 'api')).toBe(false);
    expect(hub.actions('app', 'api')).toBeNull();
    expect(host.changes).toEqual(['app/api', 'app/api']);
    expect(host.audits.at(-1)).toEqual({kind: 'agent.disconnect', target: 'app/api', details: {pid: process.pid, reason: 'its connection closed'}});
  });
});

describe('AgentHub requests', () => {
  it('delivers a config change and says whether the agent applied it', async () => {
    await attached();
    const {session} = await hub.register(1, params());
    const agent = hub.session(session, 1);
    const change = {namespace: 'app', name: 'api', key: 'level', value: 'debug', values: {level: 'debug'}};
    const applied = hub.deliverConfig(change);
    const [request] = await agent.next();
    expect(request).toMatchObject({kind: 'config', key: 'level', values: {level: 'debug'}});
    agent.reply(request!.id, {ok: true, result: null});
    await expect(applied).resolves.toBe(true);

    const refused = hub.deliverConfig(change);
    const [next] = await agent.next();
    agent.reply(next!.id, {ok: false, error: 'cannot change level live'});
    await expect(refused).resolves.toBe(false);
  });

  it('does not deliver a config change to a service without an agent', async () => {
    await attached();
    await expect(hub.deliverConfig({namespace: 'app', name: 'api', key: 'level', value: 'debug', values: {}})).resolves.toBe(false);
  });

  it('runs an action through the agent, streaming its output', async () => {
    await attached();
    const {session} = await hub.register(1, params());
    const agent = hub.session(session, 1);
    const lines: string[] = [];
    const outcome = hub.run('app', 'api', {action: 'rotate', args: {scope: 'all'}, signal: new AbortController().signal, onOutput: (text) => lines.push(text)});
    const [request] = await agent.next();
    expect(request).toMatchObject({kind: 'action', action: 'rotate', args: {scope: 'all'}});
    agent.output(request!.id, 'rotating');
    agent.reply(request!.id, {ok: true, result: {rotated: 2}});
    await expect(outcome).resolves.toEqual({ok: true, result: {rotated: 2}});
    expect(lines).toEqual(['rotating']);
  });

  it('refuses an action when no agent is connected', async () => {
    await attached();
    await expect(hub.run('app', 'api', {action: 'rotate', args: {}, signal: new AbortController().signal, onOutput: () => undefined})).rejects.toMatchObject({code: 'conflict', message: 'no agent of app/api is connected'});
  });

  it('passes heartbeats with health to the host and keeps metrics for the status', async () => {
    const host = await attached();
    const {session} = await hub.register(1, params());
    hub.heartbeat(hub.session(session, 1), {ok: true, detail: 'warm'}, {queue_depth: 5});
    hub.heartbeat(hub.session(session, 1));
    expect(host.beats).toEqual([{ok: true, detail: 'warm'}, undefined]);
    expect(hub.status('app', 'api')).toMatchObject({health: {ok: true, detail: 'warm'}, metrics: {queue_depth: 5}});
  });
});

describe('AgentHub and remote services', () => {
  const peer = {address: '203.0.113.7'};

  it('registers a remote service over a remote connection with its token, telling the host where from', async () => {
    const host = await attached({remote: true});
    host.remoteTokens.add('capsule1.good');
    await hub.register(7, params({token: 'capsule1.good'}), peer);
    expect(hub.isConnected('app', 'api')).toBe(true);
    expect(host.presences).toEqual(['app/api connected from 203.0.113.7']);
    expect(host.audits[0]).toMatchObject({kind: 'agent.connect', details: {address: '203.0.113.7'}});
    expect(hub.disconnect('app', 'api', 'its token was revoked')).toBe(7);
    expect(hub.isConnected('app', 'api')).toBe(false);
    expect(host.presences.at(-1)).toBe('app/api gone: its token was revoked');
    expect(host.audits.at(-1)).toMatchObject({kind: 'agent.disconnect', details: {reason: 'its token was revoked', address: '203.0.113.7'}});
  });

  it('refuses a wrong token, a remote service on the local socket and a local service over the network', async () => {
    const host = await attached({remote: true});
    host.remoteTokens.add('capsule1.good');
    await expect(hub.register(7, params({token: 'capsule1.bad'}), peer)).rejects.toMatchObject({code: 'bad_request'});
    await expect(hub.register(1, params({token: 'capsule1.good'}))).rejects.toMatchObject({code: 'bad_request', message: expect.stringContaining('app/api is a remote service')});
    expect(hub.isConnected('app', 'api')).toBe(false);
    expect(host.presences).toEqual([]);

    const local = await attached();
    await expect(hub.register(7, params({token: local.launch!.token}), peer)).rejects.toMatchObject({code: 'bad_request', message: expect.stringContaining('app/api is not a remote service')});
  });

  it('a remote agent\'s connection closing ends its session and tells the host', async () => {
    const host = await attached({remote: true});
    host.remoteTokens.add('capsule1.good');
    await hub.register(7, params({token: 'capsule1.good'}), peer);
    hub.disconnected(7);
    expect(host.presences).toEqual(['app/api connected from 203.0.113.7', 'app/api gone: its connection closed']);
  });
});
