import {describe, expect, it} from 'vitest';
import {WakeTimers} from '../../../daemon/runner/wake-timers.js';
import {FakeClock} from '../core/fake-clock.js';

describe('WakeTimers', () => {
  it('wakes a run at its time, once, and a replaced time wins', () => {
    const clock = new FakeClock();
    const timers = new WakeTimers(clock);
    const woken: string[] = [];
    timers.set('a', clock.now() + 1000, (id) => woken.push(id));
    timers.set('a', clock.now() + 3000, (id) => woken.push(id));
    timers.set('b', clock.now() - 5, (id) => woken.push(id));
    clock.advance(0);
    expect(woken).toEqual(['b']);
    clock.advance(2000);
    expect(woken).toEqual(['b']);
    clock.advance(1000);
    expect(woken).toEqual(['b', 'a']);
    expect(timers.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('sets itself again when the wall clock stepped back under it', () => {
    const clock = new FakeClock();
    const timers = new WakeTimers(clock);
    const woken: string[] = [];
    const at = clock.now() + 1000;
    timers.set('a', at, (id) => woken.push(id));
    clock.jump(-500);
    clock.advance(1000);
    expect(woken).toEqual([]);
    clock.advance(500);
    expect(woken).toEqual(['a']);
  });

  it('clears one run or all, leaving no timer behind', () => {
    const clock = new FakeClock();
    const timers = new WakeTimers(clock);
    const woken: string[] = [];
    for (const id of ['a', 'b', 'c']) timers.set(id, clock.now() + 10, (run) => woken.push(run));
    timers.clear('b');
    expect(timers.size).toBe(2);
    timers.clearAll();
    clock.advance(100);
    expect(woken).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});
