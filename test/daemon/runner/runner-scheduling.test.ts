import {afterEach, describe, expect, it, vi} from 'vitest';
import type {SharedLocks} from '../../../daemon/runner/runner-types.js';
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

/** Lock keys as the other nodes hold them: granted when the test says, held elsewhere when it says. */
class FakeSharedLocks implements SharedLocks {
  readonly asked: string[] = [];
  readonly released: string[] = [];
  readonly elsewhere = new Map<string, string>();
  readonly #waiting = new Map<string, () => void>();

  take(key: string, runId: string, granted: () => void): () => void {
    this.asked.push(`${key} ${runId}`);
    this.#waiting.set(runId, granted);
    return () => this.#waiting.delete(runId);
  }

  grant(runId: string): void {
    const granted = this.#waiting.get(runId);
    if (!granted) throw new Error(`${runId} is not waiting for a shared key`);
    this.#waiting.delete(runId);
    granted();
  }

  isWaiting(runId: string): boolean {
    return this.#waiting.has(runId);
  }

  release(key: string, runId: string): void {
    this.released.push(`${key} ${runId}`);
  }

  heldElsewhere(key: string): Promise<string | undefined> {
    return Promise.resolve(this.elsewhere.get(key));
  }
}

describe('Runner: lock keys shared with other nodes', () => {
  it('starts a run only once it holds its key across the nodes too, asking for it when first in line here, and gives it back at the end', async () => {
    const shared = new FakeSharedLocks();
    const {runner, executor} = await createHarness({tasks: [spec('build', {lock: 'report:{id}'})], sharedLocks: shared});
    const a = await runner.submit(build, {id: 1});
    const b = await runner.submit(build, {id: 1});
    await vi.waitFor(() => expect(shared.asked).toEqual([`reports/report:1 ${a.id}`]));
    expect(executor.running).toEqual([]);
    expect(runner.get(a.id).status).toBe('queued');

    shared.grant(a.id);
    await vi.waitFor(() => expect(executor.of(a.id)).toBeDefined());
    // Behind a here: not asked for until a ends.
    expect(shared.asked).toHaveLength(1);
    executor.of(a.id)!.succeed();
    await runner.waitFor(a.id);
    expect(shared.released).toEqual([`reports/report:1 ${a.id}`]);
    await vi.waitFor(() => expect(shared.asked).toEqual([`reports/report:1 ${a.id}`, `reports/report:1 ${b.id}`]));

    // Cancelled while it waits for the key: it stops waiting, and gives back nothing it never held.
    await runner.cancel(b.id);
    expect(shared.isWaiting(b.id)).toBe(false);
    expect(shared.released).toHaveLength(1);
  });

  it('skips a "skip" run whose key a run on another node holds, naming it', async () => {
    const shared = new FakeSharedLocks();
    shared.elsewhere.set('reports/report:1', 'run_elsewhere on node beta');
    const {runner} = await createHarness({tasks: [spec('build', {lock: 'report:{id}', lockMode: 'skip'})], sharedLocks: shared});
    const skipped = await runner.submit(build, {id: 1});
    expect(skipped).toMatchObject({status: 'cancelled', error: {message: `skipped: lock "report:1" is held by run run_elsewhere on node beta (the task's lockMode is "skip")`}});
    expect(shared.asked).toEqual([]);
    // Another key is free everywhere: asked for, as usual.
    await runner.submit(build, {id: 2});
    await vi.waitFor(() => expect(shared.asked).toHaveLength(1));
  });
});

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
