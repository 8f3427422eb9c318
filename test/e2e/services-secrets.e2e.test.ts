/** Secrets never leave the daemon unmasked (config output, logs, action output and results, audit), and `capsule audit` filters by time. */
import {chmod, readFile, stat, writeFile} from 'node:fs/promises';
import {userInfo} from 'node:os';
import {join} from 'node:path';
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

const FIRST = 'first-secret-value-1234';
const SECOND = 'second-secret-value-5678';

const secretConfig = (service: string) => `[services.${service}.config.token]\ntype = "string"\nsecret = true\ndefault = "${FIRST}"\ndescription = "API token"\n`;

describe('secret config values', () => {
  it('are *** in config list/get/set, in service logs, in action output and in the audit trail', async () => {
    await s.project(
      'vault',
      `[services.printer]\n${fixtureCommand('print-secret.js')}\n\n${secretConfig('printer')}\n[services.printer.actions.show]\ncommand = 'echo "token is $CAPSULE_CONFIG_TOKEN"'\n`,
    );
    await waitFor(async () => (await s.ok(['logs', 'vault/printer'])).includes(`token-length=${FIRST.length}`), {what: 'the service to print its token'});

    const list = await s.ok(['config', 'list', 'vault/printer']);
    expect(list).toMatch(/token\s+string\s+\*\*\*\s+default\s+API token/);
    const listed = await s.home.json<{entries: {key: string; value: unknown; default: unknown; secret: boolean}[]}>(['config', 'list', 'vault/printer']);
    expect(listed.entries).toEqual([expect.objectContaining({key: 'token', value: '***', default: '***', secret: true})]);
    expect((await s.ok(['config', 'get', 'vault/printer', 'token'])).trim()).toBe('***');

    const set = await s.ok(['config', 'set', 'vault/printer', 'token', SECOND]);
    expect(set).toContain('vault/printer token = ***: the service was restarted to apply it');
    // The new value reached the restarted service (its length proves it) but its log shows ***.
    await waitFor(async () => (await s.ok(['logs', 'vault/printer'])).includes(`token-length=${SECOND.length}`), {what: 'the restarted service to print its new token'});
    const logs = await s.ok(['logs', 'vault/printer']);
    expect(logs).toContain('token=***');

    const action = await s.run(['action', 'vault/printer', 'show']);
    expect(action.stdout).toBe('token is ***\n');

    const [change] = await s.events('vault/printer', 'service.config');
    expect(change?.details).toEqual({key: 'token', from: '***', to: '***', delivery: 'restart'});

    const everything = [list, JSON.stringify(listed), set, logs, action.stdout, action.stderr, JSON.stringify(await s.audit()), await s.ok(['audit'])].join('\n');
    expect(everything).not.toContain(FIRST);
    expect(everything).not.toContain(SECOND);
  });

  it('reach an agent service live while its log, action results and audit show ***', async () => {
    await s.project('vault', `[services.worker]\n${fixtureCommand('agent-service.js')}\n\n${secretConfig('worker')}`);
    await s.waitForService('vault/worker', (service) => service.agent, 'to connect its agent');

    const set = await s.home.json<{applied: string; entry: {value: unknown}}>(['config', 'set', 'vault/worker', 'token', SECOND]);
    expect(set).toEqual({applied: 'live', entry: expect.objectContaining({value: '***'})});
    await waitFor(async () => (await s.ok(['logs', 'vault/worker'])).includes('config token=***'), {what: 'the service to print the change'});

    // The handler returns the token it holds, which is the new one: the result shows ***.
    const result = await s.home.json<{result: {token: string}}>(['action', 'vault/worker', 'rotate']);
    expect(result.result.token).toBe('***');

    const everything = [await s.ok(['logs', 'vault/worker']), JSON.stringify(await s.audit()), JSON.stringify(result)].join('\n');
    expect(everything).not.toContain(FIRST);
    expect(everything).not.toContain(SECOND);
  });
});

describe('at rest', () => {
  const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

  it('secret values are sealed in state.json, and the home is private even when it was not', async () => {
    await s.project('vault', `[services.printer]\n${fixtureCommand('print-secret.js')}\n\n${secretConfig('printer')}`);
    await s.ok(['config', 'set', 'vault/printer', 'token', SECOND]);
    const stateFile = join(s.home.home, 'state.json');
    const sealed = await readFile(stateFile, 'utf8');
    expect(sealed).not.toContain(SECOND);
    expect(sealed).toMatch(/"token": \{\s*"sealed": "v1\./);
    await s.ok(['daemon', 'stop']);

    // As an older version left it: the secret in plain text, the home and the state open to all.
    await writeFile(stateFile, sealed.replace(/\{\s*"sealed": "[^"]+"\s*\}/, JSON.stringify(SECOND)), {mode: 0o644});
    await chmod(stateFile, 0o644);
    await chmod(s.home.home, 0o755);
    await s.ok(['daemon', 'start']);
    await waitFor(async () => (await s.ok(['logs', 'vault/printer'])).includes(`token-length=${SECOND.length}`), {what: 'the service to start with the stored token'});
    expect(await readFile(stateFile, 'utf8')).not.toContain(SECOND);
    expect(await mode(s.home.home)).toBe('700');
    for (const file of ['state.json', 'runs.json', 'audit.jsonl', 'agent.key', 'logs/daemon.log', 'logs/services/vault/printer.log']) {
      expect(`${file} ${await mode(join(s.home.home, file))}`).toBe(`${file} 600`);
    }
    for (const dir of ['logs', 'logs/services', 'run']) expect(`${dir} ${await mode(join(s.home.home, dir))}`).toBe(`${dir} 700`);
  }, 60_000);
});

describe('capsule audit', () => {
  it('filters by target and by --since', async () => {
    await s.project('trail', `[services.one]\n${fixtureCommand('sleeper.js')}\n\n[services.two]\n${fixtureCommand('sleeper.js')}\n`);
    const [started] = await waitFor(async () => {
      const events = await s.events('trail/one', 'service.start');
      return events.length > 0 ? events : null;
    }, {what: 'the start to be audited'});
    // Let the start age well past the window asked for below, then make a newer event.
    await waitFor(() => Date.now() - Date.parse(started!.time) > 6_000, {timeoutMs: 10_000, intervalMs: 200, what: 'time to pass'});
    await s.ok(['stop', 'trail/one']);

    const recent = await s.audit('trail/one', ['--since', '4s']);
    // What the supervisor did, then who asked for it (`capsule stop` records its operator).
    expect(recent.map((event) => event.kind)).toEqual(['service.stop', 'control.stop']);
    expect(recent[0]).toMatchObject({target: 'trail/one', actor: expect.any(String), details: expect.objectContaining({cause: 'operator'})});
    expect(recent[1]).toMatchObject({target: 'trail/one', actor: userInfo().username, details: expect.objectContaining({kind: 'service'})});
    const whole = await s.audit('trail');
    const targets = new Set(whole.map((event) => event.target));
    expect(targets).toContain('trail/one');
    expect(targets).toContain('trail/two');
    expect([...targets].every((target) => target === 'trail' || target.startsWith('trail/'))).toBe(true);
    expect(whole.map((event) => event.kind)).toEqual(expect.arrayContaining(['service.start', 'service.stop']));

    const table = await s.ok(['audit', 'trail/one', '--since', '1h']);
    expect(table).toMatch(/^TIME\s+ACTOR\s+KIND\s+TARGET\s+DETAILS/);
    expect(table).toContain('service.stop');
    const bad = await s.run(['audit', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
  });
});
