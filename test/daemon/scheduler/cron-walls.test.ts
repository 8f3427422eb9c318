import {describe, expect, it} from 'vitest';
import {cronExpressionParser} from '../../../src/config/cron-parser.js';
import {CronWalls} from '../../../daemon/scheduler/cron-walls.js';
import {machineZone} from '../../../daemon/scheduler/zone.js';

/** cron-parser's own answer, from an expression parsed afresh: what the memo must agree with. */
function fresh(expression: string, seed: string, wall: number): number {
  const parsed = cronExpressionParser().parse(expression, {tz: 'UTC', currentDate: 0, hashSeed: seed});
  parsed.reset(new Date(wall));
  return parsed.next().getTime();
}

describe('CronWalls', () => {
  it('agrees with a fresh parse for queries in any order, inside and outside what it remembers', () => {
    const start = Date.UTC(2025, 2, 1, 2, 59, 59, 500);
    // Deterministic, scattered: forwards, backwards, on a fire, a millisecond each side of one.
    const queries = [0, 1, 500, 501, 86_400_000, 3_600_000, -1, 86_399_999, 2 * 86_400_000 + 500, 7, 43_200_000, 1_000].map((offset) => start + offset);
    for (const expression of ['0 3 * * *', '*/15 * * * *', '30 2 * * 1-5', '0 0 1 * *', '@hourly', '*/7 * * * * *']) {
      const walls = CronWalls.of(expression, 'p/a');
      for (const wall of [...queries, ...queries.reverse()]) expect(walls.after(wall), `${expression} after ${new Date(wall).toISOString()}`).toBe(fresh(expression, 'p/a', wall));
    }
  });

  it('is shared by schedules with one expression, but keeps each seed of an H field apart', () => {
    expect(CronWalls.of('0 3 * * *', 'a/one')).toBe(CronWalls.of('0 3 * * *', 'b/two'));
    const [one, two] = [CronWalls.of('H H * * *', 'a/one'), CronWalls.of('H H * * *', 'b/two')];
    expect(one).not.toBe(two);
    const from = Date.UTC(2025, 0, 1);
    expect([one.after(from), two.after(from)]).toEqual([fresh('H H * * *', 'a/one', from), fresh('H H * * *', 'b/two', from)]);
  });

  it('refuses an invalid expression with what is wrong, and never remembers it', () => {
    expect(() => CronWalls.of('61 * * * *', 'p/a')).toThrow(/invalid cron expression "61 \* \* \* \*"/);
    expect(() => CronWalls.of('61 * * * *', 'p/a')).toThrow(/invalid cron expression/);
  });
});

describe('machineZone', () => {
  it('follows TZ when it changes', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Tokyo';
      expect(machineZone()).toBe('Asia/Tokyo');
      process.env.TZ = 'America/New_York';
      expect(machineZone()).toBe('America/New_York');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
