import {afterEach, describe, expect, it} from 'vitest';
import {at, closeDaemons, Daemon, DAY, HOUR, MINUTE, schedule, world} from './harness.js';

afterEach(closeDaemons);

async function started(startIso: string, table: Record<string, unknown>, random?: () => number) {
  const {clock, store, runner} = world(startIso);
  const daemon = new Daemon(clock, store, runner, random);
  daemon.scheduler.setProjectSchedules('reports', {nightly: schedule(table)});
  await daemon.scheduler.start();
  return daemon;
}

describe('firing on time', () => {
  it('submits at the cron instant, not a millisecond before, with the fire meta', async () => {
    const daemon = await started('2025-01-01T02:59:00Z', {cron: '0 3 * * *', input: {full: true}});
    await daemon.advance(MINUTE - 1);
    expect(daemon.runner.runs).toHaveLength(0);
    await daemon.advance(1);
    expect(daemon.runner.runs).toEqual([
      expect.objectContaining({
        namespace: 'reports',
        task: 'sync',
        input: {full: true},
        submittedAt: at('2025-01-01T03:00:00Z'),
        meta: {schedule: 'reports/nightly', fireTime: at('2025-01-01T03:00:00Z'), catchUp: false, manual: false},
      }),
    ]);
    expect(daemon.events.map((event) => [event.type, event.schedule, event.details.runId])).toEqual([['fire', 'reports/nightly', 'run_1']]);
  });

  it('waits 31 days (beyond setTimeout’s 24.8) and fires exactly once at the instant', async () => {
    const daemon = await started('2025-01-01T00:00:00Z', {cron: '0 0 1 * *'});
    await daemon.advance(31 * DAY - 1);
    expect(daemon.runner.runs).toHaveLength(0);
    await daemon.advance(1);
    expect(daemon.runner.runs.map((run) => run.submittedAt)).toEqual([at('2025-02-01T00:00:00Z')]);
    await daemon.advance(27 * DAY);
    expect(daemon.runner.fireTimes()).toEqual(['2025-02-01T00:00:00.000Z']);
    expect(daemon.clock.pending).toBe(1);
  });

  it('fires every minute of a day without drift', async () => {
    const daemon = await started('2025-01-01T00:00:00Z', {cron: '* * * * *', overlap: 'allow'});
    await daemon.advanceInSteps(DAY, MINUTE);
    expect(daemon.runner.runs).toHaveLength(1440);
    expect(daemon.runner.runs.every((run) => run.meta.fireTime === run.submittedAt && run.submittedAt % MINUTE === 0)).toBe(true);
  });
});

describe('jitter', () => {
  it('delays the run by random × jitter and keeps the cron instant as fireTime', async () => {
    const daemon = await started('2025-01-01T02:59:00Z', {cron: '0 3 * * *', jitter: '30s'}, () => 0.5);
    await daemon.advance(MINUTE + 15_000 - 1);
    expect(daemon.runner.runs).toHaveLength(0);
    await daemon.advance(1);
    expect(daemon.runner.runs.map((run) => [run.submittedAt, run.meta.fireTime])).toEqual([[at('2025-01-01T03:00:15Z'), at('2025-01-01T03:00:00Z')]]);
  });

  it('stays within [0, jitter] for the extremes of random', async () => {
    const low = await started('2025-01-01T02:59:00Z', {cron: '0 3 * * *', jitter: '30s'}, () => 0);
    const high = await started('2025-01-01T02:59:00Z', {cron: '0 3 * * *', jitter: '30s'}, () => 0.999_999_9);
    await low.advanceInSteps(2 * MINUTE, 1_000);
    await high.advanceInSteps(2 * MINUTE, 1_000);
    expect(low.runner.runs.map((run) => run.submittedAt)).toEqual([at('2025-01-01T03:00:00Z')]);
    expect(high.runner.runs.map((run) => run.submittedAt)).toEqual([at('2025-01-01T03:00:30Z')]);
  });
});

describe('wall-clock jumps', () => {
  it('a jump forward of an hour becomes one catch-up run, not a burst, and the rhythm resumes', async () => {
    const daemon = await started('2025-01-01T10:00:30Z', {cron: '* * * * *', overlap: 'allow'});
    daemon.clock.jump(HOUR);
    await daemon.advance(MINUTE);
    expect(daemon.runner.runs.map((run) => [new Date(run.meta.fireTime).toISOString(), run.meta.catchUp])).toEqual([['2025-01-01T11:01:00.000Z', true]]);
    expect(daemon.events.find((event) => event.type === 'catch-up')?.details).toMatchObject({policy: 'latest', missed: 61});
    await daemon.advance(2 * MINUTE);
    expect(daemon.runner.fireTimes().slice(1)).toEqual(['2025-01-01T11:02:00.000Z', '2025-01-01T11:03:00.000Z']);
  });

  it('a jump forward before the fire is due just fires on time', async () => {
    const daemon = await started('2025-01-01T02:00:00Z', {cron: '0 3 * * *'});
    daemon.clock.jump(30 * MINUTE);
    await daemon.advance(30 * MINUTE);
    expect(daemon.runner.runs.map((run) => [run.submittedAt, run.meta.catchUp])).toEqual([[at('2025-01-01T03:00:00Z'), false]]);
  });

  it('a jump backward does not fire the same instant twice', async () => {
    const daemon = await started('2025-01-01T09:59:30Z', {cron: '* * * * *', overlap: 'allow'});
    await daemon.advance(MINUTE);
    expect(daemon.runner.fireTimes()).toEqual(['2025-01-01T10:00:00.000Z']);
    daemon.clock.jump(-30 * MINUTE);
    await daemon.advance(31 * MINUTE);
    expect(daemon.runner.fireTimes()).toEqual(['2025-01-01T10:00:00.000Z', '2025-01-01T10:01:00.000Z']);
  });
});
