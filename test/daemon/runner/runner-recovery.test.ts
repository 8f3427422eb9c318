import {afterEach, describe, expect, it, vi} from 'vitest';
import {createHarness, spec, stopAllHarnesses, stopHarness} from './runner-harness.js';

afterEach(stopAllHarnesses);

const tasks = () => [spec('build', {maxRetries: 1}), spec('once', {maxRetries: 0}), spec('gone')];
const target = (task: string) => ({namespace: 'reports', task});

describe('Runner: recovery after the daemon died', () => {
  it('re-queues or fails runs left running, re-queues queued ones, and cancels those of vanished tasks', async () => {
    const dead = await createHarness({tasks: tasks(), maxParallel: 2});
    const interrupted = await dead.runner.submit(target('build'), {n: 1});
    const exhausted = await dead.runner.submit(target('once'), {n: 2});
    const queued = await dead.runner.submit(target('build'), {n: 3});
    const orphan = await dead.runner.submit(target('gone'), {n: 4});
    await vi.waitFor(() => expect(dead.executor.running).toHaveLength(2));
    // A process attempt's worker is kept with the attempt once it takes it.
    dead.executor.of(interrupted.id)!.hooks.worker({pid: 4242, startTime: 987_654});
    await dead.store.flush();
    // The first daemon is never closed: a kill -9 leaves its files as they are now.

    const next = await createHarness({after: dead, tasks: [spec('build', {maxRetries: 1}), spec('once', {maxRetries: 0})], skipRecover: true});
    expect(next.runner.get(interrupted.id)).toMatchObject({status: 'running', attempts: [{n: 1, worker: {pid: 4242, startTime: 987_654}}]});
    expect(await next.runner.recover()).toEqual({requeued: 2, suspended: 0, failed: 1, cancelled: 1, processesEnded: 1});
    // What the interrupted attempts left running is ended before any run is tried again.
    expect(next.executor.orphans).toEqual([
      [
        {runId: interrupted.id, attempt: 1, worker: {pid: 4242, startTime: 987_654}},
        {runId: exhausted.id, attempt: 1, worker: null},
      ],
    ]);
    expect(next.executor.timeline[0]).toBe(`orphans:${interrupted.id},${exhausted.id}`);

    const failed = next.runner.get(exhausted.id);
    expect(failed).toMatchObject({status: 'failed', error: {type: 'interrupted', message: 'the daemon stopped while this attempt was running'}});
    expect(failed.attempts).toEqual([expect.objectContaining({n: 1, finishedAt: expect.any(String), error: expect.objectContaining({type: 'interrupted'})})]);
    expect(next.runner.get(orphan.id)).toMatchObject({status: 'cancelled', error: {message: 'cancelled after the daemon restarted: task reports/gone is no longer defined'}});

    await vi.waitFor(() => expect(next.executor.attempts).toHaveLength(2));
    expect(next.executor.attempts.map((attempt) => [attempt.request.runId, attempt.request.attempt])).toEqual([
      [interrupted.id, 2],
      [queued.id, 1],
    ]);
    expect(next.runner.get(interrupted.id).attempts[0]!.error?.type).toBe('interrupted');
    for (const attempt of next.executor.running) attempt.succeed('done');
    for (const run of [interrupted, exhausted, queued, orphan]) {
      expect(['succeeded', 'failed', 'cancelled']).toContain((await next.runner.waitFor(run.id)).status);
    }
    expect(next.runner.taskStats('reports', 'build')).toMatchObject({running: 0, queued: 0});
  });

  it('tries no run again before what the interrupted attempts left running is gone', async () => {
    const dead = await createHarness({tasks: [spec('build', {maxRetries: 1})]});
    const run = await dead.runner.submit(target('build'), null);
    await vi.waitFor(() => expect(dead.executor.running).toHaveLength(1));
    await dead.store.flush();
    const next = await createHarness({after: dead, tasks: [spec('build', {maxRetries: 1})], skipRecover: true});
    let orphansGone!: () => void;
    next.executor.orphansGone = new Promise((resolve) => (orphansGone = resolve));
    const recovering = next.runner.recover();
    await vi.waitFor(() => expect(next.executor.orphans).toHaveLength(1));
    // Time passes and the run stays as the dead daemon left it, with no attempt started.
    await new Promise((resolve) => setImmediate(resolve));
    expect(next.executor.attempts).toHaveLength(0);
    expect(next.runner.get(run.id).status).toBe('running');
    orphansGone();
    expect(await recovering).toMatchObject({requeued: 1});
    await vi.waitFor(() => expect(next.executor.of(run.id)?.request.attempt).toBe(2));
    next.executor.of(run.id)!.succeed();
  });

  it('rejoins lock lines in creation order', async () => {
    const dead = await createHarness({tasks: [spec('build', {lock: 'report:{id}', maxRetries: 1})]});
    const first = await dead.runner.submit(target('build'), {id: 1});
    const second = await dead.runner.submit(target('build'), {id: 1});
    await vi.waitFor(() => expect(dead.executor.running).toHaveLength(1));
    await dead.store.flush();
    const next = await createHarness({after: dead, tasks: [spec('build', {lock: 'report:{id}', maxRetries: 1})]});
    await vi.waitFor(() => expect(next.executor.attempts).toHaveLength(1));
    expect(next.executor.attempts[0]!.request.runId).toBe(first.id);
    next.executor.attempts[0]!.succeed();
    await vi.waitFor(() => expect(next.executor.of(second.id)).toBeDefined());
  });
});

