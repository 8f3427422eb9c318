import {afterEach, describe, expect, it} from 'vitest';
import {closeDaemons, Daemon, MINUTE, schedule, world} from './harness.js';

afterEach(closeDaemons);

/** A per-minute schedule whose runs never finish unless the test says so. */
async function everyMinute(overlap: string) {
  const {clock, store, runner} = world('2025-01-01T09:59:30Z');
  const daemon = new Daemon(clock, store, runner);
  daemon.scheduler.setProjectSchedules('ops', {sync: schedule({cron: '* * * * *', overlap})});
  await daemon.scheduler.start();
  return daemon;
}

describe('overlap', () => {
  it('skip: fires while the previous run is queued or running are skipped and counted', async () => {
    const daemon = await everyMinute('skip');
    await daemon.advanceInSteps(3 * MINUTE, MINUTE);
    expect(daemon.runner.fireTimes()).toEqual(['2025-01-01T10:00:00.000Z']);
    daemon.runner.statuses.set('run_1', 'running');
    await daemon.advance(MINUTE);
    expect(daemon.runner.runs).toHaveLength(1);
    expect(daemon.scheduler.list()[0]).toMatchObject({skipped: 3, lastRunId: 'run_1', lastFireAt: Date.parse('2025-01-01T10:03:00Z')});
    expect(daemon.events.filter((event) => event.type === 'skip').map((event) => event.details)).toEqual([
      {fireTime: Date.parse('2025-01-01T10:01:00Z'), reason: 'overlap', previousRunId: 'run_1', catchUp: false},
      {fireTime: Date.parse('2025-01-01T10:02:00Z'), reason: 'overlap', previousRunId: 'run_1', catchUp: false},
      {fireTime: Date.parse('2025-01-01T10:03:00Z'), reason: 'overlap', previousRunId: 'run_1', catchUp: false},
    ]);
    expect(daemon.store.states.get('ops/sync')?.skippedCount).toBe(3);

    daemon.runner.finishAll();
    await daemon.advance(MINUTE);
    expect(daemon.runner.fireTimes()).toEqual(['2025-01-01T10:00:00.000Z', '2025-01-01T10:04:00.000Z']);
  });

  it('queue: one fire waits for the previous run and goes when it finishes; further fires are skipped', async () => {
    const daemon = await everyMinute('queue');
    await daemon.advanceInSteps(3 * MINUTE, MINUTE);
    expect(daemon.runner.fireTimes()).toEqual(['2025-01-01T10:00:00.000Z']);
    expect(daemon.eventTypes()).toEqual(['fire', 'queue', 'skip']);
    expect(daemon.store.states.get('ops/sync')?.queuedFireAt).toBe(Date.parse('2025-01-01T10:01:00Z'));

    for (const runId of daemon.runner.finishAll()) daemon.scheduler.runFinished(runId);
    await daemon.scheduler.idle();
    expect(daemon.runner.fireTimes()).toEqual(['2025-01-01T10:00:00.000Z', '2025-01-01T10:01:00.000Z']);
    expect(daemon.store.states.get('ops/sync')).toMatchObject({queuedFireAt: null, lastRunId: 'run_2', skippedCount: 1});
  });

  it('queue: a missed finish notice is made up for at the next fire', async () => {
    const daemon = await everyMinute('queue');
    await daemon.advanceInSteps(2 * MINUTE, MINUTE);
    daemon.runner.finishAll();
    await daemon.advance(MINUTE);
    // The waiting 10:01 goes first; 10:02 then waits behind it.
    expect(daemon.runner.fireTimes()).toEqual(['2025-01-01T10:00:00.000Z', '2025-01-01T10:01:00.000Z']);
    expect(daemon.store.states.get('ops/sync')?.queuedFireAt).toBe(Date.parse('2025-01-01T10:02:00Z'));
  });

  it('allow: every fire submits a run', async () => {
    const daemon = await everyMinute('allow');
    await daemon.advanceInSteps(3 * MINUTE, MINUTE);
    expect(daemon.runner.fireTimes()).toEqual(['2025-01-01T10:00:00.000Z', '2025-01-01T10:01:00.000Z', '2025-01-01T10:02:00.000Z']);
    expect(daemon.scheduler.list()[0]?.skipped).toBe(0);
  });
});
