// Delayed, deduplicated and prioritised submits, on the runner with a fake clock and executor.
import {afterEach, describe, expect, it, vi} from 'vitest';
import {createHarness, spec, stopAllHarnesses, stopHarness} from './runner-harness.js';

afterEach(stopAllHarnesses);

const build = {namespace: 'reports', task: 'build'};
const publish = {namespace: 'reports', task: 'publish'};

describe('Runner: delayed runs', () => {
  it('keeps a delayed run scheduled, holding no slot, then queues and runs it at its time', async () => {
    const {runner, executor, clock} = await createHarness({maxParallel: 1});
    const delayed = await runner.submit(build, {n: 1}, {delayMs: 5000});
    expect(delayed).toMatchObject({status: 'scheduled', wakeAt: new Date(clock.now() + 5000).toISOString()});
    expect(runner.taskStats('reports', 'build')).toMatchObject({scheduled: 1, queued: 0, running: 0});
    // It holds up nobody: a run submitted after it starts at once.
    const now = await runner.submit(build, {n: 2});
    await vi.waitFor(() => expect(executor.of(now.id)).toBeDefined());
    executor.of(now.id)!.succeed();
    await runner.waitFor(now.id);
    clock.advance(4999);
    expect(executor.of(delayed.id)).toBeUndefined();
    clock.advance(1);
    await vi.waitFor(() => expect(executor.of(delayed.id)).toBeDefined());
    expect(runner.get(delayed.id)).toMatchObject({status: 'running', wakeAt: null});
    executor.of(delayed.id)!.succeed('late');
    expect(await runner.waitFor(delayed.id)).toMatchObject({status: 'succeeded', result: 'late'});
  });

  it('takes a runAt, queues one already past at once, and refuses both at once or one too far ahead', async () => {
    const {runner, executor, clock} = await createHarness();
    const at = await runner.submit(build, null, {runAt: clock.now() + 60_000});
    expect(at).toMatchObject({status: 'scheduled', wakeAt: new Date(clock.now() + 60_000).toISOString()});
    const past = await runner.submit(build, null, {runAt: clock.now() - 1});
    expect(past.status).toBe('queued');
    await vi.waitFor(() => expect(executor.of(past.id)).toBeDefined());
    await expect(runner.submit(build, null, {delayMs: 1, runAt: clock.now()})).rejects.toMatchObject({code: 'bad_input', message: expect.stringContaining('delayMs and runAt cannot be given together')});
    await expect(runner.submit(build, null, {runAt: clock.now() + 400 * 86_400_000})).rejects.toMatchObject({code: 'bad_input', message: expect.stringMatching(/^runAt: the run would start in 400d, more than the 366d/)});
  });

  it('joins its lock key when it wakes, behind the runs already in line, not when submitted', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [spec('build', {lock: 'report:{id}'})]});
    const delayed = await runner.submit(build, {id: 1}, {delayMs: 1000});
    const first = await runner.submit(build, {id: 1});
    await vi.waitFor(() => expect(executor.of(first.id)).toBeDefined());
    clock.advance(1000);
    const later = await runner.submit(build, {id: 1});
    expect(runner.get(delayed.id).status).toBe('queued');
    executor.of(first.id)!.succeed();
    await vi.waitFor(() => expect(executor.of(delayed.id)).toBeDefined());
    expect(executor.of(later.id)).toBeUndefined();
    executor.of(delayed.id)!.succeed();
    await vi.waitFor(() => expect(executor.of(later.id)).toBeDefined());
  });

  it('skips a delayed run of a lockMode "skip" task whose key is held when it wakes', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [spec('build', {lock: 'report:{id}', lockMode: 'skip'})]});
    const delayed = await runner.submit(build, {id: 1}, {delayMs: 1000});
    const holder = await runner.submit(build, {id: 1});
    expect(holder.status).toBe('queued');
    await vi.waitFor(() => expect(executor.of(holder.id)).toBeDefined());
    clock.advance(1000);
    expect(await runner.waitFor(delayed.id)).toMatchObject({status: 'cancelled', error: {message: `skipped: lock "report:1" is held by run ${holder.id} (the task's lockMode is "skip")`}});
  });

  it('cancels a scheduled run at once, its timer gone', async () => {
    const {runner, executor, clock} = await createHarness();
    const delayed = await runner.submit(build, null, {delayMs: 1000});
    expect(clock.pending).toBe(1);
    expect(await runner.cancel(delayed.id)).toMatchObject({status: 'cancelled', wakeAt: null, attempts: []});
    expect(clock.pending).toBe(0);
    expect(runner.taskStats('reports', 'build')).toMatchObject({scheduled: 0});
    clock.advance(2000);
    expect(executor.attempts).toHaveLength(0);
  });

  it('bounds scheduled runs with the queued ones', async () => {
    const {runner} = await createHarness({maxQueued: 2, maxParallel: 1});
    await runner.submit(build, null, {delayMs: 1000});
    await runner.submit(build, null, {delayMs: 1000});
    await expect(runner.submit(build, null)).rejects.toMatchObject({code: 'conflict', message: 'the run queue is full: 2 runs are waiting (the limit is 2)'});
  });

  it('leaves scheduled runs on disk at shutdown, with no timer left, and the next daemon runs each once at its time', async () => {
    const first = await createHarness();
    const soon = await first.runner.submit(build, {n: 1}, {delayMs: 1000});
    const later = await first.runner.submit(build, {n: 2}, {delayMs: 5000});
    await stopHarness(first);
    expect(first.clock.pending).toBe(0);
    // The daemon was down past the first one's time.
    first.clock.advance(2000);

    const next = await createHarness({after: first});
    expect(next.runner.taskStats('reports', 'build')).toMatchObject({scheduled: 2});
    // The time already past: queued at once.
    next.clock.advance(0);
    await vi.waitFor(() => expect(next.executor.of(soon.id)).toBeDefined());
    expect(next.runner.taskStats('reports', 'build')).toMatchObject({scheduled: 1, running: 1});
    expect(next.executor.of(later.id)).toBeUndefined();
    next.clock.advance(2999);
    expect(next.executor.of(later.id)).toBeUndefined();
    next.clock.advance(1);
    await vi.waitFor(() => expect(next.executor.of(later.id)).toBeDefined());
    for (const attempt of next.executor.running) attempt.succeed();
    for (const run of [soon, later]) expect((await next.runner.waitFor(run.id)).attempts).toHaveLength(1);
    expect(next.executor.attempts).toHaveLength(2);
  });

  it('recovers a scheduled run after a crash, and cancels one whose task is gone', async () => {
    const dead = await createHarness({tasks: [spec('build'), spec('publish')]});
    const kept = await dead.runner.submit(build, null, {delayMs: 1000});
    const orphan = await dead.runner.submit(publish, null, {delayMs: 1000});
    await dead.store.flush();
    // Never closed: a kill -9 leaves the files as they are.
    const next = await createHarness({after: dead, tasks: [spec('build')], skipRecover: true});
    expect(await next.runner.recover()).toMatchObject({requeued: 1, cancelled: 1});
    expect(next.runner.get(orphan.id)).toMatchObject({status: 'cancelled', error: {message: 'cancelled after the daemon restarted: task reports/publish is no longer defined'}});
    next.clock.advance(1000);
    await vi.waitFor(() => expect(next.executor.of(kept.id)).toBeDefined());
  });
});

