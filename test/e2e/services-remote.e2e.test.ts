/**
 * Remote services through the real CLI and daemon over real TLS on loopback: an agent in a
 * separate process that knows only its token registers, beats, reports a metric, takes a config
 * change live and answers an action; it reconnects by itself after a daemon restart; a revoked
 * token disconnects it and is refused after; a token is good for its own service only and for the
 * agent methods only; a wrong fingerprint makes the agent refuse the daemon; garbage and oversized
 * frames on the port leave the daemon serving.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {writeFile} from 'node:fs/promises';
import {connect as connectTcp} from 'node:net';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {connect as connectTls} from 'node:tls';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {DaemonClient} from '../../src/client/client.js';
import {formatRemoteToken, parseRemoteToken} from '../../src/protocol/remote-token.js';
import type {ServiceToken} from '../../src/protocol/index.js';
import {RemoteChannel} from '../../src/service/remote-channel.js';
import {collect, waitFor, type Collected} from '../helpers/cli.js';
import {freePort} from '../daemon/supervisor/harness.js';
import {FIXTURES, ServicesHome} from './services-harness.js';

let s: ServicesHome;
let port: number;
const agents: ChildProcess[] = [];

beforeEach(async () => {
  s = await ServicesHome.create();
  port = await freePort();
  await writeFile(join(s.home.home, 'daemon.toml'), `listen = "127.0.0.1:${port}"\n`);
});

afterEach(async () => {
  for (const child of agents.splice(0)) child.kill('SIGKILL');
  await s.cleanup();
});

const project = `[services.edge]
remote = true
description = "an edge worker on another machine"
health = { heartbeat = true, interval = "500ms", timeout = "1s" }

[services.edge.config.level]
type = "string"
default = "info"

[services.edge.actions.drain]
description = "stop taking work"
timeout = "10s"

[services.other]
remote = true
`;

/** A remote agent: a separate Node process whose environment holds nothing of the daemon but the token. */
function startAgent(token: string): {child: ChildProcess; output: Collected} {
  const child = spawn(process.execPath, [join(FIXTURES, 'remote-agent.js')], {env: {PATH: process.env.PATH, CAPSULE_AGENT_TOKEN: token}, stdio: ['ignore', 'pipe', 'pipe']});
  agents.push(child);
  return {child, output: collect(child)};
}

function printed(output: Collected, text: string, what: string): Promise<true> {
  return waitFor(() => output.stdout.includes(text) || null, {timeoutMs: 20_000, what: `${what} (agent printed: ${output.stdout}${output.stderr})`});
}

async function token(target: string, ...flags: string[]): Promise<ServiceToken> {
  return s.home.json<ServiceToken>(['service', 'token', target, ...flags]);
}

