/**
 * A daemon killed with -9, or restarted, is invisible to its services: each keeps its pid, is
 * never restarted, stays healthy, and every line it printed meanwhile is in its log, once.
 */
import {readFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseLogLine} from '../../daemon/supervisor/log-tail.js';
import {freePort} from '../daemon/supervisor/harness.js';
import {isAlive, waitFor} from '../helpers/cli.js';
import {fixtureCommand, isRunning, ServicesHome, toml, type Service} from './services-harness.js';

const TICKERS = 19;
const NAMESPACE = 'live';
const names = Array.from({length: TICKERS}, (_, index) => `tick${index}`);

let s: ServicesHome;
let pids: Map<string, number>;

beforeAll(async () => {
  s = await ServicesHome.create();
  const port = await freePort();
  const tickers = names.map((name) => `[services.${name}]\n${fixtureCommand('ticker.js', '10')}\n`);
  const web = [
    '[services.web]',
    `command = ["python3", "-u", "-m", "http.server", "${port}", "--bind", "127.0.0.1", "--directory", "www"]`,
    `health = { http = ${toml(`http://127.0.0.1:${port}/health.txt`)}, initial_delay = "1500ms", interval = "200ms", timeout = "1s" }`,
  ].join('\n');
  await s.project(NAMESPACE, `${tickers.join('\n')}\n${web}\n`, {'www/health.txt': 'ok\n'});
  const services = await waitFor(
    async () => {
      const listed = await s.services(NAMESPACE);
      return listed.length === TICKERS + 1 && listed.every((service) => service.state === 'running' || service.state === 'healthy') ? listed : null;
    },
    {timeoutMs: 60_000, intervalMs: 200, what: 'every service to be up'},
  );
  pids = new Map(services.map((service) => [service.name, service.pid!]));
}, 90_000);

afterAll(async () => {
  await s?.cleanup();
});

/** The tick numbers in a service's log, in order (the ticker prints `tick N` every 10 ms). */
function ticks(name: string): number[] {
  const text = readFileSync(join(s.home.home, 'logs', 'services', NAMESPACE, `${name}.log`), 'utf8');
  return text
    .split('\n')
    .filter((row) => row !== '')
    .map(parseLogLine)
    .filter((line) => line.stream === 'stdout' && line.text.startsWith('tick '))
    .map((line) => Number(line.text.slice(5)));
}

/** Every tick from 0 to the last one logged, each once. */
function expectEveryTickOnce(name: string): number {
  const seen = ticks(name);
  expect(seen, `${name}: ticks lost or doubled`).toEqual(Array.from({length: seen.length}, (_, index) => index));
  return seen.length;
}

/** After the daemon came back: same pids, every one adopted and none restarted, web probed healthy again, the ticks written meanwhile logged. */
async function expectUntouched(before: Map<string, number>, adoptions: number): Promise<void> {
  const services = await s.services(NAMESPACE);
  expect(new Map(services.map((service: Service) => [service.name, service.pid]))).toEqual(pids);
  await s.waitForService(`${NAMESPACE}/web`, (service) => service.state === 'healthy', 'to be healthy again');
  for (const name of names) {
    // Ticks well past those written while no daemon ran, so those are in the log too.
    await waitFor(() => ticks(name).length > before.get(name)! + 300, {timeoutMs: 30_000, what: `${name} to go on ticking in its log`});
    expectEveryTickOnce(name);
  }
  // One read of the project's trail: a CLI call per service would be most of the test's time.
  const trail = (await s.audit(NAMESPACE)).filter((event) => event.kind.startsWith('service.'));
  const of = (name: string) => trail.filter((event) => event.target === `${NAMESPACE}/${name}`);
  for (const name of [...names, 'web']) {
    const kinds = of(name).map((event) => event.kind);
    expect(kinds.filter((kind) => kind !== 'service.health'), name).toEqual(['service.start', ...Array<string>(adoptions).fill('service.adopt')]);
  }
  const health = of('web').filter((event) => event.kind === 'service.health').map((event) => event.details.to);
  expect(health.length > 0 && health.every((to) => to === 'healthy'), `web health: ${health.join(', ')}`).toBe(true);
}

function tickCounts(): Map<string, number> {
  return new Map(names.map((name) => [name, ticks(name).length]));
}

describe('services outlive their daemon', () => {
  it('kill -9 of the daemon, 2 s without one, then a start: every service adopted as it was, no line lost or doubled', async () => {
    const before = tickCounts();
    const daemon = (await s.home.daemonPid())!;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), {what: 'the daemon to die'});
    // The services print 200 lines each meanwhile, into files no daemon reads.
    await sleep(2_000);
    for (const pid of pids.values()) expect(isRunning(pid)).toBe(true);
    expect((await s.run(['daemon', 'start'])).code).toBe(0);
    await expectUntouched(before, 1);
  }, 120_000);

  it('`capsule daemon restart` leaves them running the same way', async () => {
    const before = tickCounts();
    const restart = await s.run(['daemon', 'restart']);
    expect(restart.code, restart.stderr).toBe(0);
    await expectUntouched(before, 2);
  }, 120_000);

  it('their last lines are logged when they stop, and `daemon restart --stop-services` starts them afresh', async () => {
    const restart = await s.run(['daemon', 'restart', '--stop-services']);
    expect(restart.code, restart.stderr).toBe(0);
    for (const pid of pids.values()) expect(isRunning(pid)).toBe(false);
    // The final tick of each stopped ticker is logged: the count goes on from there, each once.
    const services = await waitFor(
      async () => {
        const listed = await s.services(NAMESPACE);
        return listed.every((service) => service.pid !== null && service.pid !== pids.get(service.name)) ? listed : null;
      },
      {timeoutMs: 60_000, intervalMs: 200, what: 'every service started afresh'},
    );
    expect(services).toHaveLength(TICKERS + 1);
    for (const name of names) {
      const seen = ticks(name);
      const restartAt = seen.lastIndexOf(0);
      expect(seen.slice(0, restartAt), `${name} before the restart`).toEqual(Array.from({length: restartAt}, (_, index) => index));
    }
  }, 120_000);
});
