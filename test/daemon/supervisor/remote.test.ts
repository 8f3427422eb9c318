/** A remote service in the supervisor: no process; up while its agent is connected and heard from. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RemotePresence} from '../../../daemon/supervisor/types.js';
import {Harness, service, waitFor} from './harness.js';

let h: Harness;

beforeEach(async () => {
  h = await Harness.create();
});

afterEach(async () => {
  await h.close();
});

const presence = (): RemotePresence => ({address: '203.0.113.9', host: 'edge-01', pid: 77, version: '1.0.0', connectedAt: new Date().toISOString()});
const edge = {remote: true, health: {heartbeat: true, interval: '100ms', timeout: '100ms', failure_threshold: 2}, config: {level: {type: 'string', default: 'info'}}};

describe('a remote service', () => {
  it('waits for its agent, is healthy while it beats, unhealthy then lost when it goes silent, and healthy again when it beats', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('shop', h.dir, {edge: service(edge)});
    const waiting = supervisor.snapshot('shop', 'edge');
    expect(waiting).toMatchObject({state: 'starting', pid: null, remote: {connected: false, presence: null, lastHeartbeatAt: null}});
    expect(waiting.reason).toContain('capsule service token shop/edge');

    await supervisor.remoteConnected('shop', 'edge', presence());
    await waitFor('healthy', () => supervisor.snapshot('shop', 'edge').state === 'healthy');
    const beating = setInterval(() => supervisor.heartbeat('shop', 'edge'), 30);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(supervisor.snapshot('shop', 'edge')).toMatchObject({state: 'healthy', pid: null, remote: {connected: true, presence: {address: '203.0.113.9'}}});
    } finally {
      clearInterval(beating);
    }
    await waitFor('unhealthy', () => supervisor.snapshot('shop', 'edge').state === 'unhealthy');
    const lost = await waitFor('lost', () => (supervisor.snapshot('shop', 'edge').state === 'lost' ? supervisor.snapshot('shop', 'edge') : null));
    expect(lost.reason).toMatch(/^no heartbeat from 203\.0\.113\.9 for 1 s$/);
    supervisor.heartbeat('shop', 'edge');
    await waitFor('healthy again', () => supervisor.snapshot('shop', 'edge').state === 'healthy');
    // Nothing was ever started or restarted.
    expect(h.eventsOf('start')).toEqual([]);
    expect(h.eventsOf('restart')).toEqual([]);
    expect(h.eventsOf('health', 'shop/edge').map((event) => event.details.to)).toEqual(['healthy', 'unhealthy', 'lost', 'healthy']);
  });

  it('is lost when its agent disconnects, keeping where it was last seen', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('shop', h.dir, {edge: service(edge)});
    await supervisor.remoteConnected('shop', 'edge', presence());
    await supervisor.remoteDisconnected('shop', 'edge', 'its connection closed');
    expect(supervisor.snapshot('shop', 'edge')).toMatchObject({state: 'lost', reason: 'its agent disconnected: its connection closed', remote: {connected: false, presence: {address: '203.0.113.9'}, lastHeartbeatAt: null}});
  });

  it('refuses an operator\'s start, stop, restart, reload and scale, and a project restart passes it by', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('shop', h.dir, {edge: service(edge)});
    await supervisor.remoteConnected('shop', 'edge', presence());
    for (const [verb, act] of [
      ['start', () => supervisor.start('shop', 'edge')],
      ['stop', () => supervisor.stop('shop', 'edge')],
      ['restart', () => supervisor.restart('shop', 'edge')],
      ['reload', () => supervisor.reload('shop', 'edge', 1_000)],
      ['scale', () => supervisor.scale('shop', 'edge', 2)],
    ] as const) {
      await expect(act()).rejects.toMatchObject({code: 'conflict', message: `shop/edge is a remote service: the daemon does not own its process, so it cannot ${verb} it`});
    }
    await supervisor.restartProject('shop');
    await supervisor.stopProject('shop');
    expect(supervisor.snapshot('shop', 'edge')).toMatchObject({restarts: 0, remote: {connected: true}});
    expect(supervisor.snapshot('shop', 'edge').state).not.toBe('stopped');
  });

  it('stores a config change its agent does not take, instead of restarting anything', async () => {
    const supervisor = h.supervisor({onConfigChange: () => false});
    await supervisor.setProjectServices('shop', h.dir, {edge: service(edge)});
    expect((await supervisor.configSet('shop', 'edge', 'level', 'debug')).delivery).toBe('stored');
    await supervisor.remoteConnected('shop', 'edge', presence());
    expect((await supervisor.configSet('shop', 'edge', 'level', 'warn')).delivery).toBe('stored');
    const live = h.supervisor({onConfigChange: () => true});
    await live.setProjectServices('depot', h.dir, {edge: service(edge)});
    await live.remoteConnected('depot', 'edge', presence());
    expect((await live.configSet('depot', 'edge', 'level', 'warn')).delivery).toBe('live');
    expect(h.eventsOf('restart')).toEqual([]);
  });
});

describe('a service whose declaration turns from remote to local', () => {
  it('forgets its agent and starts its process', async () => {
    const supervisor = h.supervisor();
    await supervisor.setProjectServices('shop', h.dir, {edge: service(edge)});
    await supervisor.remoteConnected('shop', 'edge', presence());
    await waitFor('healthy', () => supervisor.snapshot('shop', 'edge').state === 'healthy');
    await supervisor.setProjectServices('shop', h.dir, {edge: service({command: [process.execPath, '-e', 'setInterval(() => {}, 1000)']})});
    const local = await waitFor('running', () => (supervisor.snapshot('shop', 'edge').state === 'running' ? supervisor.snapshot('shop', 'edge') : null));
    expect(local).toMatchObject({remote: null, health: null});
    expect(local.pid).not.toBeNull();
  });
});
