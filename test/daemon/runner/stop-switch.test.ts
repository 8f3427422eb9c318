import {describe, expect, it, vi} from 'vitest';
import {StopSwitch} from '../../../daemon/runner/stop-switch.js';

describe('StopSwitch', () => {
  it('calls each listener once, in order, when stopped; later stops do nothing', () => {
    const stop = new StopSwitch();
    const calls: string[] = [];
    const first = () => calls.push('first');
    stop.addEventListener('abort', first);
    stop.addEventListener('abort', first);
    stop.addEventListener('abort', () => calls.push('second'));
    expect(stop.aborted).toBe(false);
    stop.abort();
    stop.abort();
    expect(stop.aborted).toBe(true);
    expect(calls).toEqual(['first', 'second']);
  });

  it('forgets a removed listener, and never calls one added after the stop', () => {
    const stop = new StopSwitch();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    stop.addEventListener('abort', removed);
    stop.removeEventListener('abort', removed);
    stop.abort();
    stop.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual([]);
  });

  it('skips a listener removed by an earlier one while the stop runs', () => {
    const stop = new StopSwitch();
    const calls: string[] = [];
    const second = () => calls.push('second');
    stop.addEventListener('abort', () => stop.removeEventListener('abort', second));
    stop.addEventListener('abort', second);
    stop.abort();
    expect(calls).toEqual([]);
  });

  it('runs every listener when one throws, and reports that error as uncaught', () => {
    const reported: Array<() => void> = [];
    const queue = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => reported.push(callback));
    try {
      const stop = new StopSwitch();
      const calls: string[] = [];
      stop.addEventListener('abort', () => {
        throw new Error('listener failed');
      });
      stop.addEventListener('abort', () => calls.push('after'));
      expect(() => stop.abort()).not.toThrow();
      expect(calls).toEqual(['after']);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toThrow('listener failed');
    } finally {
      queue.mockRestore();
    }
  });
});
