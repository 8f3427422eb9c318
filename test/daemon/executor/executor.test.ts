import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {createExecutor, type TaskExecutor} from '../../../daemon/executor/index.js';
import {ThreadChannels} from '../../../daemon/executor/thread-channels.js';
import {attemptRequest, BASE_ENV, errorOf, isAlive, recordingHooks, waitFor} from './helpers.js';

describe.each(['thread', 'process'] as const)('executor with %s isolation', (isolation) => {
  let executor: TaskExecutor;

  beforeEach(() => {
    executor = createExecutor({maxParallel: 2});
  });

  afterEach(async () => {
    await executor.close();
  });

  it('runs a task and returns its result', async () => {
    const {hooks} = recordingHooks();
    const outcome = await executor.execute(attemptRequest('basic.ts', 'echo', {isolation, input: {id: 7, at: new Date(0)}}), hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {echo: {id: 7, at: new Date(0)}}});
    expect(outcome.cpuMs).toBeTypeOf('number');
    expect(outcome.peakMemoryMb).toBeGreaterThan(0);
  });

  it('reports a thrown error with its stack at the line of the TypeScript source', async () => {
    const outcome = await executor.execute(attemptRequest('basic.ts', 'fails', {isolation}), recordingHooks().hooks, new AbortController().signal);
    const error = errorOf(outcome);
    expect(error).toMatchObject({type: 'error', message: 'boom'});
    expect(error.stack).toContain('basic.ts:9:');
    expect(outcome).toMatchObject({fatal: false});
  });

  it('flags a FatalError as fatal', async () => {
    const outcome = await executor.execute(attemptRequest('basic.ts', 'fatal', {isolation}), recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: false, fatal: true, error: {type: 'error', message: 'bad input: not retried'}});
  });

  it('shows the task only its declared environment and its attempt marker, never the daemon’s, and nothing of an earlier attempt', async () => {
    process.env.CAPSULE_DAEMON_SECRET = 'not for tasks';
    try {
      const firstRequest = attemptRequest('basic.ts', 'readsEnv', {isolation, env: {...BASE_ENV, API_KEY: 'k1'}});
      const first = await executor.execute(firstRequest, recordingHooks().hooks, new AbortController().signal);
      expect(first).toMatchObject({ok: true, result: {...BASE_ENV, API_KEY: 'k1', CAPSULE_ATTEMPT: `${firstRequest.runId}:1`}});
      expect(Object.keys((first as {result: object}).result).sort()).toEqual([...Object.keys(BASE_ENV), 'API_KEY', 'CAPSULE_ATTEMPT'].sort());
      const secondRequest = attemptRequest('basic.ts', 'readsEnv', {isolation, env: {...BASE_ENV, OTHER: 'o'}, attempt: 2});
      const second = await executor.execute(secondRequest, recordingHooks().hooks, new AbortController().signal);
      expect(second).toMatchObject({ok: true, result: {...BASE_ENV, OTHER: 'o', CAPSULE_ATTEMPT: `${secondRequest.runId}:2`}});
      expect((second as {result: object}).result).not.toHaveProperty('API_KEY');
    } finally {
      delete process.env.CAPSULE_DAEMON_SECRET;
    }
  });

  it('gives each attempt its declared environment again after an earlier attempt on the worker changed it', async () => {
    const env = {...BASE_ENV, API_KEY: 'k1'};
    // Sequential pairs land on the pool's idle workers in turn: every worker gets tampered with.
    for (let pair = 0; pair < 4; pair++) {
      const tampered = await executor.execute(attemptRequest('basic.ts', 'tampersEnv', {isolation, env}), recordingHooks().hooks, new AbortController().signal);
      expect(tampered).toMatchObject({ok: true});
      const request = attemptRequest('basic.ts', 'readsEnv', {isolation, env});
      const outcome = await executor.execute(request, recordingHooks().hooks, new AbortController().signal);
      expect(outcome).toMatchObject({ok: true});
      expect((outcome as {result: object}).result).toEqual({...env, CAPSULE_ATTEMPT: `${request.runId}:1`});
    }
  });

  it('compiles a TypeScript task with types, an enum and a sibling imported by its emitted name', async () => {
    const {hooks, logs} = recordingHooks();
    const outcome = await executor.execute(attemptRequest('typed.ts', 'sumPoints', {isolation, input: {points: [{x: 1, y: 2}, {x: 3, y: 4}]}}), hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {sum: {x: 4, y: 6}, shape: 'line'}});
    expect(logs).toContainEqual({level: 'log', message: 'summing 2 points'});
  });

  it('streams ctx logs, console output and progress to the hooks before the outcome', async () => {
    const {hooks, logs, progress} = recordingHooks();
    const request = attemptRequest('basic.ts', 'chatty', {isolation, attempt: 2});
    const outcome = await executor.execute(request, hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {runId: request.runId, attempt: 2}});
    expect(logs).toEqual([
      {level: 'log', message: 'plain 1 { a: 1 }'},
      {level: 'info', message: 'info line'},
      {level: 'warn', message: 'warn line'},
      {level: 'error', message: 'error line'},
      {level: 'log', message: 'from console.log'},
    ]);
    expect(progress).toEqual([
      {current: 1, total: 2, message: 'half'},
      {current: 2, total: null, message: null},
    ]);
  });

  it('settles an attempt only once every line it logged before returning has arrived', async () => {
    const {hooks, logs} = recordingHooks();
    const outcome = await executor.execute(attemptRequest('log-burst.ts', 'logBurst', {isolation, input: {lines: 1500}}), hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {logged: 1500}});
    expect(logs).toHaveLength(1500);
    expect(logs.at(-1)).toEqual({level: 'log', message: 'line 1500'});
  });

  it('relays ctx.submit and child results through the hooks', async () => {
    const submitted: Array<[string, unknown]> = [];
    const {hooks} = recordingHooks({
      submitChild: async (task, input) => {
        submitted.push([task, input]);
        return task === 'fails' ? 'run_failing' : 'run_child';
      },
      awaitChild: async (runId) => {
        if (runId === 'run_failing') throw new Error('child run failed: boom');
        return {echo: {n: 5}};
      },
    });
    const outcome = await executor.execute(attemptRequest('basic.ts', 'parent', {isolation, input: {n: 5}}), hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {childId: 'run_child', result: {echo: {n: 5}}, failure: 'child run failed: boom'}});
    expect(submitted).toEqual([
      ['echo_input', {n: 5}],
      ['fails', null],
    ]);
  });

  it('reports a worker that exits as crashed and replaces it', async () => {
    const crashed = await executor.execute(attemptRequest('basic.ts', 'exits', {isolation}), recordingHooks().hooks, new AbortController().signal);
    expect(errorOf(crashed)).toMatchObject({type: 'crashed', message: expect.stringContaining('code 3')});
    const after = await executor.execute(attemptRequest('basic.ts', 'noop', {isolation}), recordingHooks().hooks, new AbortController().signal);
    expect(after).toMatchObject({ok: true});
  });

  it('fails an attempt whose result cannot leave the worker', async () => {
    const outcome = await executor.execute(attemptRequest('basic.ts', 'unsendable', {isolation}), recordingHooks().hooks, new AbortController().signal);
    expect(errorOf(outcome)).toMatchObject({type: 'error', message: expect.stringContaining('cannot be copied out of its worker')});
  });

  it('fails at once, as fatal, when the export is not a task', async () => {
    const outcome = await executor.execute(attemptRequest('basic.ts', 'missing', {isolation}), recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: false, fatal: true, error: {type: 'error', message: expect.stringContaining('no task export named "missing"')}});
  });

  it.runIf(isolation === 'process')('forwards what a child process writes to its stdout to the run log', async () => {
    const {hooks, logs} = recordingHooks();
    const outcome = await executor.execute(attemptRequest('basic.ts', 'writesRaw', {isolation}), hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: 'ok'});
    expect(logs).toEqual([{level: 'log', message: 'raw stdout line'}]);
  });

  it.runIf(isolation === 'process')('runs a child process in the project directory', async () => {
    const outcome = await executor.execute(attemptRequest('basic.ts', 'whereAmI', {isolation, cwd: tmpdir()}), recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: {cwd: tmpdir()}});
  });
});

