import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {MAX_LOG_LINES} from '../../tui/state/log.js';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, mount} from './helpers/mount.js';
import {handlersFor, makeWorld, run} from './helpers/world.js';

afterEach(() => cleanup());

let lastSeq = 0;
const serviceLine = (line: string, stream: 'stdout' | 'stderr' = 'stdout') => ({namespace: 'reports', name: 'api', seq: ++lastSeq, time: '2025-06-01T12:00:00.000Z', stream, line});

async function selectApi(ui: ReturnType<typeof mount>): Promise<void> {
  await ui.waitFor('worker');
  await ui.press('/', 'a', 'p', 'i', KEY.enter);
  await ui.waitFor('listening on :8080');
}

describe('log pane', () => {
  it('shows the tail of the selected service\'s log, then its live lines, following the end', async () => {
    const client = new FakeClient(handlersFor(makeWorld()));
    const ui = mount(client);
    await selectApi(ui);
    expect(client.callsOf('service.logs')).toContainEqual({namespace: 'reports', name: 'api', tail: 200});
    for (let index = 1; index <= 30; index++) client.emit('service.log', serviceLine(`request ${index}`));
    client.emit('service.log', {...serviceLine('other service'), name: 'worker'});
    const frame = await ui.waitFor('request 30');
    expect(frame).toContain('Log · reports/api  follow on');
    expect(frame).not.toContain('other service');
    // Following: the oldest lines scrolled out of the pane.
    expect(frame).not.toContain('listening on :8080');
  });

  it('shows a running action\'s output in its service\'s log', async () => {
    // As the daemon does: the output reaches the connection that asked for the action, while it runs.
    const client: FakeClient = new FakeClient({
      ...handlersFor(makeWorld()),
      'service.action': ({namespace, name, action}) => {
        client.deliver('action.output', {namespace, name, action, chunk: 'dropping 3 jobs\n'});
        client.deliver('action.output', {namespace, name: 'api', action, chunk: 'not this one\n'});
        return {action, exitCode: 0, signal: null, timedOut: false, output: 'dropping 3 jobs', durationMs: 5, result: null};
      },
    });
    const ui = mount(client);
    await ui.waitFor('worker');
    await ui.press('/', ...'worker', KEY.enter);
    await ui.waitFor('Service reports/worker');
    await ui.press('a', '1', KEY.enter);
    const frame = await ui.waitFor('[flush] dropping 3 jobs');
    expect(frame).not.toContain('not this one');
  });

  it('stops following with f (new lines no longer move the view) and follows again with f', async () => {
    const client = new FakeClient(handlersFor(makeWorld()));
    const ui = mount(client);
    await selectApi(ui);
    for (let index = 1; index <= 30; index++) client.emit('service.log', serviceLine(`request ${index}`));
    await ui.waitFor('request 30');
    await ui.press('f');
    await ui.waitFor('follow off · 0 below');
    for (let index = 31; index <= 40; index++) client.emit('service.log', serviceLine(`request ${index}`));
    const frozen = await ui.waitFor('follow off · 10 below');
    expect(frozen).toContain('request 30');
    expect(frozen).not.toContain('request 31');
    await ui.press('f');
    const following = await ui.waitFor('request 40');
    expect(following).toContain('follow on');
  });

  it('scrolls when focused with l (which stops following) and searches with /', async () => {
    const client = new FakeClient(handlersFor(makeWorld()));
    const ui = mount(client);
    await selectApi(ui);
    for (let index = 1; index <= 30; index++) client.emit('service.log', serviceLine(`request ${index}`, index % 10 === 0 ? 'stderr' : 'stdout'));
    await ui.waitFor('request 30');
    await ui.press('l', 'g');
    let frame = await ui.waitFor('listening on :8080');
    expect(frame).toContain('follow off');
    await ui.press('G');
    frame = await ui.waitFor('request 30');
    expect(frame).toContain('follow on');
    await ui.press('/', 'u', 'e', 's', 't', ' ', '3', KEY.enter);
    frame = await ui.waitFor('/uest 3: 2 matches');
    expect(frame).toContain('request 3\n');
    expect(frame).toContain('request 30');
    expect(frame).not.toContain('request 29');
    expect(frame).toContain('↑↓  scroll');
    await ui.press(KEY.escape);
    frame = await ui.waitFor('↑↓  move');
    expect(frame).toContain('/uest 3: 2 matches');
  });

  it('drops the search (and its filter of the lines) when the selection moves to another item, by key or by the tree filter', async () => {
    const world = makeWorld();
    world.serviceLogs['reports/worker'] = [{namespace: 'reports', name: 'worker', seq: 1, time: '2025-06-01T11:59:00.000Z', stream: 'stdout', line: 'worker ready'}];
    const client = new FakeClient(handlersFor(world));
    const ui = mount(client);
    await ui.waitFor('worker');
    // The whole project through the filter, then down from its first task to api.
    await ui.press('/', ...'reports', KEY.enter, 'j', 'j', 'j', 'j', 'j');
    await ui.waitFor('listening on :8080');
    for (let index = 1; index <= 5; index++) {
      const line = serviceLine(`request ${index}`);
      world.serviceLogs['reports/api']!.push(line);
      client.emit('service.log', line);
    }
    await ui.waitFor('request 5');
    await ui.press('l', '/', ...'request 2', KEY.enter);
    let frame = await ui.waitFor('/request 2: 1 match');
    expect(frame).not.toContain('request 3');
    // Back in the tree: still api, still searched.
    await ui.press(KEY.escape);
    frame = await ui.waitFor('↑↓  move');
    expect(frame).toContain('/request 2: 1 match');
    await ui.press('j');
    frame = await ui.waitFor('worker ready');
    expect(frame).toContain('Log · reports/worker');
    expect(frame).not.toContain('match');
    // Search the worker's log, then select api through the tree filter: its log is whole again.
    await ui.press('l', '/', ...'ready', KEY.enter, KEY.escape);
    await ui.waitFor('/ready: 1 match');
    await ui.press('/', KEY.ctrlU, ...'api', KEY.enter);
    frame = await ui.waitFor('Log · reports/api');
    frame = await ui.waitFor('request 5');
    expect(frame).toContain('request 3');
    expect(frame).not.toContain('match');
  });

  it('keeps at most MAX_LOG_LINES lines', async () => {
    const client = new FakeClient(handlersFor(makeWorld()));
    const ui = mount(client);
    await selectApi(ui);
    for (let index = 0; index < MAX_LOG_LINES + 50; index++) client.emit('service.log', serviceLine(`line ${index}`));
    await ui.waitFor(`line ${MAX_LOG_LINES + 49}`);
    await ui.press('l', 'g');
    const frame = await ui.waitFor('follow off');
    expect(frame).toContain('line 50\n');
    expect(frame).not.toContain('line 49\n');
  });

  it('a task shows its latest run\'s log and moves on to a new run when one starts', async () => {
    const world = makeWorld();
    const client = new FakeClient(handlersFor(world));
    const ui = mount(client);
    await ui.waitFor('worker');
    await ui.press('/', 'b', 'u', 'i', 'l', 'd', KEY.enter);
    let frame = await ui.waitFor('slow query');
    expect(frame).toContain('Log · reports/build_report run_0002');
    const fresh = run({id: 'run_0009', status: 'running', createdAt: '2025-06-01T12:30:00.000Z', finishedAt: null, durationMs: null});
    client.emit('run.updated', fresh);
    client.emit('run.log', {runId: 'run_0009', seq: 1, attempt: 1, time: '2025-06-01T12:30:01.000Z', level: 'info', message: 'fresh start'});
    frame = await ui.waitFor('fresh start');
    expect(frame).toContain('Log · reports/build_report run_0009');
    expect(frame).not.toContain('slow query');
  });
});
