import {describe, expect, it} from 'vitest';
import {Slots} from '../../../daemon/executor/slots.js';

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

  it('drops a waiter whose signal aborts, rejecting with the reason', async () => {
    const slots = new Slots(1);
    const release = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    release();
    expect(slots.inUse).toBe(0);
    await expect(slots.acquire(controller.signal)).rejects.toThrow('gave up');
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
