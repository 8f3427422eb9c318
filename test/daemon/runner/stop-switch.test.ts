import {describe, expect, it} from 'vitest';
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
});
