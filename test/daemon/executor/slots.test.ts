import {describe, expect, it} from 'vitest';
import {Slots, StoppedWaiting} from '../../../daemon/executor/slots.js';
import {StopSwitch} from '../../../daemon/runner/stop-switch.js';

describe('Slots', () => {
  it('grants up to its size at once and hands a released slot to the oldest waiter', async () => {
    const slots = new Slots(2);
    const first = await slots.acquire();
    await slots.acquire();
    const order: string[] = [];
    const third = slots.acquire().then((release) => (order.push('third'), release));
    const fourth = slots.acquire().then((release) => (order.push('fourth'), release));
    expect(slots.inUse).toBe(2);
    first();
    first(); // a second release of the same slot changes nothing
    (await third)();
    await fourth;
    expect(order).toEqual(['third', 'fourth']);
    expect(slots.inUse).toBe(2);
  });

  it('drops a waiter when either of its signals aborts, and leaves the waiters behind it queued', async () => {
    const slots = new Slots(1);
    const release = await slots.acquire();
    const cancel = new StopSwitch();
    const closing = new AbortController();
    const waiting = slots.acquire([cancel, closing.signal]);
    const next = slots.acquire([cancel]);
    const last = slots.acquire();
    closing.abort();
    await expect(waiting).rejects.toBeInstanceOf(StoppedWaiting);
    cancel.abort();
    await expect(next).rejects.toBeInstanceOf(StoppedWaiting);
    release();
    const releaseLast = await last;
    expect(slots.inUse).toBe(1);
    releaseLast();
    expect(slots.inUse).toBe(0);
    await expect(slots.acquire([cancel])).rejects.toBeInstanceOf(StoppedWaiting);
  });

  it('keeps a waiter that an earlier listener of its signal granted while the stop ran', async () => {
    const slots = new Slots(1);
    const release = await slots.acquire();
    const cancel = new StopSwitch();
    cancel.addEventListener('abort', release);
    const granted = slots.acquire([cancel]);
    const behind = slots.acquire();
    cancel.abort();
    const releaseGranted = await granted;
    expect(slots.inUse).toBe(1);
    releaseGranted();
    const releaseBehind = await behind;
    releaseBehind();
    expect(slots.inUse).toBe(0);
  });

  it('stops listening to the signals of a waiter once it is granted', async () => {
    const slots = new Slots(1);
    const release = await slots.acquire();
    const cancel = new StopSwitch();
    const first = slots.acquire([cancel]);
    const second = slots.acquire();
    release();
    const releaseFirst = await first;
    // Granted: stopping it now must leave the queue behind it alone.
    cancel.abort();
    releaseFirst();
    const releaseSecond = await second;
    expect(slots.inUse).toBe(1);
    releaseSecond();
    expect(slots.inUse).toBe(0);
  });

  it('grants at once without waiting, or says no', () => {
    const slots = new Slots(1);
    const release = slots.tryAcquire();
    expect(release).toBeTypeOf('function');
    expect(slots.tryAcquire()).toBeNull();
    release!();
    expect(slots.tryAcquire()).toBeTypeOf('function');
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
  });
});
