import {describe, expect, it} from 'vitest';
import {ReadyQueue} from '../../../daemon/runner/ready-queue.js';

const always = () => true;

describe('ReadyQueue', () => {
  it('is first in, first out across tasks', () => {
    const queue = new ReadyQueue();
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    queue.push('a', 'a2');
    const order = [queue.take(always, always), queue.take(always, always), queue.take(always, always), queue.take(always, always)];
    expect(order).toEqual(['a1', 'b1', 'a2', undefined]);
  });

  it('skips a task that may not start more, without blocking the others', () => {
    const queue = new ReadyQueue();
    queue.push('busy', 'x1');
    queue.push('busy', 'x2');
    queue.push('free', 'y1');
    expect(queue.take((runId) => !runId.startsWith('x'), always)).toBe('y1');
    expect(queue.take((runId) => !runId.startsWith('x'), always)).toBeUndefined();
    expect(queue.take(always, always)).toBe('x1');
  });

  it('drops runs that are no longer ready when they reach the front', () => {
    const queue = new ReadyQueue();
    queue.push('a', 'gone');
    queue.push('a', 'kept');
    expect(queue.take(always, (runId) => runId !== 'gone')).toBe('kept');
    expect(queue.take(always, always)).toBeUndefined();
  });
});
