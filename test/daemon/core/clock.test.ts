import {afterEach, describe, expect, it, vi} from 'vitest';
import {SystemClock} from '../../../daemon/core/clock.js';
import {FakeClock} from './fake-clock.js';

describe('SystemClock', () => {
  const clock = new SystemClock(20);
  const cancels: Array<() => void> = [];
  afterEach(() => {
    for (const cancel of cancels.splice(0)) cancel();
  });

  it('chains timeouts no longer than a chunk for a longer delay', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    await new Promise<void>((resolve) => cancels.push(clock.schedule(75, resolve)));
    expect(setTimeoutSpy.mock.calls.map((call) => call[1])).toEqual([20, 20, 20, 15]);
    setTimeoutSpy.mockRestore();
  });

  it('cancelling stops a chained timer between chunks', async () => {
    let cleared = false;
    let later = false;
    const cancel = clock.schedule(60, () => (cleared = true));
    cancels.push(cancel, clock.schedule(120, () => (later = true)));
    setTimeout(cancel, 30);
    await vi.waitFor(() => expect(later).toBe(true), {timeout: 5_000});
    expect(cleared).toBe(false);
  });
});

describe('FakeClock', () => {
  it('runs due timers in order, each seeing its own time, including timers they set', () => {
    const clock = new FakeClock(1_000);
    const seen: Array<[string, number]> = [];
    clock.schedule(200, () => seen.push(['b', clock.now()]));
    clock.schedule(100, () => {
      seen.push(['a', clock.now()]);
      clock.schedule(150, () => seen.push(['c', clock.now()]));
    });
    clock.advance(300);
    expect(seen).toEqual([
      ['a', 1_100],
      ['b', 1_200],
      ['c', 1_250],
    ]);
    expect(clock.now()).toBe(1_300);
    expect(clock.pending).toBe(0);
  });

  it('jump moves the wall clock but not the timers', () => {
    const clock = new FakeClock(0);
    let firedAt: number | undefined;
    clock.schedule(1_000, () => (firedAt = clock.now()));
    clock.jump(10_000);
    clock.advance(999);
    expect(firedAt).toBeUndefined();
    clock.advance(1);
    expect(firedAt).toBe(11_000);
  });

  it('runs timers due at the same time in the order they were set', () => {
    const clock = new FakeClock(0);
    const order: string[] = [];
    clock.schedule(10, () => order.push('first'));
    clock.schedule(10, () => order.push('second'));
    clock.advance(10);
    expect(order).toEqual(['first', 'second']);
  });

  it('a cancelled timer never runs', () => {
    const clock = new FakeClock(0);
    const cancel = clock.schedule(10, () => expect.unreachable());
    cancel();
    clock.advance(100);
    expect(clock.pending).toBe(0);
  });
});
