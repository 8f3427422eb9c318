/**
 * `daemon stop` with services: dependents stop before what they depend on, independent services
 * stop together (read from the services' own account of their stop, not from timings), and the
 * CLI waits as long as the daemon says its services' stops may take, not a fixed margin over
 * --timeout.
 */
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {isAlive} from '../helpers/cli.js';
import {fixtureCommand, isRunning, ServicesHome, toml} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

describe('daemon stop with services', () => {
  it('stops a dependent before its dependency, and an independent service together with the dependent', {timeout: 120_000}, async () => {
    const scratch = await s.home.scratch('cap-stops-');
    const log = join(scratch, 'stops.log');
    // api depends on db; other depends on nothing. api's stop ends only once other's has begun,
    // and other's once api's has: stopped one after the other, the first waits 20 s in vain.
    const service = (name: string, peers: string[], extra = '') => `[services.${name}]\n${fixtureCommand('stop-handshake.js', log, name, ...peers)}\nstop_timeout = "60s"\n${extra}\n`;
    await s.project('order', [service('db', []), service('api', ['other'], 'depends_on = ["db"]'), service('other', ['api'])].join('\n'));
    for (const name of ['db', 'api', 'other']) await s.waitForService(`order/${name}`, (one) => one.state === 'running', 'to run');
    const pids = (await s.services('order')).map((one) => one.pid!);

    const stop = await s.run(['daemon', 'stop']);
    expect(stop.code, stop.stderr).toBe(0);

    const lines = (await readFile(log, 'utf8')).trimEnd().split('\n');
    expect(lines.slice(0, 2).sort(), lines.join(' | ')).toEqual(['begin api', 'begin other']);
    expect(lines.slice(2, 4).sort(), lines.join(' | ')).toEqual(['end api', 'end other']);
    // db began its stop only after api, which depends on it, had ended.
    expect(lines.indexOf('begin db'), lines.join(' | ')).toBeGreaterThan(lines.indexOf('end api'));
    expect(lines.at(-1)).toBe('end db');
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it("waits for a service's stop_timeout beyond --timeout and the old fixed margin, and succeeds", {timeout: 120_000}, async () => {
    // Ignores SIGTERM: only the SIGKILL after stop_timeout (8 s) ends it, later than the 1 s
    // timeout plus the 5 s the CLI used to wait for any daemon.
    await s.project('stubborn', `[services.mule]\n${fixtureCommand('ignore-term.js')}\nstop_timeout = ${toml('8s')}\n`);
    const {pid: servicePid} = await s.waitForService('stubborn/mule', (one) => one.state === 'running', 'to run');
    const daemonPid = (await s.home.daemonPid())!;

    const stop = await s.run(['daemon', 'stop', '--timeout', '1s']);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`stopped capsule daemon (pid ${daemonPid})`);
    expect(isAlive(daemonPid)).toBe(false);
    expect(isRunning(servicePid!)).toBe(false);
  });
});
