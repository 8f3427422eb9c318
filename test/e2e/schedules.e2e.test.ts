import {userInfo} from 'node:os';
import {describe, expect, it} from 'vitest';
import type {RunRecord} from '../../src/protocol/index.js';
import {TestHome, eachTestHome, waitFor} from '../helpers/cli.js';
import {PATIENCE, audit, auditOf, fireTimeOf, firesAfter, runs, schedule, scheduleProject, settledRuns} from './schedules.helpers.js';

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

async function addProject(name: string, toml: string): Promise<string> {
  const root = await scheduleProject(name, toml);
  home.removeOnCleanup(root);
  const added = await home.run(['project', 'add', root]);
  expect(added.code, added.stderr).toBe(0);
  return root;
}

const everySecond = (name: string, task = 'noop') => `[schedules.${name}]\ntask = "${task}"\ncron = "* * * * * *"\n`;
const machineZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const isWholeSecond = (iso: string | null) => iso !== null && Date.parse(iso) % 1000 === 0;

function runById(all: RunRecord[], id: string): RunRecord {
  const run = all.find((candidate) => candidate.id === id);
  if (!run) throw new Error(`capsule runs does not list ${id}`);
  return run;
}

describe('a per-second schedule on a real daemon', () => {
  it('fires a run for each whole second and reports it in schedules --json and the audit trail', {timeout: 60_000}, async () => {
    await addProject('tick', everySecond('every'));
    const fires = await waitFor(async () => {
      const found = await auditOf(home, 'tick/every', 'schedule.fire');
      return found.length >= 3 ? found : null;
    }, {...PATIENCE, what: 'three fires of tick/every'});

    const times = fires.map(fireTimeOf);
    for (const [index, time] of times.entries()) {
      expect(time % 1000).toBe(0);
      if (index > 0) expect(time).toBeGreaterThan(times[index - 1]!);
    }
    expect(fires.every((event) => event.actor === 'capsule' && event.details.catchUp === false)).toBe(true);

    const fired = fires.map((event) => event.details.runId as string);
    const finished = await waitFor(async () => {
      const all = await runs(home, 'tick/noop');
      return fired.every((id) => all.some((run) => run.id === id && run.status === 'succeeded')) ? all : null;
    }, {...PATIENCE, what: 'the fired runs to succeed'});
    for (const event of fires) {
      const run = runById(finished, event.details.runId as string);
      expect(run.input).toEqual({});
      // A run is never submitted before its instant.
      expect(Date.parse(run.createdAt)).toBeGreaterThanOrEqual(fireTimeOf(event));
    }

    const listed = await schedule(home, 'tick/every');
    expect(listed).toMatchObject({namespace: 'tick', name: 'every', task: 'noop', cron: '* * * * * *', timezone: machineZone, source: 'config', enabled: true, paused: false, overlap: 'skip', catchUp: 'latest'});
    expect(isWholeSecond(listed.nextFireAt) && isWholeSecond(listed.lastFireAt)).toBe(true);
    expect(Date.parse(listed.nextFireAt!)).toBeGreaterThan(Date.parse(listed.lastFireAt!));
    expect(Date.parse(listed.lastFireAt!)).toBeGreaterThanOrEqual(times.at(-1)!);
    expect(listed.lastRun?.id).toMatch(/^run_/);

    const next = await home.json<{timezone: string; fires: string[]}>(['schedule', 'next', 'tick/every', '-n', '3']);
    expect(next.timezone).toBe(machineZone);
    const upcoming = next.fires.map((fire) => Date.parse(fire));
    expect(upcoming).toHaveLength(3);
    expect(upcoming[0]! % 1000).toBe(0);
    expect([upcoming[1]! - upcoming[0]!, upcoming[2]! - upcoming[1]!]).toEqual([1000, 1000]);
  });

  it('says a schedule is already paused, or not paused, and exits 1: nothing was done', {timeout: 60_000}, async () => {
    await addProject('tick', everySecond('every'));
    expect((await home.run(['schedule', 'pause', 'tick/every'])).code).toBe(0);
    for (const args of [['schedule', 'pause', 'tick/every'], ['stop', 'tick/every']]) {
      const again = await home.run(args);
      expect(again.code, args.join(' ')).toBe(1);
      expect(again.stderr).toContain('tick/every is already paused');
    }
    expect((await home.run(['schedule', 'resume', 'tick/every'])).code).toBe(0);
    const resumeAgain = await home.run(['start', 'tick/every']);
    expect(resumeAgain.code).toBe(1);
    expect(resumeAgain.stderr).toContain('tick/every is not paused');
  });

  it('stops firing when paused, stays paused across a daemon restart, and fires again once resumed', {timeout: 60_000}, async () => {
    // tick/witness keeps firing: it tells the test that seconds went by without a guessed sleep.
    await addProject('tick', everySecond('every') + everySecond('witness'));
    await firesAfter(home, 'tick/every', '', 2);

    const paused = await home.json<{paused: boolean; nextFireAt: string | null}>(['schedule', 'pause', 'tick/every']);
    expect(paused).toMatchObject({paused: true, nextFireAt: null});
    const [pauseEvent] = await auditOf(home, 'tick/every', 'schedule.pause');
    const pausedAt = Date.parse(pauseEvent!.time);
    await firesAfter(home, 'tick/witness', pauseEvent!.time, 3);
    const firedWhilePaused = async () => (await auditOf(home, 'tick/every', 'schedule.fire')).filter((event) => fireTimeOf(event) > pausedAt);
    expect(await firedWhilePaused()).toEqual([]);

    expect((await home.run(['daemon', 'stop'])).code).toBe(0);
    expect((await home.run(['daemon', 'start'])).code).toBe(0);
    const restartedAt = new Date().toISOString();
    const afterRestart = await schedule(home, 'tick/every');
    expect(afterRestart).toMatchObject({paused: true, nextFireAt: null});
    expect((await home.run(['schedules', 'tick'])).stdout).toMatch(/tick\/every .* paused /);
    await firesAfter(home, 'tick/witness', restartedAt, 3);
    expect(await firedWhilePaused()).toEqual([]);

    const resumed = await home.run(['schedule', 'resume', 'tick/every']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^tick\/every resumed; next fire \d{4}-\d\d-\d\dT/);
    const [resumeEvent] = await auditOf(home, 'tick/every', 'schedule.resume');
    const afterResume = await firesAfter(home, 'tick/every', resumeEvent!.time, 2);
    expect(afterResume.every((event) => fireTimeOf(event) > pausedAt && event.details.catchUp === false)).toBe(true);
    expect((await schedule(home, 'tick/every')).paused).toBe(false);

    // Fires missed while paused are never caught up, not even by the restart.
    const kinds = (await audit(home, 'tick/every')).map((event) => event.kind);
    expect(kinds).not.toContain('schedule.catch-up');
    const user = userInfo().username;
    const trail = (await audit(home, 'tick/every')).filter((event) => event.kind.startsWith('schedule.pause') || event.kind.startsWith('schedule.resume'));
    expect(trail.map((event) => [event.kind, event.actor]).sort()).toEqual(
      [
        ['schedule.pause', 'capsule'],
        ['schedule.pause.requested', user],
        ['schedule.resume', 'capsule'],
        ['schedule.resume.requested', user],
      ].sort(),
    );
  });

  it('skips fires while the previous run is still going, records each skip, and never overlaps runs', {timeout: 60_000}, async () => {
    await addProject('lag', everySecond('busy', 'slow'));
    await waitFor(async () => (await auditOf(home, 'lag/busy', 'schedule.skip')).length >= 2, {...PATIENCE, what: 'two skipped fires'});
    // Paused, the counts stop moving and can be compared.
    expect((await home.run(['schedule', 'pause', 'lag/busy'])).code).toBe(0);

    const fires = await auditOf(home, 'lag/busy', 'schedule.fire');
    const skips = await auditOf(home, 'lag/busy', 'schedule.skip');
    const firedRuns = new Set(fires.map((event) => event.details.runId));
    for (const skip of skips) {
      expect(skip.details).toMatchObject({reason: 'overlap', catchUp: false});
      expect(firedRuns.has(skip.details.previousRunId)).toBe(true);
    }
    // Every second from the first fire to the last is accounted for, fired or skipped, once.
    const seconds = [...fires, ...skips].map(fireTimeOf).sort((a, b) => a - b);
    expect(seconds).toEqual(seconds.map((_, index) => seconds[0]! + index * 1000));

    const listed = await schedule(home, 'lag/busy');
    expect(listed.skipped).toBe(skips.length);
    expect(listed.lastRun?.id).toBe(fires.at(-1)!.details.runId);
    expect((await home.run(['schedules', 'lag'])).stdout).toMatch(new RegExp(`lag/busy .* ${skips.length} +slow`));
    expect((await home.run(['list', 'lag', '--tree'])).stdout).toContain(`${skips.length} skipped`);

    const all = (await settledRuns(home, 'lag/slow')).sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
    expect(all.map((run) => run.id).sort()).toEqual([...firedRuns].sort());
    for (let index = 1; index < all.length; index++) {
      expect(Date.parse(all[index]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(all[index - 1]!.finishedAt!));
    }
  });
});

describe('operating a schedule', () => {
  it('triggers with schedule trigger and capsule restart, pauses with capsule stop and resumes with capsule start', {timeout: 60_000}, async () => {
    await addProject('ops', '[schedules.daily]\ntask = "noop"\ncron = "0 3 * * *"\ntimezone = "Europe/Paris"\ninput = { id = 7 }\n');
    const user = userInfo().username;

    const triggered = await home.run(['schedule', 'trigger', 'ops/daily']);
    expect(triggered.code, triggered.stderr).toBe(0);
    const runId = /submitted (run_\S+)/.exec(triggered.stdout)?.[1];
    expect(runId).toBeDefined();
    await waitFor(async () => (await schedule(home, 'ops/daily')).lastRun?.status === 'succeeded', {...PATIENCE, what: 'the triggered run to succeed'});
    const listed = await schedule(home, 'ops/daily');
    expect(listed.lastRun).toEqual({id: runId, status: 'succeeded'});
    // A manual run is not a cron fire.
    expect(listed.lastFireAt).toBeNull();
    expect(runById(await runs(home, 'ops/noop'), runId!).input).toEqual({id: 7});

    const stopped = await home.json<{kind: string; message: string; runId: string | null}>(['stop', 'ops/daily']);
    expect(stopped).toEqual({kind: 'schedule', target: 'ops/daily', message: 'paused ops/daily', runId: null});
    expect(await schedule(home, 'ops/daily')).toMatchObject({paused: true, nextFireAt: null});

    const restarted = await home.json<{kind: string; runId: string | null}>(['restart', 'ops/daily']);
    expect(restarted.kind).toBe('schedule');
    expect(restarted.runId).toMatch(/^run_/);
    await waitFor(async () => {
      const {lastRun} = await schedule(home, 'ops/daily');
      return lastRun?.id === restarted.runId && lastRun?.status === 'succeeded';
    }, {...PATIENCE, what: 'the restarted run to succeed'});
    // Triggering a paused schedule runs it once and leaves it paused.
    expect((await schedule(home, 'ops/daily')).paused).toBe(true);

    const started = await home.run(['start', 'ops/daily']);
    expect(started.stdout).toContain('resumed ops/daily');
    const resumed = await schedule(home, 'ops/daily');
    expect(resumed.paused).toBe(false);
    expect(Date.parse(resumed.nextFireAt!)).toBeGreaterThan(Date.now());

    const trail = await audit(home, 'ops/daily');
    const triggers = trail.filter((event) => event.kind === 'schedule.trigger');
    expect(triggers.map((event) => event.details.runId)).toEqual([runId, restarted.runId]);
    expect(triggers.every((event) => event.actor === 'capsule' && typeof event.details.fireTime === 'number')).toBe(true);
    expect(trail.filter((event) => event.kind === 'schedule.trigger.requested').map((event) => [event.actor, event.details.runId])).toEqual([[user, runId]]);
    expect(trail.map((event) => event.kind).filter((kind) => kind === 'schedule.pause' || kind === 'schedule.resume')).toEqual(['schedule.pause', 'schedule.resume']);
    expect(trail.some((event) => event.kind === 'schedule.fire')).toBe(false);
  });

  it('prints the next fires in the schedule zone and in UTC', {timeout: 60_000}, async () => {
    await addProject('zoned', '[schedules.open]\ntask = "noop"\ncron = "30 9 * * 1-5"\ntimezone = "America/New_York"\n');
    const next = await home.json<{timezone: string; fires: string[]}>(['schedule', 'next', 'zoned/open', '-n', '3']);
    expect(next.timezone).toBe('America/New_York');
    expect(next.fires).toHaveLength(3);
    const newYork = new Intl.DateTimeFormat('en-US', {timeZone: 'America/New_York', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23'});
    const instants = next.fires.map((fire) => Date.parse(fire));
    expect(instants[0]).toBeGreaterThan(Date.now());
    for (const [index, instant] of instants.entries()) {
      expect(newYork.format(instant)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:30:00$/);
      // Consecutive weekday mornings: one day apart, three over a weekend, an hour either way for DST.
      if (index > 0) expect(instant - instants[index - 1]!).toBeGreaterThanOrEqual(23 * 3_600_000);
      if (index > 0) expect(instant - instants[index - 1]!).toBeLessThanOrEqual(3 * 24 * 3_600_000 + 3_600_000);
    }

    const text = await home.run(['schedule', 'next', 'zoned/open', '-n', '3']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const [index, line] of lines.entries()) {
      expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d 09:30:00 America/New_York +${next.fires[index]!.replace(/\./g, '\\.')}$`));
    }

    const typo = await home.run(['schedule', 'next', 'zoned/opne']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean "zoned/open"?');
  });
});