describe('executor pools', () => {
  let executor: TaskExecutor | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await executor?.close();
    if (dir !== undefined) await rm(dir, {recursive: true, force: true});
    executor = undefined;
    dir = undefined;
  });

  it('closes a pool left idle, with its warm workers', async () => {
    executor = createExecutor({maxParallel: 1, poolIdleMs: 100});
    const outcome = await executor.execute(attemptRequest('basic.ts', 'whereAmI', {isolation: 'process'}), recordingHooks().hooks, new AbortController().signal);
    const {pid} = (outcome as {result: {pid: number}}).result;
    await waitFor(() => !isAlive(pid), 'the idle pool to stop its worker');
  });

  it('loads a changed module again after reload()', async () => {
    dir = await mkdtemp(join(tmpdir(), 'capsule-reload-'));
    const file = join(dir, 'versioned.mjs');
    const version = (n: number) => writeFile(file, `import {task} from 'capsule';\nexport const version = task(() => ${n});\n`);
    executor = createExecutor({maxParallel: 1});
    const run = () => executor!.execute({...attemptRequest('basic.ts', 'version'), modulePath: file}, recordingHooks().hooks, new AbortController().signal);
    await version(1);
    expect(await run()).toMatchObject({ok: true, result: 1});
    await version(2);
    expect(await run()).toMatchObject({ok: true, result: 1});
    await executor.reload();
    expect(await run()).toMatchObject({ok: true, result: 2});
  });
});

describe('thread workers’ lasting channels', () => {
  let executor: TaskExecutor;
  afterEach(async () => {
    vi.restoreAllMocks();
    await executor.close();
  });

  it('gives a worker one channel for all its attempts, and a new one to the worker that replaces it', async () => {
    executor = createExecutor({maxParallel: 1});
    const opened = vi.spyOn(ThreadChannels.prototype, 'open');
    const chatty = async () => {
      const {hooks, logs} = recordingHooks();
      const outcome = await executor.execute(attemptRequest('basic.ts', 'chatty', {isolation: 'thread'}), hooks, new AbortController().signal);
      expect(outcome).toMatchObject({ok: true});
      // Logs and progress reach the attempt whichever channel they came on.
      expect(logs).toContainEqual({level: 'info', message: 'info line'});
    };
    for (let index = 0; index < 4; index++) await chatty();
    expect(opened).toHaveBeenCalledTimes(1);

    // process.exit ends the worker: its replacement gets a channel of its own.
    expect(await executor.execute(attemptRequest('basic.ts', 'exits', {isolation: 'thread'}), recordingHooks().hooks, new AbortController().signal)).toMatchObject({ok: false});
    await chatty();
    await chatty();
    expect(opened).toHaveBeenCalledTimes(2);
  });
});
