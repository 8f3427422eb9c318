/**
 * `watch` through the real CLI and daemon: a burst of writes restarts a service once, ignored
 * files and node_modules restart nothing, other services are left alone, an operator's stop
 * holds, and a removed service's (or project's) watcher is closed: its directories leave the
 * daemon's inotify watches.
 */
import {readdirSync, readFileSync, readlinkSync, statSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {WATCH_DEBOUNCE_MS} from '../../daemon/supervisor/watch-trigger.js';
import {waitFor} from '../helpers/cli.js';
import {fixtureCommand, ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

const WATCHED = `[services.web]\n${fixtureCommand('sleeper.js')}\nwatch = ["src/**/*.js"]\nwatch_ignore = ["src/generated/**"]\n`;
const PLAIN = `[services.plain]\n${fixtureCommand('sleeper.js')}\n`;
const FILES = {
  'src/app.js': 'v0',
  'src/deep/util.js': 'v0',
  'src/generated/out.js': 'v0',
  'node_modules/dep/index.js': 'v0',
  '.git/HEAD': 'ref: refs/heads/main',
  'lib/shared.js': 'v0',
};

/**
 * Waiting for something not to happen can only be done by waiting: a correct daemon never
 * restarts the service however long this is, so its length decides only how surely a wrong
 * one is caught, never whether a right one passes. Five debounces: well past when a restart
 * would have been decided.
 */
const settle = () => sleep(5 * WATCH_DEBOUNCE_MS);

/** The service's log says its watcher is ready: a change from here on is seen. */
async function watching(target: string): Promise<void> {
  await waitFor(async () => (await s.ok(['logs', target, '-n', '200'])).includes('a change restarts the service'), {timeoutMs: 20_000, what: `${target} to watch its files`});
}

/** Inodes of the directories (and files) the daemon's inotify instances watch. */
function inotifyInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:inotify') continue;
    for (const match of readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').matchAll(/^inotify wd:\S+ ino:([0-9a-f]+)/gm)) inodes.add(Number.parseInt(match[1]!, 16));
  }
  return inodes;
}

// Each step is a CLI call or a poll of several; a loaded machine makes dozens of them slow.
describe('watch', {timeout: 120_000}, () => {
  it('restarts once for ten writes in a burst; ignored files, node_modules and other services are left alone', async () => {
    const root = await s.project('watched', `${WATCHED}\n${PLAIN}`, FILES);
    const web = await s.waitForService('watched/web', (service) => service.state === 'running', 'to run');
    const plain = await s.waitForService('watched/plain', (service) => service.state === 'running', 'to run');
    await watching('watched/web');

    for (let i = 1; i <= 10; i++) {
      await writeFile(join(root, 'src/app.js'), `v${i}`);
      await sleep(10);
    }
    const restarted = await s.waitForService('watched/web', (service) => service.restarts >= 1 && service.state === 'running', 'to restart after the burst');
    expect(restarted.pid).not.toBe(web.pid);
    await settle();
    expect((await s.service('watched/web')).restarts).toBe(1);

    // Neither an ignored file, nor node_modules, nor .git, nor a file outside the globs restarts it.
    for (const file of ['src/generated/out.js', 'node_modules/dep/index.js', '.git/HEAD', 'lib/shared.js', 'src/app.ts']) await writeFile(join(root, file), 'changed');
    await settle();
    expect(await s.service('watched/web')).toMatchObject({restarts: 1, pid: restarted.pid});

    // A watched file deeper down does (this also shows the writes above were seen by a live watcher).
    await writeFile(join(root, 'src/deep/util.js'), 'v1');
    await s.waitForService('watched/web', (service) => service.restarts === 2 && service.state === 'running', 'to restart for src/deep/util.js');

    const restarts = await s.events('watched/web', 'service.restart');
    expect(restarts.map((event) => [event.actor, event.details.cause, event.details.files])).toEqual([
      ['capsule', 'watch', ['src/app.js']],
      ['capsule', 'watch', ['src/deep/util.js']],
    ]);
    expect(restarts[0]!.details.pid).toBe(web.pid);
    expect(await s.service('watched/plain')).toMatchObject({pid: plain.pid, restarts: 0, state: 'running'});
    expect(await s.events('watched/plain', 'service.restart')).toEqual([]);
    expect(await s.ok(['logs', 'watched/web'])).toMatch(/changed: src\/app\.js( \(\d+ changes\))?; restarting/);
  });

  it('never starts a stopped service: stopped by an operator, or never started; once started, a change restarts it', async () => {
    const idle = `[services.idle]\n${fixtureCommand('sleeper.js')}\nautostart = false\nwatch = ["src"]\n`;
    const root = await s.project('held', `${WATCHED}\n${idle}`, FILES);
    await s.waitForService('held/web', (service) => service.state === 'running', 'to run');
    await watching('held/web');
    await watching('held/idle');
    await s.ok(['stop', 'held/web']);

    await writeFile(join(root, 'src/app.js'), 'while stopped');
    await settle();
    expect(await s.service('held/web')).toMatchObject({state: 'stopped', pid: null, restarts: 0});
    expect(await s.service('held/idle')).toMatchObject({state: 'stopped', pid: null, restarts: 0});

    await s.ok(['start', 'held/web']);
    await s.waitForService('held/web', (service) => service.state === 'running', 'to run again');
    await writeFile(join(root, 'src/app.js'), 'after the start');
    await s.waitForService('held/web', (service) => service.restarts === 1 && service.state === 'running', 'to restart for the change');
  });

  it('closes the watcher of a removed service, then of a removed project; node_modules and .git are never watched', async () => {
    // Everything under the project but src, which only web looks into.
    const other = `[services.other]\n${fixtureCommand('sleeper.js')}\nwatch = true\nwatch_ignore = ["src"]\n`;
    const root = await s.project('closing', `${WATCHED}\n${other}`, FILES);
    await watching('closing/web');
    await watching('closing/other');
    const daemon = (await s.home.daemonPid())!;
    const inode = (path: string) => statSync(join(root, path)).ino;

    const watched = inotifyInodes(daemon);
    expect(watched.has(inode('src/deep'))).toBe(true);
    expect(watched.has(inode('lib'))).toBe(true);
    for (const never of ['node_modules', 'node_modules/dep', '.git', 'src/generated']) expect(watched.has(inode(never)), `${never} is watched`).toBe(false);

    // The project watcher reloads the project; web goes, and its watcher with it.
    await writeFile(join(root, 'capsule.toml'), `[project]\nname = "closing"\n\n${other}`);
    await waitFor(() => !inotifyInodes(daemon).has(inode('src/deep')), {timeoutMs: 20_000, what: "web's watcher to close"});
    expect(inotifyInodes(daemon).has(inode('lib'))).toBe(true);
    const {pid} = await s.service('closing/other');
    expect((await s.services('closing')).map((service) => service.name)).toEqual(['other']);

    // Changing only what it watches moves the watcher and leaves the process running.
    await writeFile(join(root, 'capsule.toml'), `[project]\nname = "closing"\n\n${other.replace('watch = true\nwatch_ignore = ["src"]', 'watch = ["src/deep"]')}`);
    await waitFor(() => inotifyInodes(daemon).has(inode('src/deep')) && !inotifyInodes(daemon).has(inode('lib')), {timeoutMs: 20_000, what: "other's watcher to move to src/deep"});
    expect(await s.service('closing/other'), JSON.stringify(await s.audit('closing/other'))).toMatchObject({pid, restarts: 0, state: 'running'});

    await s.ok(['project', 'remove', 'closing']);
    await waitFor(() => !inotifyInodes(daemon).has(inode('src/deep')), {timeoutMs: 20_000, what: "other's watcher to close"});
  });
});
