import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {FakeClient} from './helpers/fake-client.js';
import {lineWith, mount} from './helpers/mount.js';
import {handlersFor, makeWorld} from './helpers/world.js';

afterEach(() => cleanup());

describe('dashboard header', () => {
  it('counts the nodes sharing a backend, the lost ones apart', async () => {
    const world = makeWorld();
    world.status = {...world.status, cluster: {node: 'worker-a', backend: 'redis://10.0.0.5:6379/0', up: 2, lost: 1, reachable: true}};
    const ui = mount(new FakeClient(handlersFor(world)), {columns: 200, rows: 30});
    const frame = await ui.waitFor('nodes');
    expect(lineWith(frame, 'capsule')).toContain('⬡ 2 nodes, 1 lost');
  });

  it('says so when this node cannot reach its backend', async () => {
    const world = makeWorld();
    world.status = {...world.status, cluster: {node: 'worker-a', backend: 'redis://10.0.0.5:6379/0', up: 2, lost: 0, reachable: false}};
    const ui = mount(new FakeClient(handlersFor(world)), {columns: 200, rows: 30});
    const frame = await ui.waitFor('backend');
    expect(lineWith(frame, 'capsule')).toContain('⬡ backend out of reach');
    expect(frame).not.toContain('2 nodes');
  });

  it('says nothing of nodes for a daemon on the file store', async () => {
    const world = makeWorld();
    world.status = {...world.status, cluster: {node: 'laptop', backend: 'file', up: 1, lost: 0, reachable: true}};
    const ui = mount(new FakeClient(handlersFor(world)), {columns: 200, rows: 30});
    const frame = await ui.waitFor('0.1.0');
    expect(frame).toContain('schedules due in 1h');
    expect(frame).not.toContain('nodes');
  });
});