describe('Runner: close', () => {
  it('stops accepting, lets running attempts finish within the timeout, and writes everything', async () => {
    const harness = await createHarness();
    const {runner, executor, clock} = harness;
    const run = await runner.submit(target('build'), null);
    await vi.waitFor(() => expect(executor.running).toHaveLength(1));
    const closing = runner.close(5000);
    await expect(runner.submit(target('build'), null)).rejects.toMatchObject({code: 'conflict', message: 'the runner is shutting down and accepts no new runs'});
    executor.of(run.id)!.succeed('in time');
    await closing;
    expect(clock.pending).toBe(0);
    await stopHarness(harness);
    const reopened = await createHarness({after: harness});
    expect(reopened.runner.get(run.id)).toMatchObject({status: 'succeeded', result: 'in time'});
  });

  it('interrupts attempts still running at the deadline and leaves waiting runs queued for the next start', async () => {
    const harness = await createHarness({tasks: [spec('build', {maxRetries: 1}), spec('once')], maxParallel: 2});
    const {runner, executor, clock} = harness;
    const retrying = await runner.submit(target('build'), 1);
    const lastChance = await runner.submit(target('once'), 3);
    await vi.waitFor(() => expect(executor.running).toHaveLength(2));
    executor.of(retrying.id)!.fail('flaky');
    await vi.waitFor(() => expect(runner.get(retrying.id).status).toBe('queued'));
    const slow = await runner.submit(target('build'), 2);
    const queued = await runner.submit(target('build'), 4);
    await vi.waitFor(() => expect(executor.running).toHaveLength(2));
    const waiting = runner.waitFor(queued.id).catch((error: unknown) => error);
    expect(clock.pending).toBe(1);

    const closing = runner.close(1000);
    expect(clock.pending).toBe(1);
    clock.advance(1000);
    await closing;
    expect(clock.pending).toBe(0);
    expect(executor.of(slow.id)!.signal.aborted).toBe(true);
    expect(await waiting).toMatchObject({code: 'conflict', message: expect.stringContaining(`the daemon stopped before run ${queued.id} finished`)});
    expect(runner.get(slow.id)).toMatchObject({status: 'queued', error: {type: 'interrupted'}});
    expect(runner.get(lastChance.id)).toMatchObject({status: 'failed', error: {type: 'interrupted'}});
    expect(executor.attempts).toHaveLength(3);

    await stopHarness(harness);
    const next = await createHarness({after: harness, tasks: [spec('build', {maxRetries: 1}), spec('once')]});
    await vi.waitFor(() => expect(next.executor.attempts).toHaveLength(3));
    expect(next.executor.attempts.map((attempt) => [attempt.request.input, attempt.request.attempt])).toEqual([
      [1, 2],
      [2, 2],
      [4, 1],
    ]);
  });
});
