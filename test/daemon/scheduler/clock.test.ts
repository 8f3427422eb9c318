import {afterEach, describe, expect, it, vi} from 'vitest';
import {RealClock, type TimerHandle} from '../../../daemon/scheduler/clock.js';
import {FakeClock} from '../../../daemon/scheduler/fake-clock.js';

describe('RealClock', () => {
  const clock = new RealClock(20);
  const handles: TimerHandle[] = [];
  afterEach(() => {
    for (const handle of handles.splice(0)) clock.clearTimer(handle);
  });

  it('chains timeouts no longer than a chunk for a longer delay', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    await new Promise<void>((resolve) => handles.push(clock.setTimer(resolve, 75)));
    expect(setTimeoutSpy.mock.calls.map((call) => call[1])).toEqual([20, 20, 20, 15]);
    setTimeoutSpy.mockRestore();
  });

  it('clearTimer stops a chained timer between chunks', async () => {
    let cleared = false;
    let later = false;
    const handle = clock.setTimer(() => (cleared = true), 60);
    handles.push(handle, clock.setTimer(() => (later = true), 120));
    setTimeout(() => clock.clearTimer(handle), 30);
    await vi.waitFor(() => expect(later).toBe(true), {timeout: 5_000});
    expect(cleared).toBe(false);
  });
});

describe('FakeClock', () => {
  it('runs due timers in order, each seeing its own time, including timers they set', () => {
    const clock = new FakeClock(1_000);
    const seen: Array<[string, number]> = [];
    clock.setTimer(() => seen.push(['b', clock.now()]), 200);
    clock.setTimer(() => {
      seen.push(['a', clock.now()]);
      clock.setTimer(() => seen.push(['c', clock.now()]), 150);
    }, 100);
    clock.advance(300);
    expect(seen).toEqual([
      ['a', 1_100],
      ['b', 1_200],
      ['c', 1_250],
    ]);
    expect(clock.now()).toBe(1_300);
    expect(clock.pendingTimers).toBe(0);
  });

  it('jump moves the wall clock but not the timers', () => {
    const clock = new FakeClock(0);
    let firedAt: number | undefined;
    clock.setTimer(() => (firedAt = clock.now()), 1_000);
    clock.jump(10_000);
    clock.advance(999);
    expect(firedAt).toBeUndefined();
    clock.advance(1);
    expect(firedAt).toBe(11_000);
  });

  it('clearTimer cancels', () => {
    const clock = new FakeClock(0);
    const handle = clock.setTimer(() => expect.unreachable(), 10);
    clock.clearTimer(handle);
    clock.advance(100);
    expect(clock.pendingTimers).toBe(0);
  });
});
