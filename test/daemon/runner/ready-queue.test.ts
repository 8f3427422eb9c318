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

describe('ReadyQueue: priority', () => {
  it('starts higher priority first, first in, first out among equals, across tasks', () => {
    const queue = new ReadyQueue();
    queue.push('a', 'a-low', -5);
    queue.push('b', 'b-normal-1');
    queue.push('a', 'a-high', 10);
    queue.push('b', 'b-high', 10);
    queue.push('a', 'a-normal', 0);
    queue.push('b', 'b-normal-2');
    const order = Array.from({length: 7}, () => queue.take(always, always));
    expect(order).toEqual(['a-high', 'b-high', 'b-normal-1', 'a-normal', 'b-normal-2', 'a-low', undefined]);
  });

  it('lets a lower priority of another task start while the higher one\'s task is at its cap', () => {
    const queue = new ReadyQueue();
    queue.push('busy', 'x-high', 100);
    queue.push('free', 'y-low', -100);
    expect(queue.take((runId) => runId !== 'x-high', always)).toBe('y-low');
    expect(queue.take(always, always)).toBe('x-high');
  });

  it('takes runs in (priority desc, arrival) order, whatever order they are pushed in', () => {
    // A seeded generator: the same sequence each run, enough pushes and takes to exercise the heap.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const queue = new ReadyQueue();
    const pushed: {runId: string; priority: number; seq: number}[] = [];
    const taken: string[] = [];
    for (let seq = 0; seq < 5000; seq++) {
      const priority = Math.floor(random() * 7) - 3;
      queue.push(`t${seq % 3}`, `r${seq}`, priority);
      pushed.push({runId: `r${seq}`, priority, seq});
      if (random() < 0.3) taken.push(queue.take(always, always)!);
    }
    for (let runId = queue.take(always, always); runId !== undefined; runId = queue.take(always, always)) taken.push(runId);
    expect(taken).toHaveLength(pushed.length);
    // Whenever a run was taken, none still waiting was better: replay and check each take.
    const waiting = new Map<string, {priority: number; seq: number}>();
    const order = new Map(pushed.map((entry) => [entry.runId, entry]));
    let next = 0;
    seed = 42;
    for (let seq = 0; seq < 5000; seq++) {
      const priority = Math.floor(random() * 7) - 3;
      waiting.set(`r${seq}`, {priority, seq});
      if (random() < 0.3) {
        const runId = taken[next++]!;
        const best = [...waiting.values()].sort((a, b) => b.priority - a.priority || a.seq - b.seq)[0]!;
        expect(order.get(runId)).toMatchObject(best);
        waiting.delete(runId);
      }
    }
    const rest = [...waiting.values()].sort((a, b) => b.priority - a.priority || a.seq - b.seq).map((entry) => `r${entry.seq}`);
    expect(taken.slice(next)).toEqual(rest);
  });
});
