import {afterEach, describe, expect, it, vi} from 'vitest';
import {createHarness, spec, stopAllHarnesses} from './runner-harness.js';

afterEach(stopAllHarnesses);

const build = {namespace: 'reports', task: 'build'};

/** The most attempts of the given runs that overlapped at any moment, read from the executor's timeline. */
function maxOverlap(timeline: string[], runIds: Set<string>): number {
  let running = 0;
  let most = 0;
  for (const entry of timeline) {
    const [kind, runId] = entry.split(':') as [string, string];
    if (!runIds.has(runId)) continue;
    running += kind === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

describe('Runner: locks', () => {
  it('never overlaps two runs with the same lock key, and runs them in submission order', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build', {lock: 'report:{id}'})], maxParallel: 8});
    const a = await runner.submit(build, {id: 1});
    const b = await runner.submit(build, {id: 1});
    const other = await runner.submit(build, {id: 2});
    const c = await runner.submit(build, {id: 1});
    await vi.waitFor(() => expect(executor.running.map((attempt) => attempt.request.runId)).toEqual([a.id, other.id]));
    expect(runner.get(b.id).status).toBe('queued');

    executor.of(a.id)!.succeed();
    await vi.waitFor(() => expect(executor.of(b.id)).toBeDefined());
    expect(executor.of(c.id)).toBeUndefined();
    executor.of(b.id)!.succeed();
    await vi.waitFor(() => expect(executor.of(c.id)).toBeDefined());
    executor.of(c.id)!.succeed();
    executor.of(other.id)!.succeed();
    await Promise.all([a, b, c, other].map((run) => runner.waitFor(run.id)));

    const sameKey = new Set([a.id, b.id, c.id]);
    expect(maxOverlap(executor.timeline, sameKey)).toBe(1);
    expect(executor.timeline.filter((entry) => sameKey.has(entry.split(':')[1]!))).toEqual([`start:${a.id}`, `end:${a.id}`, `start:${b.id}`, `end:${b.id}`, `start:${c.id}`, `end:${c.id}`]);
  });

  it('keeps the key through retries, so the next run with the key waits for the last attempt', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [spec('build', {lock: 'report:{id}', maxRetries: 1})]});
    const a = await runner.submit(build, {id: 1});
    const b = await runner.submit(build, {id: 1});
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    executor.of(a.id)!.fail('flaky');
    await vi.waitFor(() => expect(runner.get(a.id).status).toBe('queued'));
    expect(executor.of(b.id)).toBeUndefined();
    clock.advance(1000);
    expect(executor.attempts.map((attempt) => attempt.request.runId)).toEqual([a.id, a.id]);
    executor.of(a.id)!.succeed();
    await vi.waitFor(() => expect(executor.of(b.id)).toBeDefined());
  });

  it('shares a key between tasks of one project but not across projects', async () => {
    const harness = await createHarness({tasks: [spec('build', {lock: 'report:{id}'}), spec('publish', {lock: 'report:{id}'})]});
    const {runner, executor} = harness;
    runner.setProjectTasks('billing', '/projects/billing', [spec('build', {lock: 'report:{id}'})]);
    const a = await runner.submit(build, {id: 1});
    const b = await runner.submit({namespace: 'reports', task: 'publish'}, {id: 1});
    const c = await runner.submit({namespace: 'billing', task: 'build'}, {id: 1});
    await vi.waitFor(() => expect(executor.running.map((attempt) => attempt.request.runId)).toEqual([a.id, c.id]));
    expect(runner.get(b.id).status).toBe('queued');
  });

  it('with lockMode "skip", records a run whose key is taken as cancelled, naming the holder', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build', {lock: 'report:{id}', lockMode: 'skip'})]});
    const a = await runner.submit(build, {id: 1});
    const skipped = await runner.submit(build, {id: 1});
    const free = await runner.submit(build, {id: 2});
    expect(skipped).toMatchObject({status: 'cancelled', attempts: [], error: {type: 'cancelled', message: `skipped: lock "report:1" is held by run ${a.id} (the task's lockMode is "skip")`}});
    expect(runner.get(skipped.id).status).toBe('cancelled');
    expect(free.status).toBe('queued');
    await vi.waitFor(() => expect(executor.running).toHaveLength(2));
    executor.of(a.id)!.succeed();
    await runner.waitFor(a.id);
    expect((await runner.submit(build, {id: 1})).status).toBe('queued');
  });
});

describe('Runner: concurrency and parallelism', () => {
  it('runs at most `concurrency` runs of a task at once', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build', {concurrency: 2})], maxParallel: 8});
    const runs = await Promise.all([1, 2, 3, 4, 5].map((n) => runner.submit(build, n)));
    await vi.waitFor(() => expect(executor.running).toHaveLength(2));
    expect(runner.taskStats('reports', 'build')).toMatchObject({running: 2, queued: 3});
    while (executor.running.length > 0) {
      executor.running[0]!.succeed();
      await vi.waitFor(() => expect(executor.running.length).toBe(Math.min(2, runs.length - executor.attempts.filter((attempt) => attempt.ended).length)));
    }
    await Promise.all(runs.map((run) => runner.waitFor(run.id)));
    expect(maxOverlap(executor.timeline, new Set(runs.map((run) => run.id)))).toBe(2);
    expect(executor.attempts.map((attempt) => attempt.request.input)).toEqual([1, 2, 3, 4, 5]);
  });

  it('runs at most maxParallel attempts daemon-wide', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build'), spec('other')], maxParallel: 2});
    await runner.submit(build, 1);
    await runner.submit({namespace: 'reports', task: 'other'}, 2);
    await runner.submit(build, 3);
    await vi.waitFor(() => expect(executor.running).toHaveLength(2));
    executor.running[0]!.succeed();
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(3));
    expect(executor.running).toHaveLength(2);
  });

  it('does not let a task at its cap hold up the runs of another task', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build', {concurrency: 1}), spec('other')], maxParallel: 4});
    for (let n = 0; n < 4; n++) await runner.submit(build, n);
    const other = await runner.submit({namespace: 'reports', task: 'other'}, null);
    await vi.waitFor(() => expect(executor.of(other.id)).toBeDefined());
    expect(executor.running.map((attempt) => attempt.request.task)).toEqual(['build', 'other']);
  });

  it('lets a run blocked on its child lend its slot, so the child runs', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('parent'), spec('child')], maxParallel: 1});
    const parent = await runner.submit({namespace: 'reports', task: 'parent'}, null);
    await vi.waitFor(() => expect(executor.attempts).toHaveLength(1));
    const {hooks} = executor.attempts[0]!;
    const childId = await hooks.submitChild('child', {part: 1});
    expect(runner.get(childId)).toMatchObject({parentId: parent.id, task: 'child', status: 'queued'});
    const result = hooks.awaitChild(childId);
    await vi.waitFor(() => expect(executor.of(childId)).toBeDefined());
    executor.of(childId)!.succeed({part: 1, done: true});
    await expect(result).resolves.toEqual({part: 1, done: true});

    const failing = await hooks.submitChild('reports/child', {part: 2});
    const failure = hooks.awaitChild(failing);
    await vi.waitFor(() => expect(executor.of(failing)).toBeDefined());
    executor.of(failing)!.fail('child broke');
    await expect(failure).rejects.toMatchObject({code: 'failed', message: `child run ${failing} (reports/child) failed: child broke`});
  });
});
