import {describe, expect, it} from 'vitest';
import {LogThrottle} from '../../../daemon/worker/log-throttle.js';

describe('LogThrottle', () => {
  it('admits a burst, then the steady rate, and counts what it refused', () => {
    let now = 0;
    const throttle = new LogThrottle(() => now, 10, 3);
    expect([throttle.admit(), throttle.admit(), throttle.admit(), throttle.admit()]).toEqual([true, true, true, false]);
    expect(throttle.takeDropped()).toBe(1);
    expect(throttle.takeDropped()).toBe(0);
    now += 100; // one line's worth at 10 lines/s
    expect([throttle.admit(), throttle.admit()]).toEqual([true, false]);
    now += 10_000; // refills to the burst size, no more
    expect([throttle.admit(), throttle.admit(), throttle.admit(), throttle.admit()]).toEqual([true, true, true, false]);
  });
});
