/** `{config.KEY}` in a service's command, env and probe, `config unset`, and `logs --flush`, through the real CLI and daemon (one daemon for the file). */
import {existsSync} from 'node:fs';
import {get} from 'node:http';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {collect, waitFor} from '../helpers/cli.js';
import {makeProject} from '../helpers/project.js';
import {freePort} from '../daemon/supervisor/harness.js';
import {fixtureCommand, ServicesHome, toml} from './services-harness.js';

let s: ServicesHome;

beforeAll(async () => {
  s = await ServicesHome.create();
});

afterAll(async () => {
  await s.cleanup();
});

/** The status of GET url, or the error code when nothing answers. */
function status(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = get(url, {agent: false}, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('{config.KEY} in the command and the probe', () => {
  it('follows `config set` to the new port and `config unset` back to the default', async () => {
    const [first, second] = [await freePort(), await freePort()];
    await s.project(
      'web',
      [
        '[services.site]',
        'command = ["python3", "-u", "-m", "http.server", "{config.port}", "--bind", "127.0.0.1", "--directory", "www"]',
        `health = { http = ${toml('http://127.0.0.1:{config.port}/health.txt')}, initial_delay = "500ms", interval = "250ms", timeout = "1s", failure_threshold = 100 }`,
        'backoff = { initial = "100ms" }',
        `config.port = { type = "integer", default = ${first} }`,
      ].join('\n'),
      {'www/health.txt': 'ok\n'},
    );
    const healthy = await s.waitForService('web/site', (service) => service.state === 'healthy', 'to be healthy');
    // What the daemon shows is what runs: the reference filled in.
    expect(healthy.command).toContain(String(first));
    expect(healthy.command).not.toContain('{config.port}');

    expect(await s.ok(['config', 'set', 'web/site', 'port', String(second)])).toContain('restarted');
    const moved = await s.waitForService('web/site', (service) => service.state === 'healthy' && service.pid !== healthy.pid, 'to be healthy on the new port');
    expect(moved.command).toContain(String(second));
    expect(await status(`http://127.0.0.1:${second}/health.txt`)).toBe(200);
    expect(await status(`http://127.0.0.1:${first}/health.txt`)).toBe('ECONNREFUSED');

    const unset = await s.home.json<{entry: {value: number; overridden: boolean}; applied: string}>(['config', 'unset', 'web/site', 'port', '--json']);
    expect(unset).toMatchObject({entry: {value: first, overridden: false}, applied: 'restart'});
    await s.waitForService('web/site', (service) => service.state === 'healthy' && service.pid !== moved.pid, 'to be healthy on the default port again');
    expect(await status(`http://127.0.0.1:${first}/health.txt`)).toBe(200);

    const changes = (await s.events('web/site', 'service.config')).map((event) => event.details);
    expect(changes).toEqual([
      expect.objectContaining({key: 'port', from: first, to: second, delivery: 'restart'}),
      expect.objectContaining({key: 'port', from: second, to: first, delivery: 'restart', unset: true}),
    ]);
    await s.ok(['stop', 'web/site']);
  });
});

describe('config unset', () => {
  it('refuses an undeclared key with the nearest one, and a required key', async () => {
    await s.project(
      'keys',
      [
        '[services.app]',
        fixtureCommand('print-env.js'),
        'autostart = false',
        'env = { TOKEN = "{config.token}" }',
        'config.token = { type = "string", secret = true }',
        'config.level = { type = "string", default = "info" }',
      ].join('\n'),
    );
    const typo = await s.run(['config', 'unset', 'keys/app', 'levle']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('keys/app declares no config key "levle"');
    expect(typo.stderr).toContain('did you mean "level"?');

    const required = await s.run(['config', 'unset', 'keys/app', 'token']);
    expect(required.code).toBe(2);
    expect(required.stderr).toContain('config token of keys/app is required');

    // Never set and without a default: the service is not started with the reference unfilled.
    await s.run(['start', 'keys/app']);
    const failed = await s.waitForService('keys/app', (service) => service.state === 'failed', 'to fail');
    expect(failed.reason).toContain('no value for config token');

    await s.ok(['config', 'set', 'keys/app', 'level', 'debug']);
    expect(await s.ok(['config', 'unset', 'keys/app', 'level'])).toContain('level = info (the default)');
  });
});

describe('capsule.toml references', () => {
  it('names the file, line and field of an undeclared key, with the nearest, and refuses a secret on the command line', async () => {
    const root = await makeProject({
      'capsule.toml': [
        '[project]',
        'name = "bad"',
        '',
        '[services.api]',
        'command = ["node", "server.js", "--port", "{config.prot}"]',
        'health = { http = "http://127.0.0.1:{config.token}/" }',
        'config.port = { type = "integer", default = 8080 }',
        'config.token = { type = "string", secret = true }',
      ].join('\n'),
    });
    s.home.removeOnCleanup(root);
    const added = await s.run(['project', 'add', root]);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain(`${root}/capsule.toml:5:43 services.api.command[3]: {config.prot} refers to an undeclared config key (did you mean "{config.port}"?)`);
    expect(added.stderr).toContain(`${root}/capsule.toml:6:12 services.api.health.http: {config.token} is a secret`);
  });
});

describe('capsule logs --flush', () => {
  it("empties a service's log and its rotated files while the service keeps writing", async () => {
    await s.project('clock', `[services.tick]\n${fixtureCommand('ticker.js', '10')}\nlogs = { max_size = "1KB", keep = 2 }\n`);
    const dir = join(s.home.home, 'logs', 'services', 'clock');
    await waitFor(() => existsSync(join(dir, 'tick.log.2')), {what: 'the log to rotate twice'});
    const before = Number([...(await s.ok(['logs', 'clock/tick', '-n', '5'])).matchAll(/tick (\d+)/g)].at(-1)![1]);

    // Following across the flush: the note comes live (a tail may have rotated it out already, at this pace).
    const follower = s.home.spawn(['logs', 'clock/tick', '-f', '-n', '0']);
    const followed = collect(follower);
    await waitFor(() => /tick \d+/.test(followed.stdout), {what: 'the follower to start'});
    const flushed = await s.ok(['logs', '--flush', 'clock/tick']);
    expect(flushed).toMatch(/^flushed clock\/tick \(\d/);
    // Every line from before is gone, the rotated files' too (a tail reads them); the ticks go on.
    const after = await waitFor(async () => {
      const text = await s.ok(['logs', 'clock/tick', '-n', '1000']);
      return /tick \d+/.test(text) ? text : null;
    }, {what: 'new lines after the flush'});
    const ticks = [...after.matchAll(/tick (\d+)/g)].map((match) => Number(match[1]));
    expect(Math.min(...ticks)).toBeGreaterThan(before);
    await waitFor(() => followed.stdout.includes('log flushed by'), {what: 'the flush note to be followed'});
    follower.kill('SIGINT');
    expect(await followed.closed).toBe(0);
    expect((await s.events('clock/tick', 'service.logs.flush')).length).toBe(1);

    const task = await s.run(['logs', '--flush', 'run_01HZX3AAAAAAAAAAAAAAAAAAAA']);
    expect(task.code).toBe(2);
    expect(task.stderr).toContain("--flush empties a service's log");
    await s.ok(['stop', 'clock/tick']);
  });
});
