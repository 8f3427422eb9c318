import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, lineWith, mount} from './helpers/mount.js';
import {handlersFor, makeWorld, run} from './helpers/world.js';

afterEach(() => cleanup());

/** Selects a row by filtering the tree down to it. */
async function open(ui: ReturnType<typeof mount>, name: string, title: string): Promise<string> {
  await ui.waitFor('worker');
  await ui.press('/', ...name, KEY.enter);
  return ui.waitFor(title);
}

describe('detail panes', () => {
  it('a task: its limits, live counts and recent runs with status, duration, attempts and error type', async () => {
    const world = makeWorld();
    world.runs.push(run({id: 'run_0003', status: 'running', createdAt: '2025-06-01T11:50:00.000Z', finishedAt: null, durationMs: null, attempts: [{n: 1, startedAt: '2025-06-01T11:50:00.000Z', finishedAt: null, error: null}]}));
    const client = new FakeClient(handlersFor(world));
    const ui = mount(client);
    const frame = await open(ui, 'build', 'Task reports/build_report');
    expect(frame).toContain('module tasks/report.ts · thread isolation');
    expect(frame).toContain('ram 512MB · timeout 2m · compute 30s · retries 3');
    expect(frame).toContain('concurrency unlimited · lock none');
    expect(frame).toContain('● 1 running  ◌ 0 queued');
    expect(lineWith(frame, 'run_0002')).toMatch(/✗ failed\s+30s\s+3× timeout/);
    expect(lineWith(frame, 'run_0001')).toMatch(/✓ succeeded\s+1s\s+1×/);
    // Newest first.
    expect(frame.indexOf('run_0003')).toBeLessThan(frame.indexOf('run_0002'));
    expect(client.callsOf('run.list')).toContainEqual({namespace: 'reports', task: 'build_report', limit: 20});
  });

  it('a schedule: cron, zone, next fires from the daemon (in its zone) and last results', async () => {
    const world = makeWorld();
    world.projects[0]!.schedules[0] = {...world.projects[0]!.schedules[0]!, lastFireAt: '2025-06-01T01:00:00.000Z', lastRun: {id: 'run_0002', status: 'failed'}, skipped: 2};
    const client = new FakeClient(handlersFor(world));
    const ui = mount(client);
    const frame = await open(ui, 'nightly', '2025-06-02 03:00');
    expect(frame).toContain('cron 0 3 * * * · zone Europe/Paris · declared in config');
    expect(frame).toContain('runs reports/build_report · overlap skip · catch-up latest');
    expect(frame).toMatch(/◷ active · 2 skipped · last fire .* → ✗ failed/);
    expect(frame).toContain('Next fires (Europe/Paris)');
    // A five-field rule fires on whole minutes: its fires are shown to the minute.
    expect(lineWith(frame, '2025-06-03 03:00')).not.toContain('03:00:00');
    expect(frame).toContain('Last results of build_report');
    expect(frame).toContain('run_0002');
    expect(client.callsOf('schedule.next')).toContainEqual({namespace: 'reports', name: 'nightly', count: 3});
  });

  it('a schedule with a seconds field shows its next fires to the second', async () => {
    const world = makeWorld();
    world.projects[0]!.schedules[0] = {...world.projects[0]!.schedules[0]!, cron: '*/20 * * * * *', timezone: 'UTC'};
    const client = new FakeClient({...handlersFor(world), 'schedule.next': () => ({timezone: 'UTC', fires: ['2025-06-01T12:00:20.000Z', '2025-06-01T12:00:40.000Z', '2025-06-01T12:01:00.000Z']})});
    const ui = mount(client);
    await open(ui, 'nightly', 'Next fires (UTC)');
    const frame = await ui.waitFor('2025-06-01 12:00:20');
    expect(frame).toContain('2025-06-01 12:00:40');
    expect(frame).toContain('2025-06-01 12:01:00');
  });

  it('a service: state, health, pid, uptime, restarts, CPU/RSS, config with secrets masked, actions', async () => {
    const world = makeWorld();
    world.projects[0]!.services[0]!.actions = [{name: 'rotate-keys', description: 'new keys'}];
    const ui = mount(new FakeClient(handlersFor(world)));
    const frame = await open(ui, 'api', 'API_TOKEN');
    expect(frame).toContain('● healthy · restarts 1 · pid 4242 · up 2h · health healthy');
    expect(frame).toContain('cpu 1.3% · rss 48MB · agent none');
    expect(frame).toContain('command node server.js');
    expect(frame).toContain('actions rotate-keys');
    expect(lineWith(frame, 'LOG_LEVEL')).toMatch(/LOG_LEVEL\s+info\s+string · default/);
    // The fake daemon leaks the secret on purpose: the dashboard masks it anyway.
    expect(lineWith(frame, 'API_TOKEN')).toMatch(/API_TOKEN\s+\*\*\*\s+string · secret · set/);
    expect(frame).not.toContain('hunter2');
  });

  it('a failed service: why it failed', async () => {
    const world = makeWorld();
    world.projects[0]!.services[1] = {...world.projects[0]!.services[1]!, state: 'failed', command: ['nodee', 'server.js'], reason: 'command not found: nodee'};
    const ui = mount(new FakeClient(handlersFor(world)));
    const frame = await open(ui, 'worker', 'command nodee server.js');
    expect(frame).toContain('✗ failed · restarts 0');
    // The line under the command, in the details pane (the tree's line has it too, cut to the tree's width).
    const lines = frame.split('\n');
    const command = lines.findIndex((line) => line.includes('command nodee server.js'));
    expect(lines[command + 1]).toMatch(/│ command not found: nodee\s*$/);
  });

  it('a namespace: its root, version and what it declares, or why it failed to load', async () => {
    const world = makeWorld();
    world.projects[1] = {...world.projects[1]!, status: 'error', error: {code: 'config_invalid', message: 'capsule.toml: unknown key "tsaks"', hint: 'did you mean "tasks"?'}, tasks: []};
    const ui = mount(new FakeClient(handlersFor(world)));
    const frame = await ui.waitFor('unknown key');
    expect(frame).toContain('✗ billing');
    expect(frame).toContain('error: capsule.toml: unknown key "tsaks"');
    expect(frame).toContain('hint: did you mean "tasks"?');
    await ui.press('j', 'j');
    expect(await ui.waitFor('Project reports')).toContain('2 tasks · 1 schedule · 2 services');
  });

  it('says what a daemon without a method could not give, and shows what it has', async () => {
    const handlers = handlersFor(makeWorld());
    delete handlers['run.list'];
    delete handlers['service.config.list'];
    const ui = mount(new FakeClient(handlers));
    const frame = await ui.waitFor('this daemon did not answer');
    expect(frame).toContain('this daemon did not answer run.list: unknown method "run.list"');
    // Without run.list, counts come from the task summaries.
    expect(frame).toContain('● 0 running');
    expect(await open(ui, 'api', 'unavailable')).toContain('unavailable: unknown method "service.config.list"');
  });
});
