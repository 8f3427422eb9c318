import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {CapsuleError} from '../../src/lib/errors.js';
import {FakeClient, type Handlers} from './helpers/fake-client.js';
import {KEY, inputLine, lineWith, mount} from './helpers/mount.js';
import {entry, handlersFor, makeWorld, run, type World} from './helpers/world.js';

afterEach(() => cleanup());

function setup(extra: (world: World) => Handlers = () => ({})) {
  const world = makeWorld();
  const client = new FakeClient({...handlersFor(world), ...extra(world)});
  return {world, client, ui: mount(client)};
}

async function select(ui: ReturnType<typeof mount>, name: string, title: string): Promise<void> {
  await ui.waitFor('worker');
  await ui.press('/', ...name, KEY.enter);
  await ui.waitFor(title);
}

describe('actions', () => {
  it('r restarts a service after a one-key confirmation; any other key cancels', async () => {
    const {client, world, ui} = setup();
    await select(ui, 'api', 'Service reports/api');
    await ui.press('r');
    await ui.waitFor('? Restart reports/api? y confirms · any other key cancels');
    await ui.press('n');
    await ui.waitFor('· cancelled');
    expect(client.callsOf('service.restart')).toEqual([]);
    await ui.press('r', 'y');
    await ui.waitFor('✓ restarted reports/api (pid 4243)');
    expect(client.callsOf('service.restart')).toEqual([{namespace: 'reports', name: 'api'}]);
    client.emit('service.updated', {...world.projects[0]!.services[0]!, namespace: 'reports'});
    expect(lineWith(await ui.waitFor('↻ 2'), '● api')).toContain('↻ 2');
  });

  it('s stops a running service (confirmed) and starts a stopped one at once; errors show with their hint', async () => {
    const {client, ui} = setup(() => ({
      'service.stop': () => {
        throw new CapsuleError('conflict', 'reports/api is already stopping', {hint: 'wait for it to stop'});
      },
      'service.start': ({namespace, name}) => ({services: [{...makeWorld().projects[0]!.services[1]!, namespace, name: name!, state: 'starting', pid: 77}]}),
    }));
    await select(ui, 'api', 'Service reports/api');
    await ui.press('s');
    await ui.waitFor('Stop reports/api?');
    await ui.press('y');
    await ui.waitFor('✗ reports/api is already stopping — wait for it to stop');
    await ui.press('/', KEY.ctrlU, ...'worker', KEY.enter);
    await ui.waitFor('Service reports/worker');
    await ui.press('s');
    await ui.waitFor('✓ started reports/worker (pid 77)');
    expect(client.callsOf('service.start')).toEqual([{namespace: 'reports', name: 'worker'}]);
  });

  it('r triggers a schedule now (confirmed) and p pauses or resumes it', async () => {
    const {client, world, ui} = setup((known) => ({
      'schedule.trigger': () => ({runId: 'run_fired', skipped: false}),
      'schedule.pause': () => ({...known.projects[0]!.schedules[0]!, paused: true}),
    }));
    await select(ui, 'nightly', 'Schedule reports/nightly');
    await ui.press('r');
    await ui.waitFor('Trigger reports/nightly now?');
    await ui.press('y');
    await ui.waitFor('✓ triggered reports/nightly: run_fired');
    await ui.press('p');
    await ui.waitFor('✓ paused reports/nightly');
    expect(client.callsOf('schedule.pause')).toEqual([{namespace: 'reports', name: 'nightly'}]);
    client.emit('schedule.updated', {...world.projects[0]!.schedules[0]!, paused: true, namespace: 'reports'});
    await ui.waitFor('⏸ paused (p resumes)');
  });

  it('t asks for JSON input with the last input prefilled, refuses what is not JSON, and submits the run', async () => {
    const {client, ui} = setup((known) => ({'run.submit': ({input}) => ({...run({id: 'run_new', status: 'queued', input}), namespace: 'reports', task: known.runs[0]!.task})}));
    await select(ui, 'build', 'Task reports/build_report');
    await ui.press('t');
    let frame = await ui.waitFor('Run reports/build_report with input (JSON)');
    expect(lineWith(frame, '› {')).toContain('{"id":7}');
    expect(frame).toContain("prefilled with the last run's input");
    await ui.press(KEY.ctrlU, ...'{bad', KEY.enter);
    frame = await ui.waitFor('expected JSON input');
    expect(client.callsOf('run.submit')).toEqual([]);
    await ui.press(KEY.backspace, KEY.backspace, KEY.backspace, ...'"id": 8}', KEY.enter);
    await ui.waitFor('✓ submitted run_new for reports/build_report (queued)');
    expect(client.callsOf('run.submit')).toEqual([{target: {namespace: 'reports', task: 'build_report'}, input: {id: 8}}]);
  });

  it('c cancels the active run of a task after confirming, and says when nothing runs', async () => {
    const {client, world, ui} = setup((known) => ({'run.cancel': ({id}) => ({...known.runs.find((item) => item.id === id)!, status: 'cancelled'})}));
    await select(ui, 'cleanup', 'Task reports/cleanup');
    await ui.press('c');
    await ui.waitFor('nothing of reports/cleanup is running or queued');
    const active = run({id: 'run_live', task: 'cleanup', status: 'running', createdAt: '2025-06-01T11:59:00.000Z', finishedAt: null, durationMs: null});
    world.runs.push(active);
    client.emit('run.updated', active);
    await ui.waitFor('● 1 running  ◌ 0 queued');
    await ui.press('c');
    await ui.waitFor('Cancel run_live (reports/cleanup)?');
    await ui.press('y');
    await ui.waitFor('✓ cancelled run_live (cancelled)');
  });

  it('a picks one of the service\'s actions, asks for its arguments (validated in place) and shows its outcome', async () => {
    const {client, ui} = setup(() => ({'service.action': ({action}) => ({action, exitCode: action === 'flush' ? 0 : 3, signal: null, timedOut: false, output: `${action} says hi\nmore`, durationMs: 5, result: null})}));
    await select(ui, 'worker', 'Service reports/worker');
    await ui.press('a');
    let frame = await ui.waitFor('Run an action of reports/worker');
    expect(frame).toContain('1 flush  drop the queue');
    expect(frame).toContain('2 rotate-keys');
    await ui.press('2');
    await ui.waitFor('Run rotate-keys on reports/worker with arguments (key=value …)');
    await ui.press(...'scope=all 9lives=yes', KEY.enter);
    frame = await ui.waitFor('✗ invalid argument name "9lives"');
    expect(frame).toContain('e.g. scope=all dry_run=true');
    await ui.press(KEY.ctrlU, ...'scope=all novalue', KEY.enter);
    await ui.waitFor('✗ each argument expects key=value, got "novalue"');
    await ui.press(KEY.ctrlU, ...'scope=all note="two words', KEY.enter);
    await ui.waitFor('✗ the arguments have an unclosed "');
    expect(client.callsOf('service.action')).toEqual([]);
    await ui.press('"', KEY.enter);
    await ui.waitFor('✗ rotate-keys on reports/worker exited 3: rotate-keys says hi');
    // Enter alone: no arguments.
    await ui.press('a', KEY.enter, KEY.enter);
    await ui.waitFor('✓ flush on reports/worker exited 0: flush says hi');
    expect(client.callsOf('service.action')).toEqual([
      {namespace: 'reports', name: 'worker', action: 'rotate-keys', args: {scope: 'all', note: 'two words'}},
      {namespace: 'reports', name: 'worker', action: 'flush', args: {}},
    ]);
  });

  it('e edits a config value: the prompt stays open with the daemon\'s validation error, then applies', async () => {
    const {client, world, ui} = setup((known) => ({
      'service.config.set': ({key, value}) => {
        if (!['debug', 'info'].includes(value)) throw new CapsuleError('bad_input', `invalid ${key}: expected one of debug, info, got "${value}"`, {hint: 'capsule config get reports/api LOG_LEVEL'});
        const updated = entry({value, overridden: true});
        known.config['reports/api'] = [updated, known.config['reports/api']![1]!];
        return {entry: updated, applied: 'live'};
      },
    }));
    await select(ui, 'api', 'API_TOKEN');
    await ui.press('e');
    await ui.waitFor('Edit a config value of reports/api');
    await ui.press(KEY.enter);
    let frame = await ui.waitFor('Set reports/api LOG_LEVEL (string)');
    expect(inputLine(frame)).toContain('info');
    await ui.press(KEY.ctrlU, ...'loud', KEY.enter);
    frame = await ui.waitFor('✗ invalid LOG_LEVEL: expected one of debug, info, got "loud" — capsule config get');
    expect(frame).toContain('Set reports/api LOG_LEVEL');
    await ui.press(KEY.ctrlU, ...'debug', KEY.enter);
    frame = await ui.waitFor('✓ set reports/api LOG_LEVEL = debug (applied live)');
    expect(lineWith(await ui.waitFor(/LOG_LEVEL\s+debug/), 'LOG_LEVEL')).toContain('set');
    // Enter picks a value in the details; e then edits that one. A secret is never prefilled.
    await ui.press(KEY.enter, 'j', 'e');
    frame = await ui.waitFor('Set reports/api API_TOKEN (string, secret)');
    expect(inputLine(frame)).not.toContain('hunter2');
    await ui.press(KEY.escape);
    await ui.waitFor((text) => !text.includes('Set reports/api'));
    expect(client.callsOf('service.config.set')).toHaveLength(2);
    expect(world.config['reports/api']![0]!.value).toBe('debug');
  });

  it('e on a secret masks it while typing and after: a bullet per character, never the value, not even in an error', async () => {
    const secret = 's3cr3t-42';
    const {client, ui} = setup(() => ({
      'service.config.set': ({value}) => {
        // A daemon that leaks the value in its error: the dashboard must not draw it all the same.
        if (value.length < 12) throw new CapsuleError('bad_input', `API_TOKEN must be 12 characters, got "${value}"`, {hint: `try "${value}xyz"`});
        return {entry: entry({key: 'API_TOKEN', value: '***', secret: true, overridden: true}), applied: 'restart'};
      },
    }));
    await select(ui, 'api', 'API_TOKEN');
    await ui.press(KEY.enter, 'j', 'e');
    await ui.waitFor('Set reports/api API_TOKEN (string, secret)');
    for (const [index, char] of [...secret].entries()) {
      await ui.press(char);
      const frame = await ui.waitFor((text) => inputLine(text).includes('•'.repeat(index + 1)));
      expect(frame).not.toContain(secret.slice(0, Math.max(2, index + 1)));
    }
    await ui.press(KEY.enter);
    let frame = await ui.waitFor('✗ API_TOKEN must be 12 characters, got "***"');
    expect(frame).toContain('try "***xyz"');
    expect(inputLine(frame)).toContain('•'.repeat(secret.length));
    expect(frame).not.toContain(secret);
    await ui.press(...'xyz', KEY.enter);
    frame = await ui.waitFor('✓ set reports/api API_TOKEN = *** (applied by a restart)');
    expect(frame).not.toContain(secret);
    expect(client.callsOf('service.config.set')).toEqual([
      {namespace: 'reports', name: 'api', key: 'API_TOKEN', value: secret},
      {namespace: 'reports', name: 'api', key: 'API_TOKEN', value: `${secret}xyz`},
    ]);
  });
});
