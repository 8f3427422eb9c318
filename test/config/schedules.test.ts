import {describe, expect, it} from 'vitest';
import {cronProblem, scheduleFromTask, scheduleSchema} from '../../src/config/schedules.js';
import {CapsuleError} from '../../src/lib/errors.js';

const issuesOf = (table: unknown) => {
  const result = scheduleSchema.safeParse(table);
  expect(result.success).toBe(false);
  return result.error!.issues.map((issue) => ({path: issue.path, message: issue.message, code: issue.code}));
};

describe('scheduleSchema ([schedules.NAME] in capsule.toml)', () => {
  it('fills in the defaults and normalises to camelCase milliseconds', () => {
    expect(scheduleSchema.parse({task: 'build_report', cron: ' 0 3 * * * '})).toEqual({
      task: 'build_report',
      cron: '0 3 * * *',
      timezone: null,
      input: {},
      overlap: 'skip',
      catchUp: 'latest',
      catchUpWindowMs: 3_600_000,
      jitterMs: 0,
      enabled: true,
    });
  });

  it('takes every key', () => {
    expect(
      scheduleSchema.parse({
        task: 'sync',
        cron: '*/10 * * * * *',
        timezone: 'america/new_york',
        input: {full: true},
        overlap: 'queue',
        catch_up: 'all',
        catch_up_window: '2h30m',
        jitter: '45s',
        enabled: false,
      }),
    ).toEqual({
      task: 'sync',
      cron: '*/10 * * * * *',
      timezone: 'America/New_York',
      input: {full: true},
      overlap: 'queue',
      catchUp: 'all',
      catchUpWindowMs: 9_000_000,
      jitterMs: 45_000,
      enabled: false,
    });
  });

  it('reports a bad cron on the cron key, saying what was expected and what was got', () => {
    expect(issuesOf({task: 'sync', cron: '0 25 * * *'})).toEqual([
      {path: ['cron'], code: 'custom', message: 'invalid cron expression "0 25 * * *": Constraint error, got value 25 expected range 0-23'},
    ]);
    expect(issuesOf({task: 'sync', cron: '0 3 * *'})[0]?.message).toBe(
      'invalid cron expression: expected 5 fields (minute hour day month weekday) or 6 with seconds first, got 4 in "0 3 * *"',
    );
    expect(issuesOf({task: 'sync', cron: '@dayly'})[0]?.message).toMatch(/expected one of @yearly, .*got "@dayly" \(did you mean "@daily"\?\)/);
  });

  it('reports an unknown zone on the timezone key with a suggestion', () => {
    expect(issuesOf({task: 'sync', cron: '0 3 * * *', timezone: 'Europe/Londn'})).toEqual([
      {path: ['timezone'], code: 'custom', message: 'unknown time zone: expected an IANA name like "Europe/Paris" or "UTC", got "Europe/Londn" (did you mean "Europe/London"?)'},
    ]);
  });

  it('rejects unknown keys so the config layer can suggest the right one', () => {
    expect(issuesOf({task: 'sync', cron: '0 3 * * *', catchup: 'all'})).toEqual([{path: [], code: 'unrecognized_keys', message: 'Unrecognized key: "catchup"'}]);
  });

  it('rejects bad policies and durations on their keys', () => {
    expect(issuesOf({task: 'sync', cron: '0 3 * * *', overlap: 'wait', jitter: 'soon'}).map((issue) => issue.path)).toEqual([['overlap'], ['jitter']]);
    expect(issuesOf({task: 'sync', cron: '0 3 * * *', jitter: 'soon'})[0]?.message).toMatch(/invalid jitter: expected a duration like "500ms"/);
  });
});

describe('cronProblem', () => {
  it('accepts five fields, six with seconds, and the @ shorthands', () => {
    for (const expression of ['0 3 * * *', '*/5 * * * * *', '@hourly', '@weekdays', '0 9 * * MON-FRI', '0 0 L * *']) expect(cronProblem(expression)).toBeUndefined();
  });

  it('refuses the short forms cron-parser would quietly pad', () => {
    expect(cronProblem('')).toMatch(/got 0 in ""/);
    expect(cronProblem('* * *')).toMatch(/got 3 in/);
  });
});

describe('scheduleFromTask (task({schedule}) in code)', () => {
  it('turns a cron string into the same config as a capsule.toml table, named after the task', () => {
    expect(scheduleFromTask('build_report', '0 3 * * *')).toEqual({
      name: 'build_report',
      schedule: scheduleSchema.parse({task: 'build_report', cron: '0 3 * * *'}),
    });
  });

  it('takes the object form with camelCase keys and an optional name', () => {
    const fromCode = scheduleFromTask('build_report', {
      name: 'nightly',
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      catchUp: 'all',
      catchUpWindow: '6h',
      jitter: '1m',
      input: {id: 7},
    });
    const fromToml = scheduleSchema.parse({task: 'build_report', cron: '0 3 * * *', timezone: 'Europe/Paris', catch_up: 'all', catch_up_window: '6h', jitter: '1m', input: {id: 7}});
    expect(fromCode).toEqual({name: 'nightly', schedule: fromToml});
  });

  it('throws config_invalid naming the task, the key and a suggestion', () => {
    let caught: unknown;
    try {
      scheduleFromTask('build_report', {cron: '0 3 * * *', catch_up: 'all', timezone: 'Mars/Olympus'});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CapsuleError);
    expect((caught as CapsuleError).code).toBe('config_invalid');
    expect((caught as CapsuleError).message).toBe(
      'task "build_report" has an invalid schedule: schedule.timezone: unknown time zone: expected an IANA name like "Europe/Paris" or "UTC", got "Mars/Olympus"; schedule: unknown key "catch_up" (did you mean "catchUp"?)',
    );
  });
});
