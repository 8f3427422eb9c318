import {describe, expect, it} from 'vitest';
import {CronSchedule, nextFires} from '../../../daemon/scheduler/next-fire.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (instants: number[]): string[] => instants.map((instant) => new Date(instant).toISOString().replace('.000', ''));

describe('nextFires in UTC', () => {
  it('follows five fields, a leading seconds field and the @ shorthands', () => {
    expect(iso(nextFires('0 3 * * *', 'UTC', at('2025-01-01T03:00:00Z'), 2))).toEqual(['2025-01-02T03:00:00Z', '2025-01-03T03:00:00Z']);
    expect(iso(nextFires('*/20 * * * * *', 'UTC', at('2025-01-01T00:00:00.500Z'), 3))).toEqual([
      '2025-01-01T00:00:20Z',
      '2025-01-01T00:00:40Z',
      '2025-01-01T00:01:00Z',
    ]);
    expect(iso(nextFires('@hourly', 'UTC', at('2025-01-01T00:59:59Z'), 2))).toEqual(['2025-01-01T01:00:00Z', '2025-01-01T02:00:00Z']);
    expect(iso(nextFires('@monthly', 'UTC', at('2025-01-15T00:00:00Z'), 2))).toEqual(['2025-02-01T00:00:00Z', '2025-03-01T00:00:00Z']);
  });

  it('is strictly after `from`, even when `from` is a fire instant', () => {
    expect(iso(nextFires('* * * * *', 'UTC', at('2025-01-01T00:01:00Z'), 1))).toEqual(['2025-01-01T00:02:00Z']);
  });

  it('never drifts: a month of a 7-minute-step schedule stays on its minutes', () => {
    const fires = new CronSchedule('*/7 * * * *', 'UTC').upcoming(at('2025-01-01T00:00:00Z'), 6_000);
    expect(fires.every((fire) => new Date(fire).getUTCMinutes() % 7 === 0 && fire % 60_000 === 0)).toBe(true);
  });

  it('rejects what is not a five- or six-field expression', () => {
    expect(() => new CronSchedule('* * *', 'UTC')).toThrow(/expected 5 fields/);
    expect(() => new CronSchedule('0 25 * * *', 'UTC')).toThrow(/got value 25 expected range 0-23/);
  });
});

describe('daylight saving in Europe/London (2025: forward 30 Mar 01:00 UTC, back 26 Oct 01:00 UTC)', () => {
  const zone = 'Europe/London';

  it('a daily 01:30 skipped by spring-forward fires once, at 02:30 BST', () => {
    expect(iso(nextFires('30 1 * * *', zone, at('2025-03-28T12:00:00Z'), 4))).toEqual([
      '2025-03-29T01:30:00Z', // 01:30 GMT
      '2025-03-30T01:30:00Z', // 02:30 BST: the gap's length after the missing 01:30
      '2025-03-31T00:30:00Z', // 01:30 BST
      '2025-04-01T00:30:00Z',
    ]);
  });

  it('a daily 01:30 repeated by fall-back fires once, at its first occurrence', () => {
    expect(iso(nextFires('30 1 * * *', zone, at('2025-10-24T12:00:00Z'), 3))).toEqual([
      '2025-10-25T00:30:00Z',
      '2025-10-26T00:30:00Z', // 01:30 BST; 01:30 GMT an hour later does not fire
      '2025-10-27T01:30:00Z',
    ]);
  });

  it('a daily 02:30 keeps its wall time on both change days', () => {
    expect(iso(nextFires('30 2 * * *', zone, at('2025-03-29T00:00:00Z'), 3))).toEqual(['2025-03-29T02:30:00Z', '2025-03-30T01:30:00Z', '2025-03-31T01:30:00Z']);
    expect(iso(nextFires('30 2 * * *', zone, at('2025-10-25T00:00:00Z'), 3))).toEqual(['2025-10-25T01:30:00Z', '2025-10-26T02:30:00Z', '2025-10-27T02:30:00Z']);
  });

  it('an hourly schedule fires every elapsed hour through both changes', () => {
    expect(iso(nextFires('0 * * * *', zone, at('2025-03-29T23:30:00Z'), 4))).toEqual([
      '2025-03-30T00:00:00Z', // 00:00 GMT
      '2025-03-30T01:00:00Z', // 02:00 BST (01:00 does not exist)
      '2025-03-30T02:00:00Z',
      '2025-03-30T03:00:00Z',
    ]);
    expect(iso(nextFires('0 * * * *', zone, at('2025-10-25T23:30:00Z'), 4))).toEqual([
      '2025-10-26T00:00:00Z', // 01:00 BST
      '2025-10-26T01:00:00Z', // 01:00 GMT: another hour of elapsed time
      '2025-10-26T02:00:00Z',
      '2025-10-26T03:00:00Z',
    ]);
  });
});

