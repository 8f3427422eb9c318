import {execFile} from 'node:child_process';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {agent, type Agent} from '../../src/service/agent.js';
import {ROOT, waitFor} from '../helpers/cli.js';
import {MiniDaemon} from './mini-daemon.js';
import {newAgentToken} from '../../daemon/supervisor/agent-token.js';

let daemon: MiniDaemon | null = null;
const agents: Agent[] = [];

afterEach(async () => {
  for (const open of agents.splice(0)) await open.close();
  await daemon?.close();
  daemon = null;
});

async function connected(options: Parameters<typeof agent>[0] = {}, table: Record<string, unknown> = {}): Promise<{a: Agent; daemon: MiniDaemon}> {
  daemon = await MiniDaemon.start(table);
  const a = await agent({...options, env: daemon.env()});
  agents.push(a);
  return {a, daemon};
}

describe('agent() against a real socket', () => {
  it('registers its manifest and receives the config values', async () => {
    const {a, daemon} = await connected({version: '3.1.0', actions: {rotate: {description: 'rotate keys', run: () => null}, ping: () => 'pong'}});
    expect(a.service).toBe('app/api');
    expect(a.connected).toBe(true);
    expect(a.config).toEqual({level: 'info', token: 's3cr3t-value'});
    expect(daemon.hub.status('app', 'api')).toMatchObject({pid: process.pid, version: '3.1.0', actions: [{name: 'rotate', description: 'rotate keys'}, {name: 'ping', description: null}]});
  });

  it('applies a config change live, in order, and refuses one its onConfig throws on', async () => {
    const seen: [Record<string, unknown>, string[]][] = [];
    const {a, daemon} = await connected({
      onConfig: (values, changed) => {
        if (values.level === 'bogus') throw new Error('level bogus is not supported');
        seen.push([values, changed]);
      },
    });
    const change = (level: string) => daemon.hub.deliverConfig({namespace: 'app', name: 'api', key: 'level', value: level, values: {level, token: 's3cr3t-value'}});
    expect(await Promise.all([change('debug'), change('warn')])).toEqual([true, true]);
    expect(seen).toEqual([
      [{level: 'debug', token: 's3cr3t-value'}, ['level']],
      [{level: 'warn', token: 's3cr3t-value'}, ['level']],
    ]);
    expect(a.config.level).toBe('warn');
    expect(await change('bogus')).toBe(false);
  });

  it('runs an action handler with its arguments, streams what it logs and returns its result', async () => {
    const {daemon} = await connected({
      actions: {
        rotate: async (args, ctx) => {
          ctx.log(`rotating ${args.scope}`);
          return {rotated: 2};
        },
        broken: () => {
          throw new Error('key store locked');
        },
        cyclic: () => {
          const value: Record<string, unknown> = {};
          value.self = value;
          return value;
        },
      },
    });
    const run = (action: string, onOutput: (text: string) => void = () => undefined) => daemon.hub.run('app', 'api', {action, args: {scope: 'all'}, signal: new AbortController().signal, onOutput});
    const lines: string[] = [];
    expect(await run('rotate', (text) => lines.push(text))).toEqual({ok: true, result: {rotated: 2}});
    expect(lines).toEqual(['rotating all']);
    expect(await run('broken')).toEqual({ok: false, error: 'key store locked'});
    expect(await run('cyclic')).toMatchObject({ok: false, error: expect.stringContaining('returned a value that is not JSON')});
    expect(await run('missing')).toEqual({ok: false, error: 'this agent has no handler for action "missing"'});
  });

  it('sends health at once and metrics with the heartbeats', async () => {
    const {a, daemon} = await connected({}, {health: {heartbeat: true, interval: '200ms'}});
    a.health({ok: false, detail: 'warming up'});
    a.metric('queue_depth', 7);
    await waitFor(() => daemon.hub.status('app', 'api')?.metrics.queue_depth === 7, {what: 'the metric to arrive'});
    expect(daemon.host.beats).toContainEqual({ok: false, detail: 'warming up'});
    expect(daemon.hub.status('app', 'api')?.health).toEqual({ok: false, detail: 'warming up'});
    expect(() => a.metric('bad name', 1)).toThrow(/invalid metric name/);
    expect(() => a.metric('latency', Number.NaN)).toThrow(/finite number/);
  });

  it('reconnects and registers again when the daemon comes back, with what it reported', async () => {
    const {a, daemon} = await connected();
    a.metric('queue_depth', 1);
    await daemon.drop();
    await waitFor(() => !a.connected, {what: 'the agent to notice'});
    expect(daemon.hub.isConnected('app', 'api')).toBe(false);
    await daemon.listen();
    await waitFor(() => a.connected && daemon.hub.isConnected('app', 'api'), {what: 'the agent to register again'});
    await waitFor(() => daemon.hub.status('app', 'api')?.metrics.queue_depth === 1, {what: 'the metric to be sent again'});
  });

  it('tells the service about values that changed while it was away', async () => {
    const changes: string[][] = [];
    const {a, daemon} = await connected({onConfig: (_values, changed) => void changes.push(changed)});
    await daemon.drop();
    await waitFor(() => !a.connected, {what: 'the agent to notice'});
    daemon.host.values = {level: 'error', token: 's3cr3t-value'};
    await daemon.listen();
    await waitFor(() => changes.length > 0, {what: 'onConfig'});
    expect(changes).toEqual([['level']]);
    expect(a.config.level).toBe('error');
  });

  it('is gone for the daemon once closed', async () => {
    const {a, daemon} = await connected();
    await a.close();
    await waitFor(() => !daemon.hub.isConnected('app', 'api'), {what: 'the daemon to see the agent leave'});
    expect(a.connected).toBe(false);
  });

  it("refuses to start outside a capsule service, and with a token not of the service's running launch", async () => {
    await expect(agent({env: {}})).rejects.toMatchObject({code: 'bad_input', message: expect.stringContaining('CAPSULE_AGENT_SOCKET, CAPSULE_AGENT_TOKEN, CAPSULE_SERVICE are not set')});
    daemon = await MiniDaemon.start();
    await expect(agent({env: {...daemon.env(), CAPSULE_AGENT_TOKEN: newAgentToken().token}})).rejects.toMatchObject({code: 'bad_request', message: "the agent token is not the one app/api's running process was given"});
  });

  it('is one per process', async () => {
    const {a, daemon} = await connected();
    await expect(agent({env: daemon.env()})).rejects.toMatchObject({code: 'conflict', message: 'agent() was already called in this process for app/api'});
    await a.close();
    agents.push(await agent({env: daemon.env()}));
  });

  it('gives way, without fighting back, to another process registering as the service', async () => {
    const errors: Error[] = [];
    const {a, daemon} = await connected({version: 'first', onError: (error) => errors.push(error)});
    const token = daemon.env().CAPSULE_AGENT_TOKEN!;
    await daemon.hub.register(999, {service: 'app/api', token, pid: process.pid, version: 'second', actions: []});
    await waitFor(() => !a.connected, {what: 'the first agent to give way'});
    // A heartbeat already on its way when the session ended may fail first.
    expect(errors.map((error) => error.message)).toContainEqual(expect.stringContaining("the daemon ended this agent's session of app/api"));
    // Past the first reconnect delay, the newer registration still stands.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(daemon.hub.status('app', 'api')?.version).toBe('second');
    expect(a.connected).toBe(false);
  });

  it('does not keep a service process alive whose work is done', async () => {
    daemon = await MiniDaemon.start();
    const script = `import {agent} from ${JSON.stringify(join(ROOT, 'dist', 'service.js'))}; const a = await agent(); console.log('registered', a.connected);`;
    const {code, stdout} = await new Promise<{code: number | null; stdout: string}>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], {env: {...process.env, ...daemon!.env()}, timeout: 20_000}, (error, out) => resolve({code: error ? (error.code as number | null) ?? null : 0, stdout: out}));
      child.stdin?.end();
    });
    expect(stdout).toContain('registered true');
    expect(code).toBe(0);
  });
});
