import {afterEach, describe, expect, it} from 'vitest';
import {at, closeDaemons, Daemon, HOUR, MINUTE, schedule, world} from './harness.js';

afterEach(closeDaemons);

type World = ReturnType<typeof world>;

/** Starts a daemon lifetime over the shared world with one schedule, ops/sync. */
async function boot(shared: World, table: Record<string, unknown>): Promise<Daemon> {
  const daemon = new Daemon(shared.clock, shared.store, shared.runner);
  daemon.scheduler.setProjectSchedules('ops', {sync: schedule(table)});
  await daemon.scheduler.start();
  return daemon;
}

/** Runs a daemon until `downAt`, stops it, and leaves it down until `upAt`. */
async function downtime(shared: World, table: Record<string, unknown>, downAt: string, upAt: string): Promise<void> {
  const first = await boot(shared, table);
  await first.advanceInSteps(at(downAt) - shared.clock.now(), MINUTE);
  shared.runner.finishAll();
  await first.scheduler.close();
  shared.clock.advance(at(upAt) - shared.clock.now());
}

const catchUpRuns = (shared: World) => shared.runner.runs.filter((run) => run.meta.catchUp).map((run) => new Date(run.meta.fireTime).toISOString());

describe('catch-up after the daemon was down across three fires', () => {
  const perMinute = {cron: '* * * * *'};

  it('latest: one run, for the most recent missed fire', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    await downtime(shared, {...perMinute, catch_up: 'latest'}, '2025-01-01T10:01:30Z', '2025-01-01T10:04:30Z');
    const daemon = await boot(shared, {...perMinute, catch_up: 'latest'});
    await daemon.scheduler.idle();
    expect(catchUpRuns(shared)).toEqual(['2025-01-01T10:04:00.000Z']);
    expect(daemon.events.find((event) => event.type === 'catch-up')?.details).toEqual({
      policy: 'latest',
      missed: 3,
      moreMissed: false,
      fireTimes: [at('2025-01-01T10:04:00Z')],
    });
    shared.runner.finishAll();
    await daemon.advance(MINUTE);
    expect(shared.runner.fireTimes()).toEqual(['2025-01-01T10:01:00.000Z', '2025-01-01T10:04:00.000Z', '2025-01-01T10:05:00.000Z']);
  });

  it('all: one run per missed fire, submitted together despite overlap = "skip"', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    await downtime(shared, {...perMinute, catch_up: 'all'}, '2025-01-01T10:01:30Z', '2025-01-01T10:04:30Z');
    await (await boot(shared, {...perMinute, catch_up: 'all'})).scheduler.idle();
    expect(catchUpRuns(shared)).toEqual(['2025-01-01T10:02:00.000Z', '2025-01-01T10:03:00.000Z', '2025-01-01T10:04:00.000Z']);
  });

  it('none: no run for the missed fires; the next fire runs as usual', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    await downtime(shared, {...perMinute, catch_up: 'none'}, '2025-01-01T10:01:30Z', '2025-01-01T10:04:30Z');
    const daemon = await boot(shared, {...perMinute, catch_up: 'none'});
    await daemon.advance(MINUTE);
    expect(shared.runner.runs.map((run) => [new Date(run.meta.fireTime).toISOString(), run.meta.catchUp])).toEqual([
      ['2025-01-01T10:01:00.000Z', false],
      ['2025-01-01T10:05:00.000Z', false],
    ]);
    expect(daemon.events[0]).toMatchObject({type: 'catch-up', details: {policy: 'none', missed: 3, fireTimes: []}});
  });

  it('skips the whole catch-up when the run from before the downtime is still going (overlap = "skip")', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const first = await boot(shared, {...perMinute, catch_up: 'all'});
    await first.advance(MINUTE);
    await first.scheduler.close();
    shared.clock.advance(3 * MINUTE);
    const daemon = await boot(shared, {...perMinute, catch_up: 'all'});
    await daemon.scheduler.idle();
    expect(catchUpRuns(shared)).toEqual([]);
    expect(daemon.scheduler.list()[0]?.skipped).toBe(3);
  });
});

