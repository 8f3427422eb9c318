import {describe, expect, it} from 'vitest';
import {applyOverlap, CATCH_UP_CAP, catchUpFires, jitterDelay} from '../../../daemon/scheduler/policies.js';

const MINUTE = 60_000;

describe('catchUpFires', () => {
  const now = 1_000 * MINUTE;
  const missed = [now - 90 * MINUTE, now - 50 * MINUTE, now - 20 * MINUTE, now - MINUTE];

  it('none runs nothing', () => {
    expect(catchUpFires('none', missed, now, 60 * MINUTE)).toEqual([]);
  });

  it('latest runs the most recent fire inside the window', () => {
    expect(catchUpFires('latest', missed, now, 60 * MINUTE)).toEqual([now - MINUTE]);
    expect(catchUpFires('latest', [now - 90 * MINUTE], now, 60 * MINUTE)).toEqual([]);
  });

  it('all runs every fire inside the window, the window edge included', () => {
    expect(catchUpFires('all', missed, now, 50 * MINUTE)).toEqual([now - 50 * MINUTE, now - 20 * MINUTE, now - MINUTE]);
  });

  it(`all keeps the latest ${CATCH_UP_CAP}`, () => {
    const many = Array.from({length: 250}, (_, index) => now - (250 - index) * 1000);
    const fires = catchUpFires('all', many, now, 60 * MINUTE);
    expect(fires).toHaveLength(CATCH_UP_CAP);
    expect(fires[0]).toBe(now - 100_000);
    expect(fires.at(-1)).toBe(now - 1000);
  });
});

describe('applyOverlap', () => {
  it('submits everything when the previous run has ended, whatever the policy', () => {
    for (const policy of ['skip', 'queue', 'allow'] as const) {
      expect(applyOverlap(policy, [1, 2], false, false)).toEqual({submit: [1, 2], queue: undefined, skip: []});
    }
  });

  it('skip skips while the previous run is active', () => {
    expect(applyOverlap('skip', [1, 2], true, false)).toEqual({submit: [], queue: undefined, skip: [1, 2]});
  });

  it('queue keeps the latest fire waiting, and only one', () => {
    expect(applyOverlap('queue', [1, 2], true, false)).toEqual({submit: [], queue: 2, skip: [1]});
    expect(applyOverlap('queue', [3], true, true)).toEqual({submit: [], queue: undefined, skip: [3]});
  });

  it('allow submits while the previous run is active', () => {
    expect(applyOverlap('allow', [1], true, true)).toEqual({submit: [1], queue: undefined, skip: []});
  });
});

describe('jitterDelay', () => {
  it('spans [0, max] over random’s [0, 1)', () => {
    expect(jitterDelay(30_000, () => 0)).toBe(0);
    expect(jitterDelay(30_000, () => 0.5)).toBe(15_000);
    expect(jitterDelay(30_000, () => 0.999_999_999)).toBe(30_000);
    expect(jitterDelay(0, () => 0.7)).toBe(0);
  });
});
