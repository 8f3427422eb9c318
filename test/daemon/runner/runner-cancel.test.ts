import {afterEach, describe, expect, it, vi} from 'vitest';
import {createHarness, spec, stopAllHarnesses} from './runner-harness.js';

afterEach(stopAllHarnesses);

const build = {namespace: 'reports', task: 'build'};

describe('Runner: cancellation', () => {
  it('cancels a queued run at once; it never starts', async () => {
    const {runner, executor} = await createHarness({maxParallel: 1});
    const running = await runner.submit(build, 1);
    const waiting = await runner.submit(build, 2);
    await vi.waitFor(() => expect(executor.running).toHaveLength(1));
    const cancelled = await runner.cancel(waiting.id);
    expect(cancelled).toMatchObject({status: 'cancelled', attempts: [], error: {type: 'cancelled', message: 'cancelled on request'}});
    executor.of(running.id)!.succeed();
    await runner.waitFor(running.id);
    expect(executor.attempts.map((attempt) => attempt.request.runId)).toEqual([running.id]);
    expect(runner.taskStats('reports', 'build')).toMatchObject({running: 0, queued: 0});
  });

  it('cancels a running run by aborting its signal, and does not retry it', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [spec('build', {maxRetries: 3})]});
    const run = await runner.submit(build, null);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    const attempt = executor.attempts[0]!;
    const cancelled = await runner.cancel(run.id);
    expect(attempt.signal.aborted).toBe(true);
    expect(cancelled).toMatchObject({status: 'cancelled', error: {type: 'cancelled', message: 'cancelled on request'}});
    expect(cancelled.attempts).toEqual([expect.objectContaining({n: 1, error: expect.objectContaining({type: 'cancelled'})})]);
    clock.advance(3_600_000);
    expect(executor.attempts).toHaveLength(1);
    await expect(runner.cancel(run.id)).rejects.toMatchObject({code: 'conflict', message: `run ${run.id} was already cancelled at ${cancelled.finishedAt!.replace('T', ' ').slice(0, 19)} UTC`});
  });

  it('refuses to cancel a run that already ended, saying how and when, and leaves it as it was', async () => {
    const {runner, executor} = await createHarness();
    const run = await runner.submit(build, null);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    executor.attempts[0]!.succeed('ok');
    const done = await runner.waitFor(run.id);
    await expect(runner.cancel(run.id)).rejects.toMatchObject({code: 'conflict', message: expect.stringMatching(new RegExp(`^run ${run.id} already succeeded at .* UTC; nothing to cancel$`))});
    expect(runner.get(run.id)).toEqual(done);
  });

  it('cancels a run waiting to retry, clearing its timer', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [spec('build', {maxRetries: 3})]});
    const run = await runner.submit(build, null);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    executor.attempts[0]!.fail('flaky');
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    expect((await runner.cancel(run.id)).status).toBe('cancelled');
    expect(clock.pending).toBe(0);
  });

  it('passes the lock key on when its holder is cancelled', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build', {lock: 'k'})]});
    const a = await runner.submit(build, 1);
    const b = await runner.submit(build, 2);
    const c = await runner.submit(build, 3);
    await vi.waitFor(() => expect(executor.running).toHaveLength(1));
    await runner.cancel(b.id);
    await runner.cancel(a.id);
    await vi.waitFor(() => expect(executor.of(c.id)).toBeDefined());
    expect(executor.of(b.id)).toBeUndefined();
  });

  it('cancelling a parent cancels its children, queued or running', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('parent'), spec('child')], maxParallel: 2});
    const parent = await runner.submit({namespace: 'reports', task: 'parent'}, null);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    const {hooks} = executor.attempts[0]!;
    const runningChild = await hooks.submitChild('child', 1);
    const queuedChild = await hooks.submitChild('child', 2);
    await vi.waitFor(() => expect(executor.of(runningChild)).toBeDefined());
    const grandchild = await executor.of(runningChild)!.hooks.submitChild('child', 3);

    const cancelled = await runner.cancel(parent.id);
    expect(cancelled.status).toBe('cancelled');
    for (const childId of [runningChild, queuedChild, grandchild]) {
      const child = await runner.waitFor(childId);
      expect(child.status, childId).toBe('cancelled');
    }
    expect(runner.get(queuedChild).error?.message).toBe(`cancelled with its parent run ${parent.id}`);
    expect(runner.get(grandchild).error?.message).toBe(`cancelled with its parent run ${runningChild}`);
  });

  it('cancels the waiting runs of a removed project and keeps its history', async () => {
    const {runner, executor} = await createHarness({maxParallel: 1});
    const running = await runner.submit(build, 1);
    const waiting = await runner.submit(build, 2);
    await vi.waitFor(() => expect(executor.running).toHaveLength(1));
    runner.removeProject('reports');
    expect(runner.get(waiting.id)).toMatchObject({status: 'cancelled', error: {message: 'project "reports" was removed'}});
    executor.of(running.id)!.succeed('finished anyway');
    expect((await runner.waitFor(running.id)).status).toBe('succeeded');
    expect(runner.list().map((run) => run.id)).toEqual([waiting.id, running.id]);
    await expect(runner.submit(build, 3)).rejects.toMatchObject({code: 'not_found'});
  });

  it('cancels waiting runs of a task dropped by a reload', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build'), spec('other')], maxParallel: 1});
    await runner.submit(build, 1);
    const dropped = await runner.submit({namespace: 'reports', task: 'other'}, 2);
    const kept = await runner.submit(build, 3);
    await vi.waitFor(() => expect(executor.running).toHaveLength(1));
    runner.setProjectTasks('reports', '/projects/reports', [spec('build')]);
    expect(runner.get(dropped.id)).toMatchObject({status: 'cancelled', error: {message: 'task reports/other is no longer defined in project "reports"'}});
    expect(runner.get(kept.id).status).toBe('queued');
  });
});
