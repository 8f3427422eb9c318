import {existsSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {createExecutor, type ExecutorOptions, type TaskExecutor} from '../../../daemon/executor/index.js';
import type {AttemptLimits} from '../../../daemon/runner/executor-api.js';
import {attemptRequest, errorOf, isAlive, MB, readyLine, recordingHooks, waitFor} from './helpers.js';

const GENEROUS: AttemptLimits = {ramBytes: 256 * MB, timeoutMs: 60_000, computeMs: 60_000};

describe('executor limits', () => {
  let executor: TaskExecutor | undefined;

  function start(options: ExecutorOptions = {}): TaskExecutor {
    executor = createExecutor({maxParallel: 2, abortGraceMs: 200, ...options});
    return executor;
  }

  afterEach(async () => {
    await executor?.close();
    executor = undefined;
  });

  it('stops a busy loop in a worker thread at its timeout and ends the thread', async () => {
    const {hooks, logs} = recordingHooks();
    const outcome = await start().execute(attemptRequest('limits.ts', 'busyLoop', {limits: {...GENEROUS, timeoutMs: 1_000}}), hooks, new AbortController().signal);
    expect(errorOf(outcome)).toMatchObject({type: 'timeout', message: 'the attempt ran longer than its timeout of 1s'});
    const {tid} = readyLine(logs)!;
    expect(existsSync(`/proc/self/task/${tid}`)).toBe(false);
    expect(await executor!.execute(attemptRequest('basic.ts', 'noop'), recordingHooks().hooks, new AbortController().signal)).toMatchObject({ok: true});
  });

  it('stops a busy loop in a child process at its timeout and ends the process', async () => {
    const {hooks, logs} = recordingHooks();
    const outcome = await start().execute(attemptRequest('limits.ts', 'busyLoop', {isolation: 'process', limits: {...GENEROUS, timeoutMs: 1_500}}), hooks, new AbortController().signal);
    expect(errorOf(outcome)).toMatchObject({type: 'timeout'});
    expect(isAlive(readyLine(logs)!.pid)).toBe(false);
  });

  it('aborts ctx.signal at the timeout and keeps a worker whose task honours it', async () => {
    const {hooks, logs} = recordingHooks();
    const outcome = await start({abortGraceMs: 10_000}).execute(attemptRequest('limits.ts', 'waitsForAbort', {isolation: 'process', limits: {...GENEROUS, timeoutMs: 1_000}}), hooks, new AbortController().signal);
    expect(errorOf(outcome)).toMatchObject({type: 'timeout'});
    expect(logs).toContainEqual({level: 'log', message: 'aborted: TimeoutError: the attempt ran longer than its timeout of 1s'});
    expect(isAlive(readyLine(logs)!.pid)).toBe(true);
  });

  it.each(['heapBomb', 'bufferBomb'])('stops a %s in a child process as out_of_memory while other runs go on', async (bomb) => {
    const {hooks, logs} = recordingHooks();
    const limits = {...GENEROUS, ramBytes: 128 * MB};
    const [bombed, neighbour] = await Promise.all([
      start().execute(attemptRequest('limits.ts', bomb, {isolation: 'process', limits}), hooks, new AbortController().signal),
      executor!.execute(attemptRequest('basic.ts', 'echo', {isolation: 'process', input: 'still here', limits}), recordingHooks().hooks, new AbortController().signal),
    ]);
    expect(errorOf(bombed)).toMatchObject({type: 'out_of_memory'});
    expect(bombed.peakMemoryMb).toBeGreaterThanOrEqual(100);
    expect(isAlive(readyLine(logs)!.pid)).toBe(false);
    expect(neighbour).toMatchObject({ok: true, result: {echo: 'still here'}});
  });

  it('reports a child process that V8 ended at its heap cap as out_of_memory', async () => {
    // A watchdog that never samples leaves --max-old-space-size as the only enforcement.
    const {hooks, logs} = recordingHooks();
    const outcome = await start({watchdogIntervalMs: 3_600_000}).execute(attemptRequest('limits.ts', 'heapBomb', {isolation: 'process', limits: {...GENEROUS, ramBytes: 96 * MB}}), hooks, new AbortController().signal);
    expect(errorOf(outcome)).toMatchObject({type: 'out_of_memory', message: 'the attempt exhausted its heap limit of 96MB'});
    expect(logs.some((line) => line.level === 'error' && /heap out of memory/i.test(line.message))).toBe(true);
  });

  it('stops a heap bomb in a worker thread at its heap limit', async () => {
    const outcome = await start().execute(attemptRequest('limits.ts', 'heapBomb', {limits: {...GENEROUS, ramBytes: 64 * MB}}), recordingHooks().hooks, new AbortController().signal);
    expect(errorOf(outcome)).toMatchObject({type: 'out_of_memory', message: 'the attempt exhausted its heap limit of 64MB'});
    expect(await executor!.execute(attemptRequest('basic.ts', 'noop', {limits: {...GENEROUS, ramBytes: 64 * MB}}), recordingHooks().hooks, new AbortController().signal)).toMatchObject({ok: true});
  });

  // A watchdog that never samples leaves the worker's own measure as the attempt ends.
  it('ends a thread attempt that returns holding Buffers over its limit as out_of_memory, and replaces its worker', async () => {
    const single = start({maxParallel: 1, watchdogIntervalMs: 3_600_000});
    const limits = {...GENEROUS, ramBytes: 128 * MB};
    const hoarded = await single.execute(attemptRequest('limits.ts', 'bufferHoard', {input: {mb: 300}, limits}), recordingHooks().hooks, new AbortController().signal);
    expect(errorOf(hoarded)).toMatchObject({type: 'out_of_memory', message: expect.stringMatching(/^the attempt used 30\d(\.\d)?MB of memory, over its limit of 128MB$/)});
    expect(hoarded.peakMemoryMb).toBeGreaterThanOrEqual(300);
    // The next attempt of the pool gets a new worker: the hoard went with the old one.
    const next = await single.execute(attemptRequest('limits.ts', 'bufferHoard', {input: {mb: 1}, limits}), recordingHooks().hooks, new AbortController().signal);
    expect(next).toMatchObject({ok: true, result: 1});
    expect(next.peakMemoryMb).toBeLessThan(64);
  });

  it('does not count against a thread the Buffers it dropped before returning', async () => {
    const limits = {...GENEROUS, ramBytes: 128 * MB};
    const outcome = await start({watchdogIntervalMs: 3_600_000}).execute(attemptRequest('limits.ts', 'bufferGarbage', {input: {mb: 300}, limits}), recordingHooks().hooks, new AbortController().signal);
    expect(outcome).toMatchObject({ok: true, result: 300});
    expect(outcome.peakMemoryMb).toBeLessThan(128);
  });

  it.each(['thread', 'process'] as const)('stops a %s attempt that spends its CPU budget, and records the CPU it used', async (isolation) => {
    const {hooks, logs} = recordingHooks();
    const outcome = await start().execute(attemptRequest('limits.ts', 'busyLoop', {isolation, limits: {...GENEROUS, computeMs: 700}}), hooks, new AbortController().signal);
    // The watchdog usually ends it; on a loaded machine the kernel limit may come first.
    expect(errorOf(outcome)).toMatchObject({type: 'compute_exhausted', message: expect.stringContaining('CPU budget of 700ms')});
    expect(outcome.cpuMs).toBeGreaterThanOrEqual(700);
    if (isolation === 'process') expect(isAlive(readyLine(logs)!.pid)).toBe(false);
  });

  it('has the kernel end a child process that outruns its CPU budget when measurement does not', async () => {
    // A watchdog that never samples leaves RLIMIT_CPU as the only enforcement.
    const {hooks, logs} = recordingHooks();
    const outcome = await start({watchdogIntervalMs: 3_600_000}).execute(attemptRequest('limits.ts', 'busyLoop', {isolation: 'process', limits: {...GENEROUS, computeMs: 1_500}}), hooks, new AbortController().signal);
    expect(errorOf(outcome)).toMatchObject({type: 'compute_exhausted', message: expect.stringContaining('stopped by the kernel')});
    expect(isAlive(readyLine(logs)!.pid)).toBe(false);
  });

  it('lifts the kernel CPU limit of one attempt before the next one runs on the same child', async () => {
    const single = start({maxParallel: 1});
    const limits = {...GENEROUS, computeMs: 1_500};
    const burn = () => attemptRequest('limits.ts', 'burnsCpu', {isolation: 'process', input: {ms: 1_400}, limits});
    // Runs past 1s, so the kernel limit is set: the child's CPU before it + 1.5s, rounded up to whole seconds.
    expect(await single.execute(burn(), recordingHooks().hooks, new AbortController().signal)).toMatchObject({ok: true, result: 'burnt'});
    // Left in place, that limit would end this attempt within its first second, before its own limit is set.
    expect(await single.execute(burn(), recordingHooks().hooks, new AbortController().signal)).toMatchObject({ok: true, result: 'burnt'});
  });

  it.each(['thread', 'process'] as const)('cancels a running %s attempt: code that ignores the abort is terminated after the grace period', async (isolation) => {
    const controller = new AbortController();
    const {hooks, logs} = recordingHooks();
    const running = start().execute(attemptRequest('limits.ts', 'busyLoop', {isolation}), hooks, controller.signal);
    await waitFor(() => readyLine(logs) !== null, 'the task to start');
    controller.abort();
    const outcome = await running;
    expect(errorOf(outcome)).toMatchObject({type: 'cancelled', message: 'the run was cancelled'});
    if (isolation === 'process') expect(isAlive(readyLine(logs)!.pid)).toBe(false);
  });

  it('cancels an attempt still waiting for a slot without running it', async () => {
    const single = start({maxParallel: 1, abortGraceMs: 10_000});
    const blocker = new AbortController();
    const {hooks, logs} = recordingHooks();
    const blocking = single.execute(attemptRequest('limits.ts', 'waitsForAbort'), hooks, blocker.signal);
    await waitFor(() => readyLine(logs) !== null, 'the first task to start');
    const waiting = new AbortController();
    const queued = single.execute(attemptRequest('basic.ts', 'noop'), recordingHooks().hooks, waiting.signal);
    waiting.abort();
    expect(errorOf(await queued)).toMatchObject({type: 'cancelled'});
    blocker.abort();
    expect(errorOf(await blocking)).toMatchObject({type: 'cancelled'});
    expect(logs).toContainEqual({level: 'log', message: 'aborted: AbortError: the run was cancelled'});
  });

  it('interrupts running attempts when closed', async () => {
    const {hooks, logs} = recordingHooks();
    const running = start().execute(attemptRequest('limits.ts', 'busyLoop', {isolation: 'process'}), hooks, new AbortController().signal);
    await waitFor(() => readyLine(logs) !== null, 'the task to start');
    await executor!.close();
    expect(errorOf(await running)).toMatchObject({type: 'interrupted'});
    expect(isAlive(readyLine(logs)!.pid)).toBe(false);
  });
});
