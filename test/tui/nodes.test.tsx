import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {NodeInfo, ProjectService} from '../../src/protocol/index.js';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, lineWith, mount} from './helpers/mount.js';
import {service} from '../render/fixtures.js';
import {handlersFor, makeWorld} from './helpers/world.js';

afterEach(() => cleanup());

const node = (overrides: Partial<NodeInfo>): NodeInfo => ({
  name: 'beta',
  self: false,
  state: 'up',
  version: '0.1.0',
  host: 'box-b',
  pid: 4300,
  capacity: 4,
  running: 1,
  load: 0.5,
  cores: 4,
  startedAt: '2025-06-01T11:00:00.000Z',
  heartbeatAt: '2025-06-01T11:59:59.000Z',
  leaseMs: 5000,
  ...overrides,
});

/** This daemon is alpha; beta runs jobs/worker, gamma was lost with jobs/cron. */
function setup() {
  const world = makeWorld();
  world.status = {...world.status, cluster: {node: 'alpha', backend: 'redis://10.0.0.5:6379/0', up: 2, lost: 1, reachable: true}};
  const here = handlersFor(world);
  const elsewhere: ProjectService[] = [
    {...service({name: 'worker', pid: 777}), namespace: 'jobs', node: 'beta'},
    // Its copy of a project this daemon has too: under beta, not among this daemon's reports services.
    {...service({name: 'mirror'}), namespace: 'reports', node: 'beta'},
    {...service({name: 'cron', state: 'lost', reason: 'node gamma is lost (last heard of at 2025-06-01T11:50:00.000Z)'}), namespace: 'jobs', node: 'gamma'},
  ];
  const client = new FakeClient({
    ...here,
    'nodes.list': () => ({backend: 'redis://10.0.0.5:6379/0', nodes: [node({name: 'alpha', self: true}), node({}), node({name: 'gamma', state: 'lost', heartbeatAt: '2025-06-01T11:50:00.000Z'})]}),
    'service.list': async (params) => {
      const {services} = await here['service.list']!(params);
      return {services: [...services.map((each) => ({...each, node: 'alpha'})), ...elsewhere]};
    },
    'control.apply': ({verb, target, node: on}) => ({kind: 'service', target, message: `${verb}ed ${target} (running, pid 778) on node ${on}`, runId: null}),
  });
  return {client, ui: mount(client, {columns: 200, rows: 44})};
}

describe('dashboard nodes', () => {
  it("lists the other nodes after the projects, each with its services, and keeps them out of this daemon's projects", async () => {
    const {ui} = setup();
    const frame = await ui.waitFor('jobs/cron');
    expect(frame.indexOf('⬡ nodes')).toBeGreaterThan(frame.indexOf('reports'));
    expect(lineWith(frame, '⬡ nodes')).toContain('nodes  2 · 1 lost');
    expect(lineWith(frame, '⬡ beta')).toContain('1/4 running · load 0.50/4');
    expect(lineWith(frame, '⬡ gamma')).toContain('lost, last heard of');
    expect(frame.indexOf('jobs/worker')).toBeGreaterThan(frame.indexOf('⬡ beta'));
    expect(frame.indexOf('jobs/cron')).toBeGreaterThan(frame.indexOf('⬡ gamma'));
    expect(frame).not.toMatch(/⬡ alpha/);
    expect(frame.match(/mirror/g)).toEqual(['mirror']);
    expect(frame.indexOf('reports/mirror')).toBeGreaterThan(frame.indexOf('⬡ beta'));
  });

  it('r restarts another node\'s service there after a confirmation, and its details say whose it is', async () => {
    const {client, ui} = setup();
    await ui.waitFor('jobs/worker');
    await ui.press('/', ...'jobs/wor', KEY.enter);
    await ui.waitFor('Service jobs/worker@beta');
    expect(await ui.waitFor('r restarts it on beta')).toContain('⬡ beta up');
    await ui.press('r');
    await ui.waitFor('Restart jobs/worker on node beta?');
    await ui.press('y');
    await ui.waitFor('restarted jobs/worker (running, pid 778) on node beta');
    expect(client.callsOf('control.apply')).toEqual([{verb: 'restart', target: 'jobs/worker', node: 'beta'}]);
    expect(client.callsOf('service.restart')).toEqual([]);
  });
});
