import {afterEach, describe, expect, it} from 'vitest';
import {machineZone} from '../../../daemon/scheduler/zone.js';
import {at, closeDaemons, Daemon, HOUR, MINUTE, schedule, world} from './harness.js';

afterEach(closeDaemons);

type World = ReturnType<typeof world>;

async function boot(shared: World, schedules: Record<string, Record<string, unknown>>): Promise<Daemon> {
  const daemon = new Daemon(shared.clock, shared.store, shared.runner);
  daemon.scheduler.setProjectSchedules('ops', Object.fromEntries(Object.entries(schedules).map(([name, table]) => [name, schedule(table)])));
  await daemon.scheduler.start();
  return daemon;
}

describe('pause and resume', () => {
  it('stop fires, survive a restart, and do not catch up what was missed while paused', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const first = await boot(shared, {sync: {cron: '* * * * *', overlap: 'allow'}});
    await first.scheduler.pause('ops', 'sync');
    await first.advanceInSteps(3 * MINUTE, MINUTE);
    expect(shared.runner.runs).toHaveLength(0);
    expect(shared.store.states.get('ops/sync')?.paused).toBe(true);
    await first.scheduler.close();

    shared.clock.advance(HOUR);
    const second = await boot(shared, {sync: {cron: '* * * * *', overlap: 'allow'}});
    expect(second.scheduler.list()[0]).toMatchObject({paused: true, nextFireAt: null});
    await second.advanceInSteps(2 * MINUTE, MINUTE);
    expect(shared.runner.runs).toHaveLength(0);

    await second.scheduler.resume('ops', 'sync');
    expect(second.scheduler.list()[0]).toMatchObject({paused: false, nextFireAt: at('2025-01-01T11:06:00Z')});
    await second.advance(MINUTE);
    expect(shared.runner.runs.map((run) => [new Date(run.meta.fireTime).toISOString(), run.meta.catchUp])).toEqual([['2025-01-01T11:06:00.000Z', false]]);
    expect([...first.eventTypes(), ...second.eventTypes()]).toEqual(['pause', 'resume', 'fire']);
  });

  it('a resumed schedule restarted later does not catch up its paused stretch', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const first = await boot(shared, {sync: {cron: '0 * * * *'}});
    await first.scheduler.pause('ops', 'sync');
    await first.advance(3 * HOUR);
    await first.scheduler.resume('ops', 'sync');
    await first.scheduler.close();
    shared.clock.advance(MINUTE);
    await (await boot(shared, {sync: {cron: '0 * * * *'}})).scheduler.idle();
    expect(shared.runner.runs).toHaveLength(0);
  });
});

describe('trigger', () => {
  it('submits a run now, marked manual, even while paused', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const daemon = await boot(shared, {sync: {cron: '0 3 * * *', input: {since: 'yesterday'}}});
    await daemon.scheduler.pause('ops', 'sync');
    await expect(daemon.scheduler.trigger('ops', 'sync')).resolves.toEqual({runId: 'run_1'});
    expect(shared.runner.runs[0]).toMatchObject({input: {since: 'yesterday'}, meta: {fireTime: at('2025-01-01T10:00:30Z'), manual: true, catchUp: false}});
    expect(daemon.scheduler.list()[0]?.lastRunId).toBe('run_1');
    expect(daemon.eventTypes()).toEqual(['pause', 'trigger']);
  });

  it('rejects with the submit error and records it', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    shared.runner.submit = async () => {
      throw new Error('no task "sync" in project "ops"');
    };
    const daemon = await boot(shared, {sync: {cron: '0 3 * * *'}});
    await expect(daemon.scheduler.trigger('ops', 'sync')).rejects.toThrow('no task "sync"');
    expect(daemon.events.at(-1)).toMatchObject({type: 'error', details: {message: 'no task "sync" in project "ops"'}});
  });
});

describe('a failing submit', () => {
  it('is recorded and the schedule keeps firing', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const submit = shared.runner.submit;
    shared.runner.submit = async () => {
      throw new Error('runner is shutting down');
    };
    const daemon = await boot(shared, {sync: {cron: '* * * * *'}});
    await daemon.advance(MINUTE);
    expect(daemon.events).toEqual([expect.objectContaining({type: 'error', details: {fireTime: at('2025-01-01T10:01:00Z'), message: 'runner is shutting down'}})]);
    shared.runner.submit = submit;
    await daemon.advance(MINUTE);
    expect(shared.runner.fireTimes()).toEqual(['2025-01-01T10:02:00.000Z']);
  });
});

