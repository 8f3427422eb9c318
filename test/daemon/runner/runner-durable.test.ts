import {afterEach, describe, expect, it, vi} from 'vitest';
import type {FakeAttempt} from './fake-executor.js';
import {createHarness, spec, stopAllHarnesses, type Harness} from './runner-harness.js';

afterEach(stopAllHarnesses);

const build = {namespace: 'reports', task: 'build'};

async function attemptOf(harness: Harness, runId: string, n: number): Promise<FakeAttempt> {
  await vi.waitFor(() => expect(harness.executor.attempts.filter((attempt) => attempt.request.runId === runId)).toHaveLength(n));
  return harness.executor.attempts.filter((attempt) => attempt.request.runId === runId)[n - 1]!;
}

async function statusOf(harness: Harness, runId: string, status: string): Promise<void> {
  await vi.waitFor(() => expect(harness.runner.get(runId).status).toBe(status));
}

describe('Runner: durable sleeps, waits and prompts', () => {
  it('frees the slot of a sleeping run and wakes it at its time, with the sleep recorded as over', async () => {
    const harness = await createHarness({maxParallel: 1});
    const run = await harness.runner.submit(build, {});
    const first = await attemptOf(harness, run.id, 1);
    const until = harness.clock.now() + 60_000;
    expect(await first.hooks.durable({op: 'step', key: 'a#1', name: 'a', index: 0, ok: true, json: '{"x":1}', tries: 1, startedAt: harness.clock.now(), durationMs: 2})).toEqual({done: true});
    expect(await first.hooks.durable({op: 'sleep', key: 'sleep#1', name: 'sleep', index: 1, until})).toEqual({suspend: true});
    first.suspend();
    await statusOf(harness, run.id, 'sleeping');
    expect(harness.runner.get(run.id).wakeAt).toBe(new Date(until).toISOString());

    // The only slot is free.
    const other = await harness.runner.submit(build, {other: true});
    (await attemptOf(harness, other.id, 1)).succeed('done');
    await statusOf(harness, other.id, 'succeeded');

    harness.clock.advance(60_000);
    const second = await attemptOf(harness, run.id, 2);
    expect(second.request.memo).toEqual([
      {key: 'a#1', kind: 'step', index: 0, state: 'succeeded', value: {x: 1}},
      {key: 'sleep#1', kind: 'sleep', index: 1, state: 'succeeded', value: null},
    ]);
    second.succeed('woke');
    await statusOf(harness, run.id, 'succeeded');
    expect(harness.runner.steps(run.id).map((step) => [step.key, step.status])).toEqual([
      ['a#1', 'succeeded'],
      ['sleep#1', 'succeeded'],
    ]);
  });

  it('keeps a signal sent before the wait and hands it over when the run gets there', async () => {
    const harness = await createHarness();
    const run = await harness.runner.submit(build, {});
    const attempt = await attemptOf(harness, run.id, 1);
    expect(await harness.runner.signal(run.id, 'go', {n: 7})).toMatchObject({delivered: false});
    expect(await attempt.hooks.durable({op: 'wait', key: 'go#1', name: 'go', index: 0, timeoutMs: 60_000})).toEqual({done: true, value: {n: 7}});
    expect(harness.store.signals(run.id)).toEqual([]);
  });

  it('resumes a waiting run when its signal comes, and refuses a name it does not wait for', async () => {
    const harness = await createHarness();
    const run = await harness.runner.submit(build, {});
    const first = await attemptOf(harness, run.id, 1);
    await first.hooks.durable({op: 'wait', key: 'go#1', name: 'go', index: 0, timeoutMs: 60_000});
    first.suspend();
    await statusOf(harness, run.id, 'waiting');
    await expect(harness.runner.signal(run.id, 'og', null)).rejects.toThrow('waits for signal "go", not "og"');
    expect(await harness.runner.signal(run.id, 'go', 'now')).toMatchObject({delivered: true});
    const second = await attemptOf(harness, run.id, 2);
    expect(second.request.memo).toEqual([{key: 'go#1', kind: 'wait', index: 0, state: 'succeeded', value: 'now'}]);
    expect(harness.clock.pending).toBe(0);
  });

  it('times a prompt out into a failed step the next attempt throws, and checks answers against the choices', async () => {
    const harness = await createHarness();
    const run = await harness.runner.submit(build, {});
    const first = await attemptOf(harness, run.id, 1);
    const prompt = {op: 'prompt' as const, name: 'prompt', timeoutMs: 5_000, question: 'Ship it?', choices: ['yes', 'no'], default: 'no', secret: false};
    await first.hooks.durable({...prompt, key: 'prompt#1', index: 0});
    first.suspend();
    await statusOf(harness, run.id, 'waiting');
    await expect(harness.runner.answer(run.id, undefined, 'maybe')).rejects.toThrow('"maybe" is not one of the choices of "Ship it?": yes, no');
    harness.clock.advance(5_000);
    const second = await attemptOf(harness, run.id, 2);
    expect(second.request.memo).toEqual([{key: 'prompt#1', kind: 'prompt', index: 0, state: 'failed', error: 'no answer to "Ship it?" came within 5s'}]);

    await second.hooks.durable({...prompt, key: 'prompt#2', index: 1});
    second.suspend();
    await statusOf(harness, run.id, 'waiting');
    // An empty answer takes the default.
    await harness.runner.answer(run.id, undefined, '');
    const third = await attemptOf(harness, run.id, 3);
    expect(third.request.memo.at(-1)).toEqual({key: 'prompt#2', kind: 'prompt', index: 1, state: 'succeeded', value: 'no'});
  });

  it('cancels a sleeping run at once, leaving no timer', async () => {
    const harness = await createHarness();
    const run = await harness.runner.submit(build, {});
    const attempt = await attemptOf(harness, run.id, 1);
    await attempt.hooks.durable({op: 'sleep', key: 'sleep#1', name: 'sleep', index: 0, until: harness.clock.now() + 3_600_000});
    attempt.suspend();
    await statusOf(harness, run.id, 'sleeping');
    expect(await harness.runner.cancel(run.id)).toMatchObject({status: 'cancelled', wakeAt: null});
    expect(harness.clock.pending).toBe(0);
  });

  it('spends the retry budget on failures only, not on attempts that ended at a sleep', async () => {
    const harness = await createHarness({tasks: [spec('build', {maxRetries: 1})]});
    const run = await harness.runner.submit(build, {});
    const first = await attemptOf(harness, run.id, 1);
    await first.hooks.durable({op: 'sleep', key: 'sleep#1', name: 'sleep', index: 0, until: harness.clock.now() + 1_000});
    first.suspend();
    await statusOf(harness, run.id, 'sleeping');
    harness.clock.advance(1_000);
    (await attemptOf(harness, run.id, 2)).fail('flaky');
    await statusOf(harness, run.id, 'queued');
    harness.clock.advance(60_000);
    (await attemptOf(harness, run.id, 3)).succeed('ok');
    await statusOf(harness, run.id, 'succeeded');
  });

  it('keeps a sleeping run across a restart and wakes it when its time has passed', async () => {
    const dead = await createHarness();
    const run = await dead.runner.submit(build, {});
    const attempt = await attemptOf(dead, run.id, 1);
    await attempt.hooks.durable({op: 'sleep', key: 'sleep#1', name: 'sleep', index: 0, until: dead.clock.now() + 10_000});
    attempt.suspend();
    await statusOf(dead, run.id, 'sleeping');
    await dead.store.flush();
    // Killed: the next daemon opens the same files, after the wake time (the wall clock alone
    // moves, so the dead runner's timer, on the shared clock, stays where it was).
    dead.clock.jump(20_000);
    const next = await createHarness({after: dead, skipRecover: true});
    expect(await next.runner.recover()).toMatchObject({suspended: 1, requeued: 0});
    next.clock.advance(0);
    // The next daemon's executor: its first attempt is the run's second.
    const resumed = await attemptOf(next, run.id, 1);
    expect(resumed.request.attempt).toBe(2);
    resumed.succeed('late but woken');
    await statusOf(next, run.id, 'succeeded');
  });
});
