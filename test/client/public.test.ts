// capsule/client in this process against a real daemon (spawned in a temporary CAPSULE_HOME) running real workers.
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {CapsuleError, connect, RunFailedError, type CapsuleClient, type RunEvent} from '../../src/client/public.js';
import {DaemonClient} from '../../src/client/client.js';
import {homePaths} from '../../src/lib/home.js';
import {TestHome, waitFor} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';
import {E2E_PROJECT, SLOW} from '../e2e/tasks-helpers.js';

let home: TestHome;
let client: CapsuleClient | undefined;
const scratch: string[] = [];

beforeEach(async () => {
  home = await TestHome.create();
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await home.cleanup();
  for (const dir of scratch.splice(0)) await rm(dir, {recursive: true, force: true});
});

async function connectWithProject(): Promise<CapsuleClient> {
  client = await connect({home: home.home});
  const added = await home.run(['project', 'add', E2E_PROJECT]);
  expect(added.code, added.stderr).toBe(0);
  return client;
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const seen: RunEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('connect', SLOW, () => {
  it('refuses with daemon_unreachable when no daemon runs and autostart is off', async () => {
    const refused = await connect({home: home.home, autostart: false}).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CapsuleError);
    expect(refused).toMatchObject({code: 'daemon_unreachable', hint: expect.stringContaining('capsule daemon start')});
    expect(await home.daemonPid()).toBeNull();
  });

  it('starts the daemon when none runs', async () => {
    client = await connect({home: home.home});
    expect(client.daemonPid).toBe(await home.daemonPid());
  });
});

describe('submit', SLOW, () => {
  it('resolves result() of a run nobody follows, and get/list see it', async () => {
    const capsule = await connectWithProject();
    const run = await capsule.submit('e2e/hello', {name: 'Ada'});
    expect(run.id).toMatch(/^run_/);
    expect(run.run.status).toBe('queued');
    expect(await run.result()).toEqual({greeting: 'Hello, Ada!'});
    expect(run.run.status).toBe('succeeded');
    expect(await capsule.get(run.id)).toMatchObject({id: run.id, status: 'succeeded', input: {name: 'Ada'}});
    expect((await capsule.list({target: 'e2e/hello'})).map((listed) => listed.id)).toEqual([run.id]);
    expect(await capsule.list({target: 'e2e', status: 'failed'})).toEqual([]);
  });

  it('streams a followed run: the log so far, live logs and progress, then the final state', async () => {
    const capsule = await connectWithProject();
    const gate = join(await mkdtemp(join(tmpdir(), 'cap-gate-')), 'open');
    scratch.push(dirname(gate));
    const run = await capsule.submit('e2e/gated', {file: gate});
    const events: RunEvent[] = [];
    for await (const event of run.events()) {
      events.push(event);
      if (event.type === 'log' && event.line.message === 'waiting') await writeFile(gate, '');
    }
    expect(await run.result()).toBe('opened');
    const logs = events.flatMap((event) => (event.type === 'log' ? [event.line.message] : []));
    expect(logs).toEqual(['waiting', 'passed']);
    expect(events).toContainEqual({type: 'progress', progress: {runId: run.id, current: 1, total: 1, message: 'through'}});
    const updates = events.flatMap((event) => (event.type === 'update' ? [event.run.status] : []));
    expect(updates[0]).toBe('queued');
    expect(updates).toContain('running');
    expect(events.at(-1)).toMatchObject({type: 'update', run: {status: 'succeeded', result: 'opened'}});
  });

  it('gives a listener that starts after the run ended its log and final state', async () => {
    const capsule = await connectWithProject();
    const run = await capsule.submit('e2e/hello', {name: 'late'});
    await run.wait();
    const events = await collect(run.events());
    expect(events.some((event) => event.type === 'log' && event.line.message === 'saying hello to late')).toBe(true);
    expect(events.at(-1)).toMatchObject({type: 'update', run: {status: 'succeeded'}});
    const replayed: RunEvent[] = [];
    run.on((event) => replayed.push(event));
    expect(replayed).toEqual(events);
  });

  it('rejects result() with the run error, every attempt recorded, for a failed run', async () => {
    const capsule = await connectWithProject();
    const run = await capsule.submit('e2e/flaky');
    const failure = await run.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunFailedError);
    const failed = failure as RunFailedError;
    expect(failed).toMatchObject({code: 'failed', type: 'error'});
    expect(failed.message).toContain('boom on attempt 3');
    expect(failed.run.attempts.map((attempt) => attempt.error?.message)).toEqual(['boom on attempt 1', 'boom on attempt 2', 'boom on attempt 3']);
    expect((await run.wait()).status).toBe('failed');
  });

  it('cancels a running run through its handle', async () => {
    const capsule = await connectWithProject();
    const run = await capsule.submit('e2e/waits');
    const started = new Promise<void>((resolve) => run.on((event) => event.type === 'log' && event.line.message === 'ready' && resolve()));
    await started;
    expect((await run.cancel()).status).toBe('cancelled');
    const failure = (await run.result().catch((error: unknown) => error)) as RunFailedError;
    expect(failure).toBeInstanceOf(RunFailedError);
    expect(failure.type).toBe('cancelled');
  });

  it('keeps the events of concurrent runs apart', async () => {
    const capsule = await connectWithProject();
    const names = Array.from({length: 40}, (_, index) => `n${index}`);
    const runs = await Promise.all(names.map((name) => capsule.submit('e2e/hello', {name})));
    expect(new Set(runs.map((run) => run.id)).size).toBe(names.length);
    const logs = await Promise.all(runs.map(async (run) => (await collect(run.events())).flatMap((event) => (event.type === 'log' ? [event.line.message] : []))));
    expect(logs).toEqual(names.map((name) => [`saying hello to ${name}`]));
    expect(await Promise.all(runs.map((run) => run.result()))).toEqual(names.map((name) => ({greeting: `Hello, ${name}!`})));
  });

  it('refuses an unknown task with not_found and a suggestion, and a malformed target with bad_input', async () => {
    const capsule = await connectWithProject();
    await expect(capsule.submit('e2e/helo')).rejects.toMatchObject({code: 'not_found', hint: 'did you mean "e2e/hello"?'});
    await expect(capsule.submit('no slash here')).rejects.toMatchObject({code: 'bad_input'});
  });

  it('rejects wait() with daemon_unreachable when the daemon goes away mid-run', async () => {
    const capsule = await connectWithProject();
    const run = await capsule.submit('e2e/waits');
    const iterator = run.events();
    await waitFor(async () => (await capsule.get(run.id)).status === 'running', {what: 'the run to start'});
    process.kill((await home.daemonPid())!, 'SIGKILL');
    await expect(run.wait()).rejects.toMatchObject({code: 'daemon_unreachable'});
    await expect(collect(iterator)).rejects.toMatchObject({code: 'daemon_unreachable'});
  });
});