describe('Runner: idempotency keys', () => {
  it('returns the run of a live key, whatever its status, and makes a new one once the key expired', async () => {
    const {runner, executor, clock} = await createHarness({tasks: [spec('build'), spec('publish')]});
    const first = await runner.submit(build, {n: 1}, {idempotencyKey: 'order-42', idempotencyTtlMs: 60_000});
    expect(first).toMatchObject({idempotencyKey: 'order-42', idempotencyExpiresAt: new Date(clock.now() + 60_000).toISOString()});
    await vi.waitFor(() => expect(executor.of(first.id)).toBeDefined());
    executor.of(first.id)!.succeed('done');
    await runner.waitFor(first.id);
    const again = await runner.submit(build, {n: 2}, {idempotencyKey: 'order-42'});
    expect(again).toMatchObject({id: first.id, status: 'succeeded', input: {n: 1}});
    // Another task's key of the same name is another key.
    expect((await runner.submit(publish, null, {idempotencyKey: 'order-42'})).id).not.toBe(first.id);
    clock.advance(60_000);
    const after = await runner.submit(build, {n: 3}, {idempotencyKey: 'order-42'});
    expect(after.id).not.toBe(first.id);
  });

  it('makes one run of many submits with one key in the same turn, before the first is on disk', async () => {
    const {runner, store} = await createHarness({maxParallel: 1});
    for (let round = 0; round < 20; round++) {
      const submits = Array.from({length: 25}, (_, n) => runner.submit(build, {n}, {idempotencyKey: `burst-${round}`}));
      const runs = await Promise.all(submits);
      expect(new Set(runs.map((run) => run.id)).size).toBe(1);
      expect([...store.runs()].filter((run) => run.idempotencyKey === `burst-${round}`)).toHaveLength(1);
    }
  });

  it('finds a key again after a restart', async () => {
    const first = await createHarness();
    const run = await first.runner.submit(build, null, {idempotencyKey: 'k', delayMs: 1000});
    await stopHarness(first);
    const next = await createHarness({after: first});
    expect((await next.runner.submit(build, null, {idempotencyKey: 'k'})).id).toBe(run.id);
  });
});

describe('Runner: priority', () => {
  it('starts higher priority first across tasks, FIFO among equals, and refuses one out of range', async () => {
    const {runner, executor} = await createHarness({tasks: [spec('build'), spec('publish')], maxParallel: 1});
    const blocker = await runner.submit(build, 'blocker');
    await vi.waitFor(() => expect(executor.of(blocker.id)).toBeDefined());
    const low = await runner.submit(build, 'low', {priority: -1});
    const normal1 = await runner.submit(publish, 'normal1');
    const high = await runner.submit(publish, 'high', {priority: 5});
    const normal2 = await runner.submit(build, 'normal2');
    expect(high.priority).toBe(5);
    executor.of(blocker.id)!.succeed();
    for (const expected of [high, normal1, normal2, low]) {
      await vi.waitFor(() => expect(executor.running.map((attempt) => attempt.request.runId)).toEqual([expected.id]));
      executor.of(expected.id)!.succeed();
    }
    await expect(runner.submit(build, null, {priority: 1001})).rejects.toMatchObject({code: 'bad_input', message: expect.stringMatching(/^priority: expected a whole number from -1000 to 1000/)});
  });
});