describe('catch-up window and cap', () => {
  it('counts only fires inside catch_up_window', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    await downtime(shared, {cron: '* * * * *', catch_up: 'all', catch_up_window: '5m'}, '2025-01-01T10:01:30Z', '2025-01-01T10:11:30Z');
    await (await boot(shared, {cron: '* * * * *', catch_up: 'all', catch_up_window: '5m'})).scheduler.idle();
    expect(catchUpRuns(shared)).toEqual(['07', '08', '09', '10', '11'].map((minute) => `2025-01-01T10:${minute}:00.000Z`));
  });

  it('latest: a missed fire older than the window is not run', async () => {
    const narrow = world('2025-01-01T01:00:00Z');
    await downtime(narrow, {cron: '0 3 * * *', catch_up_window: '1h'}, '2025-01-01T02:00:00Z', '2025-01-01T05:00:00Z');
    await (await boot(narrow, {cron: '0 3 * * *', catch_up_window: '1h'})).scheduler.idle();
    expect(catchUpRuns(narrow)).toEqual([]);

    const wide = world('2025-01-01T01:00:00Z');
    await downtime(wide, {cron: '0 3 * * *', catch_up_window: '3h'}, '2025-01-01T02:00:00Z', '2025-01-01T05:00:00Z');
    await (await boot(wide, {cron: '0 3 * * *', catch_up_window: '3h'})).scheduler.idle();
    expect(catchUpRuns(wide)).toEqual(['2025-01-01T03:00:00.000Z']);
  });

  it('all: at most 100 runs, the most recent, after 10 minutes of a per-second schedule', async () => {
    const shared = world('2025-01-01T10:00:00.500Z');
    const table = {cron: '* * * * * *', catch_up: 'all', overlap: 'allow'};
    const first = await boot(shared, table);
    await first.scheduler.close();
    shared.clock.advance(10 * MINUTE);
    const daemon = await boot(shared, table);
    await daemon.scheduler.idle();
    const fires = catchUpRuns(shared);
    expect(fires).toHaveLength(100);
    expect([fires[0], fires[99]]).toEqual(['2025-01-01T10:08:21.000Z', '2025-01-01T10:10:00.000Z']);
    expect(daemon.events[0]?.details).toMatchObject({missed: 100, moreMissed: true});
  });
});

describe('restart', () => {
  it('neither repeats a fire that ran nor loses the next one', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const first = await boot(shared, {cron: '* * * * *', overlap: 'allow'});
    await first.advance(MINUTE);
    await first.scheduler.close();
    shared.clock.advance(15_000);
    const second = await boot(shared, {cron: '* * * * *', overlap: 'allow'});
    await second.advanceInSteps(2 * MINUTE, 15_000);
    expect(shared.runner.fireTimes()).toEqual(['2025-01-01T10:01:00.000Z', '2025-01-01T10:02:00.000Z', '2025-01-01T10:03:00.000Z']);
    expect(catchUpRuns(shared)).toEqual([]);
  });

  it('persists the fire instant before submitting its run, as pending until the run is made', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const daemon = await boot(shared, {cron: '* * * * *'});
    await daemon.advance(MINUTE);
    expect(shared.runner.runs[0]?.persisted).toMatchObject({lastFireAt: at('2025-01-01T10:01:00Z'), settledUntil: at('2025-01-01T10:01:00Z'), pendingFires: [at('2025-01-01T10:01:00Z')]});
    expect(shared.store.states.get('ops/sync')?.pendingFires).toEqual([]);
  });

  // A kill -9 while a fire is submitted leaves the state its submit saw; the run may or may not have been made.
  describe.each([
    ['before its run was made', false],
    ['after its run was made', true],
  ])('a daemon killed while submitting a fire, %s', (_, made) => {
    it('has the fire submitted at the next start exactly once', async () => {
      const shared = world('2025-01-01T10:00:30Z');
      const first = await boot(shared, {cron: '* * * * *', overlap: 'allow'});
      await first.advance(MINUTE);
      await first.scheduler.close();
      const [cutOff] = shared.runner.runs;
      shared.store.states.set('ops/sync', cutOff!.persisted!);
      if (!made) shared.runner.runs.length = 0;
      shared.clock.advance(10_000);
      const second = await boot(shared, {cron: '* * * * *', overlap: 'allow'});
      await second.scheduler.idle();
      expect(shared.runner.fireTimes()).toEqual(['2025-01-01T10:01:00.000Z']);
      expect(second.events.filter((event) => event.type === 'fire').map((event) => event.details)).toEqual([
        {fireTime: at('2025-01-01T10:01:00Z'), runId: shared.runner.runs[0]!.runId, catchUp: true, ...(made ? {recovered: true} : {})},
      ]);
      expect(shared.store.states.get('ops/sync')?.pendingFires).toEqual([]);
      await second.advance(MINUTE);
      expect(shared.runner.fireTimes()).toEqual(['2025-01-01T10:01:00.000Z', '2025-01-01T10:02:00.000Z']);
    });
  });

  it('catches up the first fire of a schedule that has never fired', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    await downtime(shared, {cron: '0 * * * *'}, '2025-01-01T10:00:30Z', '2025-01-01T11:10:00Z');
    await (await boot(shared, {cron: '0 * * * *'})).scheduler.idle();
    expect(catchUpRuns(shared)).toEqual(['2025-01-01T11:00:00.000Z']);
  });

  it('a clock behind the last persisted fire (set back while down) does not fire it again', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const first = await boot(shared, {cron: '* * * * *', overlap: 'allow'});
    await first.advance(MINUTE);
    await first.scheduler.close();
    shared.clock.jump(-HOUR);
    const second = await boot(shared, {cron: '* * * * *', overlap: 'allow'});
    await second.advanceInSteps(HOUR + MINUTE, MINUTE);
    expect(shared.runner.fireTimes()).toEqual(['2025-01-01T10:01:00.000Z', '2025-01-01T10:02:00.000Z']);
  });
});
