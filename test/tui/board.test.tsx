import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {boardColumns, progressBar} from '../../tui/state/board.js';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, mount} from './helpers/mount.js';
import {handlersFor, makeWorld, run} from './helpers/world.js';

afterEach(() => cleanup());

const open = {n: 1, startedAt: '2025-06-01T11:59:00.000Z', finishedAt: null, error: null};

function boardWorld() {
  const world = makeWorld();
  world.runs.push(
    run({id: 'run_q1', status: 'queued', createdAt: '2025-06-01T11:58:00.000Z', startedAt: null, finishedAt: null, durationMs: null, attempts: []}),
    run({id: 'run_r1', status: 'running', createdAt: '2025-06-01T11:59:00.000Z', finishedAt: null, durationMs: null, attempts: [open]}),
    run({id: 'run_c1', task: 'cleanup', status: 'cancelled', createdAt: '2025-06-01T11:40:00.000Z', error: {type: 'cancelled', message: 'cancelled', stack: null}}),
    run({id: 'run_b1', namespace: 'billing', task: 'invoice', status: 'running', attempts: [open]}),
  );
  return world;
}

describe('task board', () => {
  it('puts runs in columns by status (cancelled in its own, not with failed) and shows progress bars on running cards', () => {
    const columns = boardColumns(boardWorld().runs.filter((item) => item.namespace === 'reports'));
    expect(columns.map((column) => column.map((item) => item.id))).toEqual([['run_q1'], ['run_r1'], [], ['run_0001'], ['run_0002'], ['run_c1']]);
    expect(progressBar(3, 10, 15)).toBe('███░░░░░░░  30%');
    expect(progressBar(7, null, 15)).toBe('7 done');
  });

  it('opens with b on a namespace: cards in columns, a live progress bar, b closes it', async () => {
    const client = new FakeClient(handlersFor(boardWorld()));
    const ui = mount(client);
    await ui.waitFor('worker');
    await ui.press('j', 'j', 'j', 'b');
    let frame = await ui.waitFor('Board · reports');
    expect(frame).toMatch(/◌ queued 1\s+● running 1\s+\? waiting 0\s+✓ succeeded 1\s+✗ failed 1\s+⊘ cancelled 1/);
    expect(frame).toContain('cleanup');
    expect(frame).not.toContain('invoice');
    // The board asks for its namespace's runs from an effect, which may run after the first frame is drawn.
    await vi.waitFor(() => expect(client.callsOf('run.list')).toContainEqual({namespace: 'reports', limit: 100}));
    client.emit('run.progress', {runId: 'run_r1', current: 5, total: 10, message: 'halfway'});
    frame = await ui.waitFor('50%');
    expect(frame).toMatch(/█+░+\s+50%/);
    // The running column is picked first; its card's run is what the log shows.
    expect(frame).toContain('Log · reports/build_report run_r1');
    // Past the waiting column (empty here) and the succeeded one.
    await ui.press(KEY.right, KEY.right, KEY.right);
    await ui.waitFor('Log · reports/build_report run_0002');
    await ui.press(KEY.right);
    await ui.waitFor('Log · reports/cleanup run_c1');
    await ui.press('b');
    await ui.waitFor('Projects');
  });

  it('fits its six columns, cancelled last, in 80 columns', async () => {
    const ui = mount(new FakeClient(handlersFor(boardWorld())), {columns: 80, rows: 24});
    await ui.waitFor('build_report');
    await ui.press('j', 'j', 'j', 'b');
    const frame = await ui.waitFor('Board · reports');
    expect(frame).toMatch(/◌ queued 1\s+● running 1\s+\? waiting 0\s+✓ succeeded 1\s+✗ failed 1\s+⊘ cancelled 1/);
    expect(Math.max(...frame.split('\n').map((line) => [...line].length))).toBeLessThanOrEqual(80);
  });

  it('scopes to one task, and re-runs and cancels the picked card after a confirmation', async () => {
    const world = boardWorld();
    const client = new FakeClient({
      ...handlersFor(world),
      'run.cancel': ({id}) => ({...world.runs.find((item) => item.id === id)!, status: 'cancelled'}),
      'run.rerun': ({id}) => ({...world.runs.find((item) => item.id === id)!, id: 'run_again', status: 'queued'}),
    });
    const ui = mount(client);
    await ui.waitFor('worker');
    await ui.press('/', 'b', 'u', 'i', 'l', 'd', KEY.enter, 'b');
    let frame = await ui.waitFor('Board · reports/build_report');
    expect(frame).toMatch(/✗ failed 1/);
    expect(frame).not.toContain('cleanup');
    await ui.press('c');
    await ui.waitFor('Cancel run_r1 (reports/build_report)?');
    await ui.press('y');
    await ui.waitFor('cancelled run_r1 (cancelled)');
    expect(client.callsOf('run.cancel')).toEqual([{id: 'run_r1'}]);
    await ui.press(KEY.left, 'r', 'y');
    frame = await ui.waitFor('re-ran reports/build_report as run_again (queued)');
    expect(client.callsOf('run.rerun')).toEqual([{id: 'run_q1'}]);
  });
});
