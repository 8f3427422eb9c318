/** Service output through the real CLI and daemon: tails, following, rotation under a flood, huge lines. */
import {existsSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {collect, waitFor} from '../helpers/cli.js';
import {fixtureCommand, ServicesHome} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

describe('capsule logs', () => {
  it('prints the last N lines, and with -f keeps printing new ones', async () => {
    await s.project('clock', `[services.tick]\n${fixtureCommand('ticker.js', '100')}\n`);
    await waitFor(async () => (await s.ok(['logs', 'clock/tick'])).includes('tick 5'), {what: 'a few ticks'});
    const tail = (await s.ok(['logs', 'clock/tick', '-n', '3'])).trimEnd().split('\n');
    expect(tail).toHaveLength(3);
    expect(tail.every((line) => /^\d\d:\d\d:\d\d\.\d{3} tick \d+$/.test(line))).toBe(true);

    // With -n 0, whatever arrives is new.
    const follower = s.home.spawn(['logs', 'clock/tick', '-f', '-n', '0']);
    const output = collect(follower);
    const ticks = await waitFor(() => {
      const numbers = [...output.stdout.matchAll(/tick (\d+)/g)].map((match) => Number(match[1]));
      return numbers.length >= 3 ? numbers : null;
    }, {what: 'followed lines'});
    expect(ticks.slice(1).every((tick, index) => tick === ticks[index]! + 1)).toBe(true);
    follower.kill('SIGINT');
    expect(await output.closed).toBe(0);
  });
});

describe('log files', () => {
  it('stay bounded by max_size and keep under a flood, while the daemon keeps answering', async () => {
    await s.project('noisy', `[services.flood]\n${fixtureCommand('flood.js')}\nlogs = { max_size = "64KB", keep = 2 }\n`);
    const dir = join(s.home.home, 'logs', 'services', 'noisy');
    await waitFor(() => existsSync(join(dir, 'flood.log.2')), {what: 'the log to rotate twice'});
    // The daemon is not blocked by the flood: it answers and tails meanwhile.
    expect(await s.service('noisy/flood')).toMatchObject({state: 'running'});
    expect((await s.ok(['logs', 'noisy/flood', '-n', '5'])).trimEnd().split('\n')).toHaveLength(5);
    await s.ok(['stop', 'noisy/flood']);

    const files = ['flood.log', 'flood.log.1', 'flood.log.2'].map((name) => join(dir, name));
    for (const file of files) expect(statSync(file).size, file).toBeLessThanOrEqual(64 * 1024);
    expect(existsSync(join(dir, 'flood.log.3'))).toBe(false);
  });

  it('cuts a 1 MB line instead of holding it, and the service goes on', async () => {
    await s.project('wide', `[services.long]\n${fixtureCommand('long-line.js')}\n`);
    await waitFor(async () => (await s.ok(['logs', 'wide/long'])).includes('after-long-line'), {what: 'the line after the long one'});
    const lines = (await s.ok(['logs', 'wide/long'])).split('\n');
    const long = lines.find((line) => line.includes('yyyy'))!;
    expect(long.length).toBeLessThan(20 * 1024);
    expect(long).toMatch(/cut/);
  });
});
