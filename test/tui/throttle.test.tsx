import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {FLUSH_INTERVAL_MS} from '../../tui/hooks/useEvents.js';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, lineWith, mount} from './helpers/mount.js';
import {handlersFor, makeWorld, run} from './helpers/world.js';

afterEach(() => cleanup());

// Renders that are not from events: the clock tick and the status poll, once a second each.
const OTHER_RENDERS_PER_SECOND = 2;

describe('render throttling', () => {
  it('turns 1,000 events arriving at once into a handful of renders', async () => {
    const client = new FakeClient(handlersFor(makeWorld()));
    const ui = mount(client);
    await ui.waitFor('worker');
    await ui.press('/', 'a', 'p', 'i', KEY.enter);
    await ui.waitFor('listening on :8080');
    const before = ui.frames.length;
    const started = Date.now();
    for (let index = 0; index < 500; index++) {
      client.emit('run.updated', run({id: `run_${index}`, status: 'queued', createdAt: '2025-06-01T12:00:00.000Z', startedAt: null, finishedAt: null, durationMs: null, attempts: []}));
      client.emit('service.log', {namespace: 'reports', name: 'api', seq: index + 1, time: '2025-06-01T12:00:00.000Z', stream: 'stdout', line: `flood ${index}`});
    }
    const frame = await ui.waitFor('flood 499');
    expect(frame).toContain('◌ 500 queued');
    const renders = ui.frames.length - before;
    const allowed = 2 + Math.ceil(((Date.now() - started) / 1000) * OTHER_RENDERS_PER_SECOND);
    expect(renders).toBeLessThanOrEqual(allowed);
  });

  it('renders at most once per flush interval under a steady stream', async () => {
    const client = new FakeClient(handlersFor(makeWorld()));
    const ui = mount(client);
    await ui.waitFor('worker');
    const before = ui.frames.length;
    const started = Date.now();
    for (let tick = 0; tick < 50; tick++) {
      for (let index = 0; index < 20; index++) client.emit('service.updated', {...makeWorld().projects[0]!.services[0]!, restarts: tick * 20 + index, namespace: 'reports'});
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(lineWith(await ui.waitFor('↻ 999'), '● api')).toContain('↻ 999');
    const elapsed = Date.now() - started;
    const renders = ui.frames.length - before;
    expect(renders).toBeLessThanOrEqual(Math.ceil(elapsed / FLUSH_INTERVAL_MS) + 1 + Math.ceil((elapsed / 1000) * OTHER_RENDERS_PER_SECOND));
    // And far fewer than one per event.
    expect(renders).toBeLessThan(1000 / 10);
  });
});
