/** `capsule start --name … -- CMD`, `capsule delete`, `capsule describe`, and a start's dependencies named, through the real CLI and one daemon. */
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Description} from '../../src/client/describe.js';
import {waitFor} from '../helpers/cli.js';
import {freePort} from '../daemon/supervisor/harness.js';
import {isRunning, NODE, ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeAll(async () => {
  s = await ServicesHome.create();
});

afterAll(async () => {
  await s?.cleanup();
});

const SERVER = "require('http').createServer((q, r) => r.end(process.env.GREETING + ' from ' + process.cwd())).listen(Number(process.env.PORT), '127.0.0.1')";

describe('an ad-hoc service', () => {
  it('is supervised from one line, listed, described, kept across a daemon restart, and deleted', async () => {
    const port = await freePort();
    const dir = await s.home.scratch('adhoc-cwd-');
    const url = `http://127.0.0.1:${port}/`;
    const started = await s.home.run(['start', '--name', 'web', '--env', `PORT=${port}`, '--env', 'GREETING=hello=world', '--health', url, '--restart', 'always', '--', 'node', '-e', SERVER], {cwd: dir});
    expect(started.stderr).not.toContain('Error');
    expect(started.stdout).toMatch(/^created and started adhoc\/web \((starting|running), pid \d+\)/);

    // Its command and cwd were resolved where it was typed; the env taken literally, "=" and all.
    const body = await waitFor(async () => (await fetch(url).catch(() => null))?.text(), {what: 'the server to answer', timeoutMs: 15_000});
    expect(body).toBe(`hello=world from ${dir}`);
    const file = await readFile(join(s.home.home, 'adhoc', 'capsule.toml'), 'utf8');
    expect(file).toMatch(/^# Managed by capsule/);
    expect(file).toContain(`command = [ ${JSON.stringify(NODE)}, "-e"`);

    expect((await s.ok(['services'])).split('\n').find((line) => line.startsWith('adhoc/web'))).toBeDefined();
    expect(await s.ok(['list'])).toMatch(/adhoc\s+service\s+web/);
    const healthy = await s.waitForService('adhoc/web', (service) => service.health === 'healthy', 'to be healthy', 25_000);

    const described = await s.ok(['describe', 'adhoc/web']);
    expect(described).toMatch(new RegExp(`state\\s+healthy, pid ${healthy.pid}`));
    expect(described).toMatch(/env\s+GREETING, PORT \(values not shown\)/);
    expect(described).not.toContain('hello=world');
    expect(described).toMatch(new RegExp(`health\\s+http ${url.replaceAll('.', '\\.')} every 10s`));
    expect(described).toMatch(/restart\s+always/);
    expect(described).toMatch(new RegExp(`cwd\\s+${dir}`));
    expect(described).toContain(join(s.home.home, 'logs', 'services', 'adhoc', 'web.log'));
    expect(described).toMatch(/service\.create/);
    const json = await s.home.json<Description>(['describe', 'adhoc/web']);
    expect(json).toMatchObject({kind: 'service', target: 'adhoc/web', service: {adhoc: true, restart: 'always', envKeys: ['GREETING', 'PORT'], instances: [{pid: healthy.pid}]}});

    // The same line again: it is running, so nothing to do; another command under its name is refused.
    const again = await s.home.run(['start', '--name', 'web', '--env', `PORT=${port}`, '--env', 'GREETING=hello=world', '--health', url, '--restart', 'always', '--', 'node', '-e', SERVER], {cwd: dir});
    expect(again.stderr).toContain('adhoc/web is already running');
    const other = await s.home.run(['start', '--name', 'web', '--', 'node', '-e', '1'], {cwd: dir});
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('adhoc/web already exists with another command or options');
    expect(other.stderr).toContain('capsule delete web');

    await s.ok(['daemon', 'stop']);
    expect(isRunning(healthy.pid!)).toBe(false);
    await s.ok(['daemon', 'start']);
    const back = await s.waitForService('adhoc/web', (service) => service.pid !== null, 'to be started again');

    expect(await s.ok(['delete', 'web'])).toContain('deleted adhoc/web');
    expect(isRunning(back.pid!)).toBe(false);
    expect((await s.services('adhoc')).map((service) => service.name)).toEqual([]);
    expect(await readFile(join(s.home.home, 'adhoc', 'capsule.toml'), 'utf8')).not.toContain('[services.web]');
    const twice = await s.run(['delete', 'web']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('no ad-hoc service named "web"');
  });

  it('refuses bad flags, naming the flag', async () => {
    const cases: [string[], string][] = [
      [['start', '--name', 'Web!', '--', 'node'], '--name "Web!" is not a valid service name'],
      [['start', '--name', 'x', '--restart', 'sometimes', '--', 'node'], '--restart "sometimes" is not a restart policy'],
      [['start', '--name', 'x', '--env', 'NOVALUE', '--', 'node'], '--env "NOVALUE": expected KEY=VALUE'],
      [['start', '--name', 'x', '--health', 'ftp://x', '--', 'node'], '--health "ftp://x" is not an http:// or https:// URL'],
      [['start', '--name', 'x', '--cwd', '/nonexistent-capsule-dir', '--', 'node'], '--cwd /nonexistent-capsule-dir: no such directory'],
      [['start', '--name', 'x', '--', 'no-such-program-capsule'], 'command not found: no-such-program-capsule'],
      [['start', '--name', 'x'], '--name needs a command after --'],
    ];
    const results = await Promise.all(cases.map(([args]) => s.run(args)));
    results.forEach((result, index) => {
      expect(result.code, cases[index]![0].join(' ')).toBe(2);
      expect(result.stderr).toContain(cases[index]![1]);
    });
  });

  it('names a service after its script when --name is left out', async () => {
    const dir = await s.home.scratch('adhoc-script-');
    await writeFile(join(dir, 'Worker.js'), 'setInterval(() => {}, 1000);\n');
    const started = await s.home.run(['start', '--', 'node', 'Worker.js'], {cwd: dir});
    expect(started.stdout).toContain('created and started adhoc/worker');
    expect(started.stdout).toContain('choose a name with --name');
    await s.ok(['delete', 'adhoc/worker']);
  });

  it('lands every one of several creates made at once', async () => {
    for (let round = 0; round < 3; round++) {
      const names = [0, 1, 2].map((index) => `c${round}-${index}`);
      const results = await Promise.all(names.map((name) => s.run(['start', '--name', name, '--', 'node', '-e', 'setInterval(() => {}, 1000)'])));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const listed = (await s.services('adhoc')).map((service) => service.name).sort();
      expect(listed).toEqual(expect.arrayContaining(names));
      const file = await readFile(join(s.home.home, 'adhoc', 'capsule.toml'), 'utf8');
      for (const name of names) expect(file).toContain(`[services.${name}]`);
    }
    const deleted = await Promise.all([0, 1, 2].flatMap((round) => [0, 1, 2].map((index) => s.run(['delete', `c${round}-${index}`]))));
    expect(deleted.map((result) => result.code)).toEqual(Array(9).fill(0));
    expect(await s.services('adhoc')).toEqual([]);
  });
});

describe('a project of ones own', () => {
  it('says which dependencies a start brought up, refuses a delete, and describes a task and a schedule', async () => {
    const root = await s.project(
      'shop',
      [
        '[services.db]',
        `command = ${JSON.stringify([NODE, '-e', 'setInterval(() => {}, 1000)'])}`,
        'autostart = false',
        '[services.api]',
        `command = ${JSON.stringify([NODE, '-e', 'setInterval(() => {}, 1000)'])}`,
        'autostart = false',
        'depends_on = ["db"]',
        '[schedules.nightly]',
        'task = "report"',
        'cron = "0 3 * * *"',
        'timezone = "Europe/Paris"',
        '',
      ].join('\n'),
      {'tasks/report.ts': "import {task} from 'capsule';\nexport const report = task({name: 'report', maxRetries: 2, ram: '128MB'}, async () => ({ok: true}));\n"},
    );

    const started = await s.ok(['start', 'shop/api']);
    expect(started).toMatch(/^started shop\/api \(running, pid \d+\); also started shop\/db \(pid \d+\)/);
    // Started a second time, nothing else comes up with it.
    await s.ok(['stop', 'shop/api']);
    expect(await s.ok(['start', 'shop/api'])).not.toContain('also started');

    const refused = await s.run(['delete', 'shop/api']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`shop/api is declared in ${join(root, 'capsule.toml')}`);
    const bare = await s.run(['delete', 'db']);
    expect(bare.stderr).toContain(`shop/db is declared in ${join(root, 'capsule.toml')}`);

    await s.ok(['run', 'shop/report']);
    const task = await s.ok(['describe', 'shop/report']);
    expect(task).toMatch(new RegExp(`file\\s+${join(root, 'tasks', 'report.ts')}`));
    expect(task).toMatch(/limits\s+ram 128MB/);
    expect(task).toMatch(/retries\s+2/);
    expect(task).toMatch(/schedules\s+nightly \(0 3 \* \* \*\)/);
    expect(task).toMatch(/runs\s+1 succeeded/);

    const schedule = await s.home.json<Description & {kind: 'schedule'}>(['describe', 'shop/nightly']);
    expect(schedule).toMatchObject({kind: 'schedule', schedule: {cron: '0 3 * * *', timezone: 'Europe/Paris', task: 'report'}});
    expect(schedule.nextFires).toHaveLength(3);
    expect(await s.ok(['describe', 'shop/nightly'])).toMatch(/timezone\s+Europe\/Paris/);
    await s.ok(['stop', 'shop']);
  });
});
