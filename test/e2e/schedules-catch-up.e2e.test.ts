import {describe, expect, it} from 'vitest';
import {TestHome, waitFor} from '../helpers/cli.js';
import {PATIENCE, auditOf, fireTimeOf, schedule, scheduleProject, settledRuns} from './schedules.helpers.js';

/** Time for `project add` and `daemon stop` before the first of the three fires. */
const LEAD_MS = 8_000;

/**
 * The daemon is down across exactly three fires: the cron fires at three consecutive seconds a
 * few seconds from now and not again for a minute, so start-up time cannot add missed fires.
 * Most of each test is waiting for those seconds: the three policies wait side by side, each with
 * a home of its own.
 */
describe.concurrent('after the daemon was down across three fires', () => {
  it.each([
    ['none', 0],
    ['latest', 1],
    ['all', 3],
  ] as const)('catch_up = "%s" submits %i catch-up run(s), once', {timeout: 60_000}, async (policy, expected) => {
    const home = await TestHome.create();
    try {
      await caughtUp(home, policy, expected);
    } finally {
      await home.cleanup();
    }
  });
});

async function caughtUp(home: TestHome, policy: string, expected: number): Promise<void> {
  expect((await home.run(['daemon', 'start'])).code).toBe(0);
  const first = Math.ceil(Date.now() / 1000) * 1000 + LEAD_MS;
  const missed = [first, first + 1000, first + 2000];
  const seconds = missed.map((instant) => new Date(instant).getUTCSeconds()).join(',');
  const root = await scheduleProject('down', `[schedules.three]\ntask = "noop"\ncron = "${seconds} * * * * *"\ntimezone = "UTC"\ncatch_up = "${policy}"\n`);
  home.removeOnCleanup(root);
  expect((await home.run(['project', 'add', root])).code).toBe(0);
  expect((await home.run(['daemon', 'stop'])).code).toBe(0);
  if (Date.now() >= first) throw new Error(`the machine took over ${LEAD_MS}ms to add a project and stop the daemon; the test needs the daemon down before the first fire`);

  await waitFor(() => Date.now() > missed[2]! + 200, {timeoutMs: LEAD_MS + 5_000, intervalMs: 100, what: 'the third fire to pass'});
  expect((await home.run(['daemon', 'start'])).code).toBe(0);

  const [catchUp] = await waitFor(async () => {
    const events = await auditOf(home, 'down/three', 'schedule.catch-up');
    return events.length > 0 ? events : null;
  }, {...PATIENCE, what: 'the catch-up audit event'});
  expect(catchUp!.details).toEqual({policy, missed: 3, moreMissed: false, fireTimes: missed.slice(3 - expected)});

  const fires = await waitFor(async () => {
    const events = await auditOf(home, 'down/three', 'schedule.fire');
    return events.length >= expected ? events : null;
  }, {...PATIENCE, what: `${expected} catch-up fires`});
  expect(fires.map((event) => [fireTimeOf(event), event.details.catchUp])).toEqual(missed.slice(3 - expected).map((instant) => [instant, true]));
  const runs = await settledRuns(home, 'down/noop');
  expect(runs.map((run) => run.id).sort()).toEqual(fires.map((event) => event.details.runId).sort());
  expect(runs.every((run) => run.status === 'succeeded')).toBe(true);

  const listed = await schedule(home, 'down/three');
  expect(listed.lastFireAt).toBe(expected === 0 ? null : new Date(missed[2]!).toISOString());
  expect(Date.parse(listed.nextFireAt!)).toBe(first + 60_000);

  // The catch-up is persisted: another restart neither repeats it nor loses track.
  expect((await home.run(['daemon', 'restart'])).code).toBe(0);
  await schedule(home, 'down/three');
  expect(await auditOf(home, 'down/three', 'schedule.catch-up')).toHaveLength(1);
  expect(await auditOf(home, 'down/three', 'schedule.fire')).toHaveLength(expected);
  expect((await settledRuns(home, 'down/noop')).length).toBe(expected);
}