describe('daylight saving in America/New_York (2025: forward 9 Mar 07:00 UTC, back 2 Nov 06:00 UTC)', () => {
  const zone = 'America/New_York';

  it('a daily 02:30 skipped by spring-forward fires once, at 03:30 EDT', () => {
    expect(iso(nextFires('30 2 * * *', zone, at('2025-03-07T12:00:00Z'), 4))).toEqual([
      '2025-03-08T07:30:00Z', // 02:30 EST
      '2025-03-09T07:30:00Z', // 03:30 EDT
      '2025-03-10T06:30:00Z', // 02:30 EDT
      '2025-03-11T06:30:00Z',
    ]);
  });

  it('a daily 02:30 is unaffected by fall-back, and a daily 01:30 fires once in the repeated hour', () => {
    expect(iso(nextFires('30 2 * * *', zone, at('2025-11-01T00:00:00Z'), 3))).toEqual(['2025-11-01T06:30:00Z', '2025-11-02T07:30:00Z', '2025-11-03T07:30:00Z']);
    expect(iso(nextFires('30 1 * * *', zone, at('2025-11-01T00:00:00Z'), 3))).toEqual([
      '2025-11-01T05:30:00Z',
      '2025-11-02T05:30:00Z', // 01:30 EDT; not again at 01:30 EST
      '2025-11-03T06:30:00Z',
    ]);
  });

  it('an hourly schedule fires every elapsed hour through both changes', () => {
    expect(iso(nextFires('0 * * * *', zone, at('2025-03-09T05:30:00Z'), 3))).toEqual([
      '2025-03-09T06:00:00Z', // 01:00 EST
      '2025-03-09T07:00:00Z', // 03:00 EDT
      '2025-03-09T08:00:00Z',
    ]);
    expect(iso(nextFires('0 * * * *', zone, at('2025-11-02T04:30:00Z'), 4))).toEqual([
      '2025-11-02T05:00:00Z', // 01:00 EDT
      '2025-11-02T06:00:00Z', // 01:00 EST
      '2025-11-02T07:00:00Z', // 02:00 EST
      '2025-11-02T08:00:00Z',
    ]);
  });
});

describe('the fire set does not depend on where a query starts', () => {
  // cron-parser alone answers 01:30 GMT when asked from 01:10 GMT on a fall-back day, and skips
  // the gap fire when asked from 02:10 BST on a spring-forward day; a restart there would double or lose it.
  it('asking from inside a repeated hour does not give a second 01:30', () => {
    expect(iso(nextFires('30 1 * * *', 'Europe/London', at('2025-10-26T01:10:00Z'), 1))).toEqual(['2025-10-27T01:30:00Z']);
  });

  it('asking from inside a repeated hour skips the rest of it for a schedule pinned to that hour', () => {
    expect(iso(nextFires('* * 1 * * *', 'Europe/London', at('2025-10-26T01:10:00Z'), 1))).toEqual(['2025-10-27T01:00:00Z']);
  });

  it('asking from just after a gap still gives the gap fire', () => {
    expect(iso(nextFires('30 1 * * *', 'Europe/London', at('2025-03-30T01:10:00Z'), 1))).toEqual(['2025-03-30T01:30:00Z']);
  });

  const cases: Array<[string, string, string]> = [
    ['30 1 * * *', 'Europe/London', '2025-10-25T22:00:00Z'],
    ['30 1 * * *', 'Europe/London', '2025-03-29T22:00:00Z'],
    ['*/15 * * * *', 'Europe/London', '2025-10-25T22:00:00Z'],
    ['*/15 * * * *', 'America/New_York', '2025-03-09T03:00:00Z'],
    ['10,40 * * * *', 'America/New_York', '2025-11-02T02:00:00Z'],
    ['*/20 1-2 * * *', 'America/New_York', '2025-11-02T02:00:00Z'],
    ['*/20 1-2 * * *', 'America/New_York', '2025-03-09T03:00:00Z'],
    ['0 */30 * * * *', 'Europe/London', '2025-03-29T22:00:00Z'],
    ['15 2 * * *', 'Australia/Lord_Howe', '2025-10-04T10:00:00Z'], // a 30-minute shift
    ['20,35 * * * *', 'Australia/Lord_Howe', '2025-10-04T10:00:00Z'], // 02:20 moves to 02:50, after 02:35
    ['*/10 * * * *', 'Australia/Lord_Howe', '2025-04-05T10:00:00Z'],
    ['* * * * * *', 'America/New_York', '2025-11-02T05:00:00Z'],
    ['* * * * * *', 'America/New_York', '2025-03-09T06:00:00Z'],
  ];
  it.each(cases)('%s in %s', (expression, zone, start) => {
    const schedule = new CronSchedule(expression, zone);
    const hours = expression.split(' ').length === 6 && expression.startsWith('*') ? 2 : 8;
    const fires = schedule.between(at(start), at(start) + hours * 3_600_000);
    expect(fires.length).toBeGreaterThan(0);
    expect(new Set(fires).size).toBe(fires.length);
    // Every 7 min 13 s through the window, the answer is the first of the fires after the query.
    for (let from = at(start); from < fires[fires.length - 1]!; from += 433_000) {
      expect(schedule.next(from)).toBe(fires.find((fire) => fire > from));
    }
  });
});
