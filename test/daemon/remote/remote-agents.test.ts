/** The TLS port as an agent sees it, with the real hub behind it: what a connection may call, and in what order. */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {connect as connectTls} from 'node:tls';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {AgentHub} from '../../../daemon/agent/agent-hub.js';
import {RemoteAgents} from '../../../daemon/remote/remote-agents.js';
import {parseRemoteToken} from '../../../src/protocol/remote-token.js';
import {RemoteChannel} from '../../../src/service/remote-channel.js';
import {FakeHost} from '../agent/fake-host.js';
import {waitFor} from '../supervisor/harness.js';

let dir: string;
let hub: AgentHub;
let host: FakeHost;
let remote: RemoteAgents;
const audits: {kind: string; target: string; details: Record<string, unknown>}[] = [];
const channels: RemoteChannel[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsule-remote-agents-'));
  hub = new AgentHub(join(dir, 'daemon.sock'));
  host = new FakeHost({remote: true});
  hub.attach(host);
  remote = await RemoteAgents.open({tlsDir: join(dir, 'tls'), listen: {host: '127.0.0.1', port: 0}, advertise: {host: '127.0.0.1', port: 0}, hub, audit: (kind, target, details) => audits.push({kind, target, details})});
  await remote.listen();
});

afterEach(async () => {
  for (const channel of channels.splice(0)) channel.close();
  hub.close();
  await remote.close();
  audits.length = 0;
  await rm(dir, {recursive: true, force: true});
});

async function connect(): Promise<{channel: RemoteChannel; token: string}> {
  const token = remote.tokenFor('app/api', 'x'.repeat(43));
  host.remoteTokens.add(token);
  const channel = await RemoteChannel.connect(parseRemoteToken(token));
  channels.push(channel);
  return {channel, token};
}

const register = (channel: RemoteChannel, token: string, service = 'app/api') => channel.call('agent.register', {service, token, pid: 42, host: 'edge-01', version: '1.0.0', actions: []});

describe('RemoteAgents', () => {
  it('takes a call sent right behind the registration, in the same write, instead of refusing it', async () => {
    const token = remote.tokenFor('app/api', 'x'.repeat(43));
    host.remoteTokens.add(token);
    const {fingerprint} = parseRemoteToken(token);
    const socket = connectTls({host: '127.0.0.1', port: remote.address.port, rejectUnauthorized: false});
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    expect(socket.getPeerCertificate().fingerprint256).toBe(fingerprint);
    const registration = {id: 1, method: 'agent.register', params: {service: 'app/api', token, pid: 42, host: 'edge-01', version: '1.0.0', actions: []}};
    const early = {id: 2, method: 'agent.heartbeat', params: {session: 'not-yet'}};
    socket.write(`${JSON.stringify(registration)}\n${JSON.stringify(early)}\n`);
    const replies = await waitFor('both replies', () => {
      const lines = text.split('\n').filter(Boolean);
      return lines.length >= 2 ? lines.map((line) => JSON.parse(line) as {id: number; ok: boolean; error?: {code: string}}) : null;
    });
    socket.destroy();
    expect(replies.find((reply) => reply.id === 1)).toMatchObject({ok: true});
    // Answered by the hub once the registration was decided (no such session), not refused as too early.
    expect(replies.find((reply) => reply.id === 2)).toMatchObject({ok: false, error: {code: 'not_found'}});
    expect(audits.filter((event) => event.kind === 'agent.refused')).toEqual([]);
    expect(host.presences).toEqual(['app/api connected from 127.0.0.1']);
  });

  it('refuses any other method, and a connection that fails its registration is audited once and closed', async () => {
    const {channel, token} = await connect();
    await expect(channel.call('project.list', {})).rejects.toMatchObject({code: 'bad_request', message: expect.stringContaining('a remote agent may call only')});
    await expect(register(channel, `${token}x`)).rejects.toMatchObject({code: 'bad_request'});
    await expect(channel.call('agent.heartbeat', {session: 's'})).rejects.toBeDefined();
    const refused = audits.filter((event) => event.kind === 'agent.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({target: '-', details: {address: '127.0.0.1', code: 'bad_request'}});

    const second = await connect();
    await expect(register(second.channel, second.token, 'app/other')).rejects.toMatchObject({code: 'not_found'});
    expect(audits.filter((event) => event.kind === 'agent.refused').at(-1)).toMatchObject({target: 'app/other'});
  });
});
