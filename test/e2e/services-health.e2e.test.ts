/** Health probes and dependency order through the real CLI and daemon, with Python's http.server as a real third-party service. */
import {readFile, rm, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {AuditEvent} from '../../src/protocol/index.js';
import {freePort} from '../daemon/supervisor/harness.js';
import {fixtureCommand, isRunning, ServicesHome, toml} from './services-harness.js';

let s: ServicesHome;

beforeEach(async () => {
  s = await ServicesHome.create();
});

afterEach(async () => {
  await s.cleanup();
});

/** python3 -m http.server serving the project's `www` directory, probed on `/health.txt`. */
function webService(name: string, port: number, failureThreshold = 3): string {
  return [
    `[services.${name}]`,
    `command = ["python3", "-u", "-m", "http.server", "${port}", "--bind", "127.0.0.1", "--directory", "www"]`,
    // Python takes a few hundred milliseconds to listen: the first probe waits for it.
    `health = { http = ${toml(`http://127.0.0.1:${port}/health.txt`)}, initial_delay = "1500ms", interval = "250ms", timeout = "1s", failure_threshold = ${failureThreshold} }`,
    'backoff = { initial = "100ms" }',
  ].join('\n');
}

describe('an HTTP health probe against python3 -m http.server', () => {
  it('turns unhealthy when the page goes away, and the server is restarted', async () => {
    const port = await freePort();
    const root = await s.project('web', webService('site', port), {'www/health.txt': 'ok\n'});
    const healthy = await s.waitForService('web/site', (service) => service.state === 'healthy', 'to be healthy');
    expect(healthy.health).toBe('healthy');

    await rm(join(root, 'www', 'health.txt'));
    const restarted = await s.waitForService('web/site', (service) => service.restarts >= 1, 'to be restarted');
    expect(restarted.pid).not.toBe(healthy.pid);
    expect(isRunning(healthy.pid!)).toBe(false);

    const health = (await s.events('web/site', 'service.health')).map((event) => event.details);
    expect(health).toContainEqual(expect.objectContaining({from: 'healthy', to: 'unhealthy', detail: 'HTTP 404, expected 2xx'}));
    const stop = (await s.events('web/site', 'service.stop'))[0];
    expect(stop?.details).toMatchObject({pid: healthy.pid, cause: 'unhealthy'});
    expect((await s.events('web/site', 'service.restart'))[0]?.details).toMatchObject({cause: 'unhealthy'});

    // Serving the page again makes the new server healthy.
    await writeFile(join(root, 'www', 'health.txt'), 'ok\n');
    await s.waitForService('web/site', (service) => service.state === 'healthy' && service.pid !== healthy.pid, 'to be healthy again');
  });
});

describe('depends_on', () => {
  it('starts a service only once its dependency is healthy, and stops it first', async () => {
    const port = await freePort();
    const root = await s.project(
      'stack',
      `${webService('db', port, 1000)}\n\n[services.app]\n${fixtureCommand('sleeper.js')}\ndepends_on = [{ name = "db", condition = "healthy" }]\n`,
      {'www/.keep': ''},
    );
    // The database serves no health page yet: it stays starting, and the app waits.
    await s.waitForService('stack/db', (service) => service.pid !== null, 'to be spawned');
    const waiting = await s.service('stack/app');
    expect(waiting).toMatchObject({state: 'starting', pid: null});
    expect((await s.service('stack/db')).state).toBe('starting');

    await writeFile(join(root, 'www', 'health.txt'), 'ok\n');
    await s.waitForService('stack/app', (service) => service.state === 'running', 'to run');

    const events = await s.audit('stack');
    const dbHealthy = events.findIndex((event) => event.target === 'stack/db' && event.kind === 'service.health' && event.details.to === 'healthy');
    const appStart = events.findIndex((event) => event.target === 'stack/app' && event.kind === 'service.start');
    expect(dbHealthy).toBeGreaterThanOrEqual(0);
    expect(appStart).toBeGreaterThan(dbHealthy);

    // A whole-namespace stop goes dependents first, and so does the daemon's shutdown.
    await s.ok(['stop', 'stack']);
    const stops = (await s.audit('stack')).filter((event) => event.kind === 'service.stop').map((event) => event.target);
    expect(stops).toEqual(['stack/app', 'stack/db']);
    await s.ok(['start', 'stack']);
    await s.waitForService('stack/app', (service) => service.state === 'running', 'to run again');
    await s.ok(['daemon', 'stop']);
    const trail = (await readFile(join(s.home.home, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as AuditEvent);
    const shutdown = trail.filter((event) => event.kind === 'service.stop' && event.details.cause === 'shutdown').map((event) => event.target);
    expect(shutdown).toEqual(['stack/app', 'stack/db']);
  });
});