describe('run (submit and wait in one request)', SLOW, () => {
  it('resolves with the final record of each of many concurrent runs', async () => {
    const capsule = await connectWithProject();
    const names = Array.from({length: 200}, (_, index) => `n${index}`);
    const finals = await Promise.all(names.map((name) => capsule.run('e2e/hello', {name})));
    expect(finals.map((run) => [run.status, run.result])).toEqual(names.map((name) => ['succeeded', {greeting: `Hello, ${name}!`}]));
    expect(new Set(finals.map((run) => run.id)).size).toBe(names.length);
    const stored = await Promise.all(finals.map((run) => capsule.get(run.id)));
    expect(stored.map((run) => run.status)).toEqual(names.map(() => 'succeeded'));
  });

  it('resolves, not rejects, with a failed run, every attempt recorded, and with a run cancelled while it waits', async () => {
    const capsule = await connectWithProject();
    const failed = await capsule.run('e2e/flaky');
    expect(failed.status).toBe('failed');
    expect(failed.attempts.map((attempt) => attempt.error?.message)).toEqual(['boom on attempt 1', 'boom on attempt 2', 'boom on attempt 3']);
    const waiting = capsule.run('e2e/waits');
    const running = await waitFor(async () => (await capsule.list({target: 'e2e/waits', status: 'running'}))[0], {what: 'the run to start'});
    const cancelled = await home.run(['cancel', running.id]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(await waiting).toMatchObject({id: running.id, status: 'cancelled', error: {type: 'cancelled'}});
  });

  it('refuses an unknown task with not_found and a malformed target with bad_input; rejects with daemon_unreachable when the daemon goes away mid-run', async () => {
    const capsule = await connectWithProject();
    await expect(capsule.run('e2e/helo')).rejects.toMatchObject({code: 'not_found', hint: 'did you mean "e2e/hello"?'});
    await expect(capsule.run('no slash here')).rejects.toMatchObject({code: 'bad_input'});
    await expect(capsule.run('e2e/hello', {}, {delay: 'soon'})).rejects.toMatchObject({code: 'bad_input', message: expect.stringContaining('delay')});
    const waiting = capsule.run('e2e/waits');
    await waitFor(async () => (await capsule.list({target: 'e2e/waits', status: 'running'})).length === 1, {what: 'the run to start'});
    process.kill((await home.daemonPid())!, 'SIGKILL');
    await expect(waiting).rejects.toMatchObject({code: 'daemon_unreachable'});
  });

  it('is refused with bad_request when asked to follow the run too', async () => {
    await connectWithProject();
    const raw = await DaemonClient.connect(homePaths({...process.env, CAPSULE_HOME: home.home}));
    try {
      await expect(raw.call('run.submit', {target: {namespace: 'e2e', task: 'hello'}, input: {}, follow: true, wait: true})).rejects.toMatchObject({code: 'bad_request', message: expect.stringContaining('follow')});
      expect(await raw.call('run.list', {namespace: 'e2e'})).toEqual({runs: []});
    } finally {
      raw.close();
    }
  });
});

describe('prompts and signals', SLOW, () => {
  async function durableProject(): Promise<CapsuleClient> {
    client = await connect({home: home.home});
    const root = await makeProject({
      'capsule.toml': projectToml('dur'),
      'tasks/ask.ts': [
        "import {task} from 'capsule';",
        "export const asker = task(async (_i, ctx) => ctx.prompt('Which color?', {choices: ['red', 'blue'], default: 'red', timeout: '1h'}));",
        "export const waiter = task(async (_i, ctx) => ({got: await ctx.waitFor('go', {timeout: '1h'})}));",
        '',
      ].join('\n'),
    });
    scratch.push(root);
    const added = await home.run(['project', 'add', root]);
    expect(added.code, added.stderr).toBe(0);
    return client;
  }

  it('gives a prompt event for the question a run asks; handle.answer() answers it, a refused answer rejects with bad_input', async () => {
    const capsule = await durableProject();
    const run = await capsule.submit('dur/asker');
    const events: RunEvent[] = [];
    for await (const event of run.events()) {
      events.push(event);
      if (event.type === 'prompt') {
        expect(event.step).toMatchObject({runId: run.id, kind: 'prompt', status: 'waiting', prompt: {question: 'Which color?', choices: ['red', 'blue'], default: 'red', secret: false}});
        await expect(run.answer('green')).rejects.toMatchObject({code: 'bad_input', message: expect.stringContaining('not one of the choices')});
        await run.answer('blue', {step: event.step.key});
      }
    }
    expect(await run.result()).toBe('blue');
    expect(events.filter((event) => event.type === 'prompt')).toHaveLength(1);
    expect(events).toContainEqual({type: 'step', step: expect.objectContaining({key: 'prompt#1', status: 'succeeded'})});
  });

  it('gives a listener that starts after the question was asked its prompt event, and client.answer() answers it', async () => {
    const capsule = await durableProject();
    const run = await capsule.submit('dur/asker');
    await waitFor(async () => (await capsule.get(run.id)).status === 'waiting', {what: 'the run to wait for its answer'});
    const prompt = await new Promise<RunEvent>((resolve) => {
      const stop = run.on((event) => {
        if (event.type !== 'prompt') return;
        stop();
        resolve(event);
      });
    });
    expect(prompt).toMatchObject({type: 'prompt', step: {key: 'prompt#1', status: 'waiting'}});
    expect(await capsule.answer(run.id, '')).toMatchObject({id: run.id});
    expect(await run.result()).toBe('red');
  });

  it('client.signal() and handle.signal() reach a waitFor: kept before the run waits, delivered once it does', async () => {
    const capsule = await durableProject();
    const early = await capsule.submit('dur/waiter');
    expect(await capsule.signal(early.id, 'go', {n: 1})).toEqual({delivered: false});
    expect(await early.result()).toEqual({got: {n: 1}});
    const late = await capsule.submit('dur/waiter');
    await waitFor(async () => (await capsule.get(late.id)).status === 'waiting', {what: 'the run to wait for its signal'});
    expect(await late.signal('go', 2)).toEqual({delivered: true});
    expect(await late.result()).toEqual({got: 2});
  });
});

describe('the built bundle', SLOW, () => {
  it('is what the package exports as capsule/client', async () => {
    const bundle = (await import('capsule/client')) as typeof import('../../src/client/public.js');
    client = await bundle.connect({home: home.home});
    expect((await home.run(['project', 'add', E2E_PROJECT])).code).toBe(0);
    const run = await client.submit('e2e/child', {n: 2});
    expect(await run.result()).toEqual({doubled: 4});
  });
});
