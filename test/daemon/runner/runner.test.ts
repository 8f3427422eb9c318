import {readFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import type {RunRecord} from '../../../src/protocol/index.js';
import {createHarness, ROOT, spec, stopAllHarnesses} from './runner-harness.js';

afterEach(stopAllHarnesses);

describe('Runner: a run from submit to result', () => {
  it('persists the run before submit resolves, runs it once and records the result', async () => {
    const {runner, executor, dir, events} = await createHarness();
    const run = await runner.submit({namespace: 'reports', task: 'build'}, {id: 7});
    expect(run).toMatchObject({namespace: 'reports', task: 'build', status: 'queued', input: {id: 7}, parentId: null, attempts: []});
    expect(run.id).toMatch(/^run_[0-9a-z]+$/);
    expect(await readFile(join(dir, 'runs.journal.jsonl'), 'utf8')).toContain(`"id":"${run.id}"`);

    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    const attempt = executor.attempts[0]!;
    expect(attempt.request).toEqual({
      runId: run.id,
      namespace: 'reports',
      task: 'build',
      attempt: 1,
      input: {id: 7},
      isolation: 'thread',
      limits: {computeMs: 5000, ramBytes: 64 * 1024 * 1024, timeoutMs: 10_000},
      sandbox: null,
      env: {PATH: '/usr/bin'},
      cwd: ROOT,
      modulePath: `${ROOT}/tasks/build.ts`,
      exportName: 'build',
      memo: [],
    });
    expect(runner.get(run.id).status).toBe('running');
    attempt.succeed({ok: true}, {cpuMs: 12, peakMemoryMb: 48});

    const done = await runner.waitFor(run.id);
    expect(done).toMatchObject({status: 'succeeded', result: {ok: true}, error: null, cpuMs: 12, peakMemoryMb: 48, durationMs: 0});
    expect(done.attempts).toEqual([{n: 1, startedAt: done.startedAt, finishedAt: done.finishedAt, error: null}]);
    const statuses = events.flatMap((event) => (event.type === 'run' && event.run.id === run.id ? [event.run.status] : []));
    expect(statuses).toEqual(['queued', 'running', 'succeeded']);
  });

  it('takes the id its caller chose, and refuses one already taken', async () => {
    const {runner} = await createHarness();
    const run = await runner.submit({namespace: 'reports', task: 'build'}, {}, {id: 'run_chosen'});
    expect(runner.get('run_chosen')).toMatchObject({id: run.id, status: expect.any(String)});
    await expect(runner.submit({namespace: 'reports', task: 'build'}, {}, {id: 'run_chosen'})).rejects.toMatchObject({code: 'conflict', message: 'run run_chosen already exists'});
    expect(runner.list({namespace: 'reports'})).toHaveLength(1);
  });

  it('retries a failing run with backoff, then fails it with every attempt recorded', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [spec('build', {maxRetries: 2})]});
    const run = await runner.submit({namespace: 'reports', task: 'build'}, {});
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    executor.attempts[0]!.fail('first');
    await vi.waitFor(() => expect(runner.get(run.id).status).toBe('queued'));
    expect(runner.get(run.id).attempts[0]!.error).toMatchObject({type: 'error', message: 'first'});

    clock.advance(999);
    expect(executor.attempts).toHaveLength(1);
    clock.advance(1);
    expect(executor.attempts).toHaveLength(2);
    expect(executor.attempts[1]!.request.attempt).toBe(2);
    executor.attempts[1]!.fail('second', {type: 'timeout'});

    await vi.waitFor(() => expect(runner.get(run.id).status).toBe('queued'));
    clock.advance(1999);
    expect(executor.attempts).toHaveLength(2);
    clock.advance(1);
    expect(executor.attempts).toHaveLength(3);
    executor.attempts[2]!.fail('third');

    const failed = await runner.waitFor(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({type: 'error', message: 'third'});
    expect(failed.attempts.map((attempt) => [attempt.n, attempt.error?.type, attempt.error?.message])).toEqual([
      [1, 'error', 'first'],
      [2, 'timeout', 'second'],
      [3, 'error', 'third'],
    ]);
    expect(failed.cpuMs).toBe(9);
    expect(clock.pending).toBe(0);
  });

  it('does not retry a FatalError', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [spec('build', {maxRetries: 3})]});
    const run = await runner.submit({namespace: 'reports', task: 'build'}, {});
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    executor.attempts[0]!.fail('bad input', {fatal: true});
    const failed = await runner.waitFor(run.id);
    expect(failed).toMatchObject({status: 'failed', error: {type: 'error', message: 'bad input'}});
    expect(failed.attempts).toHaveLength(1);
    clock.advance(3_600_000);
    expect(executor.attempts).toHaveLength(1);
  });

  it('records an executor that rejects as a crashed attempt', async () => {
    const {runner, executor} = await createHarness();
    vi.spyOn(executor, 'execute').mockRejectedValueOnce(new Error('pool exploded'));
    const run = await runner.submit({namespace: 'reports', task: 'build'}, null);
    const failed = await runner.waitFor(run.id);
    expect(failed.error).toMatchObject({type: 'crashed', message: 'the executor failed: pool exploded'});
  });

  it('refuses an unknown project or task with a suggestion', async () => {
    const {runner} = await createHarness({tasks: [spec('build_report')]});
    await expect(runner.submit({namespace: 'reports', task: 'build_reprt'}, {})).rejects.toMatchObject({
      code: 'not_found',
      message: 'project "reports" has no task "build_reprt"',
      hint: 'did you mean "reports/build_report"?',
    });
    await expect(runner.submit({namespace: 'reprts', task: 'build_report'}, {})).rejects.toMatchObject({code: 'not_found', hint: 'did you mean "reports/build_report"?'});
    await expect(runner.submit({namespace: 'zzz', task: 'x'}, {})).rejects.toMatchObject({code: 'not_found', message: 'no project "zzz" is loaded'});
  });

  it('refuses an input that is not JSON or lacks the lock field, accepting nothing', async () => {
    const {runner} = await createHarness({tasks: [spec('build', {lock: 'report:{id}'})]});
    await expect(runner.submit({namespace: 'reports', task: 'build'}, {id: 1n})).rejects.toMatchObject({code: 'bad_input', message: expect.stringContaining('JSON')});
    await expect(runner.submit({namespace: 'reports', task: 'build'}, {name: 'x'})).rejects.toMatchObject({code: 'bad_input', message: 'lock "report:{id}" needs field "id" in the input, got an input with only name'});
    expect(runner.list()).toEqual([]);
  });

  it('refuses submits beyond the queue bound', async () => {
    const {runner} = await createHarness({maxParallel: 1, maxQueued: 2});
    const target = {namespace: 'reports', task: 'build'};
    await runner.submit(target, 1);
    await runner.submit(target, 2);
    await runner.submit(target, 3);
    await expect(runner.submit(target, 4)).rejects.toMatchObject({code: 'conflict', message: 'the run queue is full: 2 runs are waiting (the limit is 2)'});
  });

  it('reruns with the same input, lists newest first and reports task stats', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build'), spec('other')]});
    const first = await runner.submit({namespace: 'reports', task: 'build'}, {id: 1});
    await vi.waitFor(() => expect(executor.running).toHaveLength(1));
    executor.of(first.id)!.fail('nope');
    await runner.waitFor(first.id);
    const again = await runner.rerun(first.id);
    expect(again.id).not.toBe(first.id);
    expect(again.input).toEqual({id: 1});
    const other = await runner.submit({namespace: 'reports', task: 'other'}, null);
    expect(runner.list().map((run) => run.id)).toEqual([other.id, again.id, first.id]);
    expect(runner.list({task: 'build', limit: 1}).map((run) => run.id)).toEqual([again.id]);
    expect(runner.list({status: 'failed'}).map((run) => run.id)).toEqual([first.id]);
    expect(() => runner.list({limit: 0})).toThrow(/limit must be an integer from 1 to 1000, got 0/);
    await vi.waitFor(() => expect(executor.running).toHaveLength(2));
    expect(runner.taskStats('reports', 'build')).toEqual({
      scheduled: 0,
      queued: 0,
      running: 1,
      sleeping: 0,
      waiting: 0,
      lastRun: {id: first.id, status: 'failed', createdAt: runner.get(first.id).createdAt, finishedAt: runner.get(first.id).finishedAt},
    });
    expect(runner.taskStats('reports', 'nothing')).toEqual({scheduled: 0, queued: 0, running: 0, sleeping: 0, waiting: 0, lastRun: null});
    expect(() => runner.get('run_missing')).toThrow(expect.objectContaining({code: 'not_found'}));
  });

  it('streams log lines and progress, and serves the logs', async () => {
    const {runner, executor, events} = await createHarness();
    const run = await runner.submit({namespace: 'reports', task: 'build'}, null);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    const {hooks} = executor.attempts[0]!;
    hooks.log('info', 'building');
    hooks.progress(1, 3, 'step one');
    hooks.log('warn', 'slow');
    executor.attempts[0]!.succeed();
    await runner.waitFor(run.id);
    hooks.log('info', 'too late: the attempt has ended');
    const logged = events.flatMap((event) => (event.type === 'log' ? [`${event.line.level}:${event.line.message}`] : []));
    expect(logged).toEqual(['info:building', 'warn:slow']);
    expect(events).toContainEqual({type: 'progress', progress: {runId: run.id, current: 1, total: 3, message: 'step one'}});
    expect((await runner.logs(run.id)).map((line) => [line.attempt, line.message])).toEqual([
      [1, 'building'],
      [1, 'slow'],
    ]);
    expect((await runner.logs(run.id, 1)).map((line) => line.message)).toEqual(['slow']);
  });

  it('keeps a listener that throws from breaking the runner', async () => {
    const {runner, executor, errors} = await createHarness();
    runner.on(() => {
      throw new Error('listener broke');
    });
    const run: RunRecord = await runner.submit({namespace: 'reports', task: 'build'}, null);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    executor.attempts[0]!.succeed('fine');
    expect((await runner.waitFor(run.id)).result).toBe('fine');
    expect(errors[0]).toMatchObject({message: 'listener broke'});
  });

  it('acknowledges a final state (wait, cancel, the final event) only once it is on disk', async () => {
    const {runner, executor, dir} = await createHarness({maxParallel: 1});
    const journal = join(dir, 'runs.journal.jsonl');
    /** The run's last status in the journal, read at the moment of the call. */
    const statusOnDisk = (id: string) => readFileSync(journal, 'utf8').split('\n').filter((line) => line.includes(`"id":"${id}"`)).map((line) => (JSON.parse(line) as RunRecord).status).at(-1);
    const seen: string[] = [];
    runner.on((event) => {
      if (event.type === 'run' && event.run.status === 'succeeded') seen.push(`event ${statusOnDisk(event.run.id)}`);
    });
    for (let round = 0; round < 20; round++) {
      const running = await runner.submit({namespace: 'reports', task: 'build'}, {});
      const waiting = await runner.submit({namespace: 'reports', task: 'build'}, {});
      await vi.waitFor(() => expect(executor.of(running.id)).toBeDefined());
      const done = runner.waitFor(running.id).then((run) => seen.push(`wait ${statusOnDisk(run.id)}`));
      executor.of(running.id)!.succeed();
      // Cancelled at once (it is queued): the reply still waits for the write.
      const cancelling = runner.cancel(waiting.id).then((run) => seen.push(`cancel ${statusOnDisk(run.id)}`));
      // Final in memory now, not yet on disk: a wait for it waits for the write too.
      const waitedAfter = runner.waitFor(waiting.id).then((run) => seen.push(`wait for final ${statusOnDisk(run.id)}`));
      await Promise.all([done, cancelling, waitedAfter]);
    }
    expect(new Set(seen)).toEqual(new Set(['event succeeded', 'wait succeeded', 'cancel cancelled', 'wait for final cancelled']));
    expect(seen).toHaveLength(80);
  });
});
