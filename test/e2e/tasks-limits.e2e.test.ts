// Limits and cancellation with real workers: each run is stopped by the daemon, recorded with the
// right error type, and the daemon keeps serving runs afterwards.
import {describe, expect, it} from 'vitest';
import {TestHome, eachTestHome, collect, waitFor} from '../helpers/cli.js';
import {SLOW, runAttached, show, startWithProject, submit, waitForFinal, waitForLog} from './tasks-helpers.js';

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

/** The daemon still runs tasks: nothing a stopped run did took it down. */
async function expectStillServing(): Promise<void> {
  const {result, run} = await runAttached(home, 'e2e/hello', {name: 'after'});
  expect(result.code, result.stderr).toBe(0);
  expect(run.result).toEqual({greeting: 'Hello, after!'});
}

describe('limits', SLOW, () => {
  it('stops a busy loop at its timeout', async () => {
    await startWithProject(home);
    const {result, run} = await runAttached(home, 'e2e/busyLoop');
    expect(result.code).toBe(1);
    expect(run).toMatchObject({status: 'failed', error: {type: 'timeout', message: 'the attempt ran longer than its timeout of 1s'}});
    await expectStillServing();
  });

  it.each(['heapBomb', 'bufferBomb'])('stops a %s in process isolation as out_of_memory', async (bomb) => {
    await startWithProject(home);
    const {result, run} = await runAttached(home, `e2e/${bomb}`);
    expect(result.code).toBe(1);
    expect(run.status).toBe('failed');
    expect(run.error?.type).toBe('out_of_memory');
    expect(run.error?.message).toContain('128MB');
    expect(run.peakMemoryMb).toBeGreaterThan(100);
    await expectStillServing();
  });

  it('stops thread Buffer bombs, in a loop that never yields and in one that awaits, as out_of_memory, and the daemon gets the memory back', async () => {
    await startWithProject(home);
    const rss = async () => (await home.json<{rssBytes: number}>(['daemon', 'status'])).rssBytes;
    const before = await rss();
    for (const bomb of ['threadBufferBomb', 'threadBufferBombAwaiting', 'threadBufferBomb']) {
      const {result, run} = await runAttached(home, `e2e/${bomb}`);
      expect(result.code).toBe(1);
      expect(run.status).toBe('failed');
      expect(run.error?.type).toBe('out_of_memory');
      expect(run.error?.message).toMatch(/^the attempt used .+ of memory, over its limit of 128MB$/);
      expect(run.peakMemoryMb).toBeGreaterThanOrEqual(128);
      // The thread was stopped, so the Buffers it had filled (over 128MB) left the daemon's resident set.
      await waitFor(async () => (await rss()) < before + 48 * 1024 * 1024, {timeoutMs: 10_000, intervalMs: 200, what: `the daemon's RSS to fall back after ${bomb}`});
    }
    await expectStillServing();
  });

  it('counts the Buffers a thread holds in its peak memory', async () => {
    await startWithProject(home);
    const {result, run} = await runAttached(home, 'e2e/holdsBuffers');
    expect(result.code, result.stderr).toBe(0);
    expect(run).toMatchObject({status: 'succeeded', result: 40});
    expect(run.peakMemoryMb).toBeGreaterThanOrEqual(40);
    expect(run.peakMemoryMb).toBeLessThan(128);
  });

  it.each(['cpuHog', 'cpuHogProcess'])('stops %s when its CPU budget is spent, recording the CPU used', async (task) => {
    await startWithProject(home);
    const {result, run} = await runAttached(home, `e2e/${task}`);
    expect(result.code).toBe(1);
    expect(run).toMatchObject({status: 'failed', error: {type: 'compute_exhausted'}});
    expect(run.error?.message).toContain('over its CPU budget of 500ms');
    expect(run.cpuMs).toBeGreaterThanOrEqual(500);
    await expectStillServing();
  });
});

describe('cancellation', SLOW, () => {
  it('cancels a running run with capsule cancel', async () => {
    await startWithProject(home);
    const runId = await submit(home, 'e2e/waits');
    await waitForLog(home, runId, 'ready');
    expect((await show(home, runId)).status).toBe('running');
    const cancel = await home.run(['cancel', runId]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout.trim()).toBe(`${runId} cancelled`);
    const run = await show(home, runId);
    expect(run).toMatchObject({status: 'cancelled', error: {type: 'cancelled'}});
    expect(run.attempts).toHaveLength(1);
    // What the task logged while it stopped is kept.
    expect((await home.run(['logs', runId])).stdout).toContain('stopping');
    await expectStillServing();
  });

  it('refuses to cancel a run that already ended, says how and when, and exits 1', async () => {
    await startWithProject(home);
    const waiting = await submit(home, 'e2e/waits');
    await waitForLog(home, waiting, 'ready');
    expect((await home.run(['cancel', waiting])).code).toBe(0);
    const cancelledAt = (await show(home, waiting)).finishedAt!.replace('T', ' ').slice(0, 19);
    for (const verb of ['cancel', 'stop']) {
      const again = await home.run([verb, waiting]);
      expect(again.code, `${verb}: ${again.stdout}`).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toContain(`run ${waiting} was already cancelled at ${cancelledAt} UTC`);
    }

    const {run: done} = await runAttached(home, 'e2e/hello', {name: 'done'});
    const late = await home.run(['cancel', done.id]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(`run ${done.id} already succeeded at ${done.finishedAt!.replace('T', ' ').slice(0, 19)} UTC; nothing to cancel`);
    expect(late.stderr).toContain(`capsule restart ${done.id}`);
    const json = await home.run(['cancel', done.id, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'conflict'}});
    // `show --json` is the record plus its steps (none here).
    expect(await show(home, done.id)).toEqual({...done, steps: []});
  });

  it('cancels the run when an attached capsule run gets SIGINT (Ctrl-C)', async () => {
    await startWithProject(home);
    const attached = home.spawn(['run', 'e2e/waits']);
    const output = collect(attached);
    await waitFor(() => output.stdout.includes('ready'), {timeoutMs: 20_000, what: 'the attached run to log ready'});
    attached.kill('SIGINT');
    const code = await output.closed;
    expect(code).toBe(1);
    const runId = /(run_\S+) queued/.exec(output.stderr)?.[1];
    expect(output.stderr).toContain(`cancelling ${runId}`);
    expect(output.stdout).toMatch(/⊘ e2e\/waits run_\S+ cancelled/);
    expect(await show(home, runId!)).toMatchObject({status: 'cancelled', error: {type: 'cancelled'}});
  });

  it('cancels a queued run before it starts', async () => {
    await startWithProject(home, {CAPSULE_MAX_PARALLEL: '1'});
    const blocker = await submit(home, 'e2e/waits');
    await waitForLog(home, blocker, 'ready');
    const queued = await submit(home, 'e2e/hello');
    expect((await show(home, queued)).status).toBe('queued');
    expect((await home.run(['stop', queued])).code).toBe(0);
    const run = await waitForFinal(home, queued);
    expect(run).toMatchObject({status: 'cancelled', attempts: []});
    expect((await home.run(['cancel', blocker])).code).toBe(0);
  });
});
