import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {DashboardClient} from '../../tui/client.js';
import {DASHBOARD_TOPICS} from '../../tui/hooks/useEvents.js';
import {FakeClient} from './helpers/fake-client.js';
import {lineWith, mount} from './helpers/mount.js';
import {handlersFor, makeWorld} from './helpers/world.js';

afterEach(() => cleanup());

/** A connect function answering from a queue: null means "no daemon answers". */
function connector(answers: (FakeClient | null)[]) {
  const connect = async (): Promise<DashboardClient | null> => {
    connect.calls++;
    return answers.length > 1 ? answers.shift()! : answers[0]!;
  };
  connect.calls = 0;
  return connect;
}

describe('connection', () => {
  it('says it is connecting until the daemon answers', async () => {
    const ui = mount(() => new Promise<DashboardClient | null>(() => undefined));
    await ui.waitFor('◌ connecting to the daemon…');
  });

  it('shows a banner while no daemon answers, keeps trying, and loads everything once one does', async () => {
    const client = new FakeClient(handlersFor(makeWorld()));
    const connect = connector([null, null, client]);
    const ui = mount(connect);
    await ui.waitFor('⚠ daemon unreachable');
    const frame = await ui.waitFor('worker');
    expect(frame).not.toContain('daemon unreachable');
    expect(connect.calls).toBe(3);
    expect([...client.topics].sort()).toEqual([...DASHBOARD_TOPICS].sort());
  });

  it('keeps the last state under a banner when the daemon goes away, and reconnects by itself', async () => {
    const world = makeWorld();
    const first = new FakeClient(handlersFor(world));
    const second = new FakeClient(handlersFor(world));
    const connect = connector([first, null, second]);
    const ui = mount(connect);
    await ui.waitFor('worker');
    world.projects[0]!.services[0]!.restarts = 5;
    first.drop();
    let frame = await ui.waitFor('⚠ daemon unreachable');
    expect(frame).toContain('what you see may be stale');
    expect(frame).toContain('↻ 1');
    frame = await ui.waitFor((text) => text.includes('↻ 5') && !text.includes('daemon unreachable'));
    expect(second.topics.size).toBe(DASHBOARD_TOPICS.length);
    // Events reach the dashboard through the new connection.
    second.emit('service.updated', {...world.projects[0]!.services[0]!, restarts: 6, namespace: 'reports'});
    expect(lineWith(await ui.waitFor('↻ 6'), '● api')).toContain('↻ 6');
  });

  it('applies updates that arrive while the initial state is loading on top of it', async () => {
    const world = makeWorld();
    let release!: () => void;
    const loaded = new Promise<void>((resolve) => (release = resolve));
    const handlers = handlersFor(world);
    const client = new FakeClient({...handlers, 'project.list': async (params) => (await loaded, handlers['project.list']!(params))});
    const ui = mount(client);
    await ui.waitFor(() => client.callsOf('project.list').length > 0);
    const before = ui.frames.length;
    client.emit('service.updated', {...world.projects[0]!.services[0]!, state: 'unhealthy', health: 'unhealthy', namespace: 'reports'});
    // The flushed batch re-renders (with the update held back) before the snapshot is let through.
    await ui.waitFor(() => ui.frames.length > before);
    release();
    // Not lost whichever came first, the flush or the snapshot (held and replayed, or applied on top).
    await ui.waitFor((text) => lineWith(text, '● api').includes('unhealthy'));
  });

  it('lets go of its listener, its subscription and its connection when it unmounts', async () => {
    const client = new FakeClient(handlersFor(makeWorld()));
    const ui = mount(client);
    await ui.waitFor('worker');
    expect(client.listenerCount).toBe(1);
    ui.unmount();
    expect(client.listenerCount).toBe(0);
    expect(client.callsOf('unsubscribe')).toHaveLength(1);
    expect(client.closed).toBe(true);
  });
});