describe('setProjectSchedules', () => {
  it('reschedules a changed schedule from its new definition', async () => {
    const shared = world('2025-01-01T10:01:00Z');
    const daemon = await boot(shared, {sync: {cron: '0 * * * *'}});
    expect(daemon.scheduler.list()[0]?.nextFireAt).toBe(at('2025-01-01T11:00:00Z'));
    daemon.scheduler.setProjectSchedules('ops', {sync: schedule({cron: '*/5 * * * *'})});
    expect(daemon.scheduler.list()[0]?.nextFireAt).toBe(at('2025-01-01T10:05:00Z'));
    await daemon.advance(4 * MINUTE);
    expect(shared.runner.fireTimes()).toEqual(['2025-01-01T10:05:00.000Z']);
    expect(shared.clock.pending).toBe(1);
  });

  it('leaves an unchanged schedule armed as it was', async () => {
    const shared = world('2025-01-01T10:01:00Z');
    const daemon = await boot(shared, {sync: {cron: '0 * * * *', jitter: '10m'}});
    const before = daemon.scheduler.list();
    daemon.scheduler.setProjectSchedules('ops', {sync: schedule({cron: '0 * * * *', jitter: '10m'})});
    expect(daemon.scheduler.list()).toEqual(before);
    expect(shared.clock.pending).toBe(1);
  });

  it('disarms a removed schedule and keeps its pause for when it comes back', async () => {
    const shared = world('2025-01-01T10:01:00Z');
    const daemon = await boot(shared, {sync: {cron: '* * * * *'}, digest: {cron: '0 * * * *'}});
    await daemon.scheduler.pause('ops', 'sync');
    daemon.scheduler.setProjectSchedules('ops', {digest: schedule({cron: '0 * * * *'})});
    expect(daemon.scheduler.list().map((row) => row.name)).toEqual(['digest']);
    daemon.scheduler.setProjectSchedules('ops', {digest: schedule({cron: '0 * * * *'}), sync: schedule({cron: '* * * * *'})});
    expect(daemon.scheduler.list().find((row) => row.name === 'sync')).toMatchObject({paused: true, nextFireAt: null});
  });

  it("lists one namespace's schedules, in order, and none of a project removed or emptied", async () => {
    const shared = world('2025-01-01T10:01:00Z');
    const daemon = await boot(shared, {sync: {cron: '* * * * *'}, digest: {cron: '0 * * * *'}});
    daemon.scheduler.setProjectSchedules('web', {purge: schedule({cron: '0 0 * * *'})});
    expect(daemon.scheduler.list('ops').map((row) => row.name)).toEqual(['digest', 'sync']);
    expect(daemon.scheduler.list('web').map((row) => row.name)).toEqual(['purge']);
    daemon.scheduler.setProjectSchedules('ops', {});
    expect(daemon.scheduler.list('ops')).toEqual([]);
    await daemon.scheduler.removeProject('web');
    expect(daemon.scheduler.list('web')).toEqual([]);
    daemon.scheduler.setProjectSchedules('web', {purge: schedule({cron: '0 0 * * *'})});
    expect(daemon.scheduler.list('web').map((row) => row.name)).toEqual(['purge']);
    expect(daemon.scheduler.list().map((row) => row.name)).toEqual(['purge']);
  });

  it('removeProject disarms every schedule of the project; forget also drops their state', async () => {
    const shared = world('2025-01-01T10:01:00Z');
    const daemon = await boot(shared, {sync: {cron: '* * * * *'}});
    daemon.scheduler.setProjectSchedules('web', {purge: schedule({cron: '0 0 * * *'})});
    await daemon.scheduler.removeProject('ops');
    expect(daemon.scheduler.list().map((row) => `${row.namespace}/${row.name}`)).toEqual(['web/purge']);
    expect(shared.store.states.has('ops/sync')).toBe(true);
    await daemon.scheduler.removeProject('web', {forget: true});
    expect(shared.store.states.has('web/purge')).toBe(false);
    expect(shared.clock.pending).toBe(0);
  });

  it('rejects an invalid cron without changing anything', async () => {
    const shared = world('2025-01-01T10:01:00Z');
    const daemon = await boot(shared, {sync: {cron: '* * * * *'}});
    const bad = {...schedule({cron: '* * * * *'}), cron: '* * *'};
    expect(() => daemon.scheduler.setProjectSchedules('ops', {digest: schedule({cron: '0 * * * *'}), broken: bad})).toThrow(/expected 5 fields/);
    expect(daemon.scheduler.list().map((row) => row.name)).toEqual(['sync']);
  });
});

describe('list and nextFires', () => {
  it('lists every schedule with its effective zone, state and next fire', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const daemon = await boot(shared, {
      sync: {cron: '* * * * *'},
      nightly: {task: 'build_report', cron: '0 3 * * *', timezone: 'Asia/Tokyo'},
      local: {cron: '0 3 * * *', timezone: null},
      off: {cron: '0 3 * * *', enabled: false},
    });
    await daemon.advance(MINUTE);
    expect(daemon.scheduler.list('ops')).toEqual([
      {namespace: 'ops', name: 'local', task: 'sync', cron: '0 3 * * *', timezone: machineZone(), nextFireAt: expect.any(Number), lastFireAt: null, lastRunId: null, paused: false, skipped: 0, enabled: true},
      {namespace: 'ops', name: 'nightly', task: 'build_report', cron: '0 3 * * *', timezone: 'Asia/Tokyo', nextFireAt: at('2025-01-01T18:00:00Z'), lastFireAt: null, lastRunId: null, paused: false, skipped: 0, enabled: true},
      {namespace: 'ops', name: 'off', task: 'sync', cron: '0 3 * * *', timezone: 'UTC', nextFireAt: null, lastFireAt: null, lastRunId: null, paused: false, skipped: 0, enabled: false},
      {namespace: 'ops', name: 'sync', task: 'sync', cron: '* * * * *', timezone: 'UTC', nextFireAt: at('2025-01-01T10:02:00Z'), lastFireAt: at('2025-01-01T10:01:00Z'), lastRunId: 'run_1', paused: false, skipped: 0, enabled: true},
    ]);
    expect(daemon.scheduler.list('elsewhere')).toEqual([]);
  });

  it('gives the next fire instants, bounded, and names a missing schedule', async () => {
    const shared = world('2025-01-01T10:00:30Z');
    const daemon = await boot(shared, {nightly: {cron: '0 3 * * *', timezone: 'Asia/Tokyo'}});
    expect(daemon.scheduler.nextFires('ops', 'nightly', 2)).toEqual([at('2025-01-01T18:00:00Z'), at('2025-01-02T18:00:00Z')]);
    expect(() => daemon.scheduler.nextFires('ops', 'nightly', 0)).toThrow(/expected a count of fires from 1 to 1000, got 0/);
    expect(() => daemon.scheduler.nextFires('ops', 'nigthly', 1)).toThrow('no schedule "ops/nigthly" (did you mean "ops/nightly"?)');
  });
});