describe('a remote service', () => {
  it('is governed through an agent that connects with its token alone, and finds the daemon again after a restart', async () => {
    await s.project('shop', project);
    const waiting = await s.service('shop/edge');
    expect(waiting).toMatchObject({state: 'starting', pid: null, agent: false, remote: {connected: false, address: null}});
    expect(waiting.reason).toContain('capsule service token shop/edge');

    const issued = await token('shop/edge');
    expect(issued).toMatchObject({service: 'shop/edge', address: `127.0.0.1:${port}`, issued: true, revoked: false, expiresAt: null});
    expect(issued.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // Printed again, not issued again; alone on stdout, so $(capsule service token …) is the token.
    const again = await s.run(['service', 'token', 'shop/edge']);
    expect(again.stdout.trim()).toBe(issued.token);
    expect(again.stderr).toContain(`current token of shop/edge: leads to 127.0.0.1:${port}`);

    const {output} = startAgent(issued.token!);
    await printed(output, 'registered as shop/edge level=info', 'the agent to register');
    const healthy = await s.waitForService('shop/edge', (service) => service.state === 'healthy' && service.remote?.connected === true, 'to be healthy through its heartbeats');
    expect(healthy).toMatchObject({agent: true, pid: null, remote: {address: '127.0.0.1', host: hostname(), version: '1.4.0'}, actions: [{name: 'drain', description: 'stop taking work'}]});
    expect(healthy.remote?.lastHeartbeatAt).not.toBeNull();
    const listed = await s.ok(['services', 'shop']);
    expect(listed).toMatch(new RegExp(`shop/edge\\s+● healthy.*remote · ${hostname().replaceAll('.', '\\.')} \\(127\\.0\\.0\\.1\\) · v1\\.4\\.0 · beat`));

    const client = await DaemonClient.connect({socket: join(s.home.home, 'run', 'daemon.sock'), home: s.home.home});
    try {
      await waitFor(async () => (await client.call('agent.status', {namespace: 'shop', name: 'edge'})).agent?.metrics.queue_depth === 3 || null, {what: 'the metric to arrive'});
    } finally {
      client.close();
    }

    const set = await s.run(['config', 'set', 'shop/edge', 'level', 'debug']);
    expect(set.stdout).toContain('delivered live');
    await printed(output, 'config level=debug', 'the change to reach the agent');
    const action = await s.home.json<{exitCode: number; output: string; result: unknown}>(['action', 'shop/edge', 'drain', '--arg', 'queue=mail']);
    expect(action).toMatchObject({exitCode: 0, output: 'draining mail', result: {drained: true, queue: 'mail', level: 'debug'}});

    const restart = await s.run(['restart', 'shop/edge']);
    expect(restart.code).toBe(1);
    expect(restart.stderr).toContain('shop/edge is a remote service: the daemon does not own its process, so it cannot restart it');

    // What reached the agent's machine says where it went.
    expect((await s.events('shop/edge', 'service.config'))[0]?.details).toMatchObject({key: 'level', delivery: 'live', address: '127.0.0.1'});
    expect((await s.events('shop/edge', 'service.action'))[0]?.details).toMatchObject({action: 'drain', address: '127.0.0.1'});
    const connects = (await s.events('shop/edge', 'agent.connect')).map((event) => event.details);
    expect(connects).toEqual([expect.objectContaining({address: '127.0.0.1', host: hostname(), version: '1.4.0', actions: ['drain']})]);

    // The daemon goes and comes back: the agent reconnects by itself, and gets the value set meanwhile.
    const firstConnect = healthy.remote!.connectedAt;
    await s.ok(['daemon', 'stop']);
    await printed(output, 'agent error', 'the agent to notice the daemon is gone');
    await s.ok(['daemon', 'start']);
    const back = await s.waitForService('shop/edge', (service) => service.remote?.connected === true && service.remote.connectedAt !== firstConnect, 'to reconnect after the restart');
    expect(back.remote?.address).toBe('127.0.0.1');
    await s.ok(['config', 'set', 'shop/edge', 'level', 'warn']);
    await printed(output, 'config level=warn', 'a change after the restart to reach the agent');
  });

  it('is disconnected when its token is revoked, and its token is refused from then on', async () => {
    await s.project('shop', project);
    const {token: edge} = await token('shop/edge');
    const {output} = startAgent(edge!);
    await s.waitForService('shop/edge', (service) => service.remote?.connected === true, 'to connect');

    const revoked = await token('shop/edge', '--revoke');
    expect(revoked).toMatchObject({token: null, revoked: true});
    const lost = await s.waitForService('shop/edge', (service) => service.state === 'lost' && !service.agent, 'to be lost');
    expect(lost.reason).toBe('its agent disconnected: its token was revoked');
    // Its reconnect is refused, and it stops trying: no token will make it good again.
    await printed(output, 'agent error: the token of shop/edge was revoked at', 'the agent to be told');

    const late = startAgent(edge!);
    await printed(late.output, 'refused: bad_request', 'a reconnect with the revoked token to be refused');
    expect(late.output.stdout).toContain('the token of shop/edge was revoked');
    const refusals = await s.events('shop/edge', 'agent.refused');
    expect(refusals.at(-1)?.details).toMatchObject({address: '127.0.0.1', code: 'bad_request'});

    // A new token works again; --rotate replaces it and disconnects its holder at once.
    const fresh = await token('shop/edge');
    expect(fresh.issued).toBe(true);
    const next = startAgent(fresh.token!);
    await printed(next.output, 'registered as shop/edge', 'an agent with the new token to register');
    const rotated = await token('shop/edge', '--rotate');
    expect(rotated.token).not.toBe(fresh.token);
    await printed(next.output, "agent error: the token is not shop/edge's current one", 'the holder of the old token to be disconnected');
    const connects = await s.events('shop/edge', 'agent.disconnect');
    expect(connects.map((event) => event.details.reason)).toEqual(['its token was revoked', 'its token was rotated']);
  });

  it('gives a token access to its own service and to the agent methods only', async () => {
    await s.project('shop', project);
    await s.project('local', `[services.sleeper]\ncommand = ["${process.execPath}", "${FIXTURES}sleeper.js"]\n`);
    const {token: edge} = await token('shop/edge');
    const parsed = parseRemoteToken(edge!);
    const channel = await RemoteChannel.connect(parsed);
    try {
      await expect(channel.call('project.list', {})).rejects.toMatchObject({code: 'bad_request', message: expect.stringContaining('a remote agent may call only agent.register')});
    } finally {
      channel.close();
    }
    for (const service of ['shop/other', 'local/sleeper']) {
      const other = await RemoteChannel.connect(parsed);
      try {
        await expect(other.call('agent.register', {service, token: edge!, pid: 1, version: null, actions: []})).rejects.toMatchObject({code: 'bad_request'});
      } finally {
        other.close();
      }
    }
    const refusals = (await s.audit()).filter((event) => event.kind === 'agent.refused').map((event) => `${event.target}: ${String(event.details.reason)}`);
    expect(refusals).toEqual(
      expect.arrayContaining([expect.stringContaining("shop/other: the token is shop/edge's, not shop/other's"), expect.stringContaining('local/sleeper: local/sleeper is not a remote service')]),
    );
    expect((await s.service('shop/other')).agent).toBe(false);
    const refused = await s.run(['service', 'token', 'local/sleeper']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('local/sleeper is not a remote service');
  });

  it('makes the agent refuse a daemon whose certificate is not the one its token pins', async () => {
    await s.project('shop', project);
    const {token: edge} = await token('shop/edge');
    const forged = formatRemoteToken({...parseRemoteToken(edge!), fingerprint: Array.from({length: 32}, () => 'AB').join(':')});
    const {output, child} = startAgent(forged);
    await printed(output, 'refused: bad_request', 'the agent to refuse the daemon');
    expect(output.stdout).toContain('AB:AB:AB');
    await waitFor(() => child.exitCode !== null || null, {what: 'the agent to exit'});
    expect((await s.service('shop/edge')).remote?.connected).toBe(false);
  });

  it('keeps serving after garbage, a plain-TCP peer and an oversized frame on its port', async () => {
    await s.project('shop', project);
    const {token: edge} = await token('shop/edge');
    const {output} = startAgent(edge!);
    await s.waitForService('shop/edge', (service) => service.remote?.connected === true, 'to connect');

    // Not TLS at all.
    await new Promise<void>((resolve) => {
      const socket = connectTcp(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\n\r\n\0\xff garbage'));
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
    // TLS, then a frame that never ends past the cap, then one that is not JSON.
    for (const payload of [Buffer.alloc(17 * 1024 * 1024, 0x61), Buffer.from('{not json\n')]) {
      await new Promise<void>((resolve) => {
        const socket = connectTls({host: '127.0.0.1', port, rejectUnauthorized: false}, () => socket.write(payload));
        socket.on('data', () => undefined);
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
      });
    }
    expect((await s.service('shop/edge')).remote?.connected).toBe(true);
    await s.ok(['config', 'set', 'shop/edge', 'level', 'error']);
    await printed(output, 'config level=error', 'the connected agent to still be served');
    const second = startAgent(edge!);
    await printed(second.output, 'registered as shop/edge', 'a new connection to be served');
  });
});
